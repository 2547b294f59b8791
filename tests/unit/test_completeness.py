"""POST /predict's completeness warnings (issue 17): an empty application is scored but never silently."""

from __future__ import annotations

from model_service.completeness import KEY_FIELDS, MIN_INFORMATIVE_FIELDS, warnings


def test_empty_application_warns_few_fields_and_names_missing_key_fields():
    codes = {w["code"]: w for w in warnings({}, has_history=False)}
    assert set(codes) == {"few_fields", "missing_key_fields", "no_history"}
    assert codes["missing_key_fields"]["fields"] == list(KEY_FIELDS)
    assert all(w["message"] and w["message_en"] for w in codes.values())


def test_threshold_of_informative_fields():
    full = dict.fromkeys(KEY_FIELDS, 1.0)
    full.update({"CNT_CHILDREN": 0, "FLAG_OWN_CAR": "N", "NAME_CONTRACT_TYPE": "Cash loans"})
    assert len(full) == 12 and MIN_INFORMATIVE_FIELDS == 10
    assert [w["code"] for w in warnings(full, has_history=True)] == []
    short = dict(list(full.items())[:MIN_INFORMATIVE_FIELDS - 1])
    assert "few_fields" in [w["code"] for w in warnings(short, has_history=True)]
    assert "few_fields" not in [w["code"] for w in warnings(dict(list(full.items())[:MIN_INFORMATIVE_FIELDS]), True)]
