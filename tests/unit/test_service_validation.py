"""model_service.validation: the request models built from the bundle (every problem listed, nothing coerced)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from model_service.errors import problems_from
from model_service.validation import InputModels, bounds


@pytest.fixture(scope="module")
def models() -> InputModels:
    return InputModels({"CODE_GENDER": ["F", "M"], "NAME_CONTRACT_TYPE": ["Cash loans", "Revolving loans"]})


def problems(model, data) -> dict[str, str]:
    with pytest.raises(ValidationError) as err:
        model.model_validate(data)
    return {p["field"]: p["problem"] for p in problems_from(err.value)}


def test_application_accepts_any_subset_and_the_days_employed_sentinel(models):
    ok = models.application.model_validate({"DAYS_EMPLOYED": 365243, "CODE_GENDER": "M", "CNT_CHILDREN": 2.0,
                                            "AMT_CREDIT": 100000, "EXT_SOURCE_3": None})
    assert ok.model_dump(exclude_none=True) == {"DAYS_EMPLOYED": 365243, "CODE_GENDER": "M",
                                                "CNT_CHILDREN": 2.0, "AMT_CREDIT": 100000}
    assert models.application.model_validate({}).model_dump(exclude_none=True) == {}


def test_application_reports_every_problem(models):
    found = problems(models.application, {
        "AMT_CREDIT": 0, "CODE_GENDER": "X", "WHAT": 1, "CNT_CHILDREN": 0.5, "DAYS_EMPLOYED": 10,
        "EXT_SOURCE_1": "0.3", "FLAG_OWN_CAR": 1, "FLAG_DOCUMENT_3": 2, "REGION_RATING_CLIENT": 4,
        "AMT_ANNUITY": True})
    assert set(found) == {"AMT_CREDIT", "CODE_GENDER", "WHAT", "CNT_CHILDREN", "DAYS_EMPLOYED", "EXT_SOURCE_1",
                          "FLAG_OWN_CAR", "FLAG_DOCUMENT_3", "REGION_RATING_CLIENT", "AMT_ANNUITY"}
    assert "whole number" in found["CNT_CHILDREN"] and "365243" in found["DAYS_EMPLOYED"]
    assert "'F' or 'M'" in found["CODE_GENDER"]


def test_history_rows_are_typed_but_not_bounded(models):
    ok = models.history.model_validate({"bureau": [{"AMT_ANNUITY": 0.0, "CREDIT_ACTIVE": "Active"}]})
    assert ok.bureau[0].AMT_ANNUITY == 0.0
    found = problems(models.predict, {"application": {}, "history": {
        "bureau_balance": [{"MONTHS_BALANCE": -1}], "bureau": [{"DAYS_CREDIT": "x"}], "foo": []}})
    assert set(found) == {"history.bureau_balance[0].SK_ID_BUREAU", "history.bureau[0].DAYS_CREDIT",
                          "history.foo"}


def test_numbers_beyond_any_plausible_magnitude_are_refused(models):
    """No explicit bound still means finite in float32: 1e300 would reach the model as infinity."""
    found = problems(models.predict, {"application": {"DAYS_EMPLOYED": -100.0}, "history": {
        "bureau": [{"AMT_CREDIT_SUM": 1e300, "DAYS_CREDIT": -10}],
        "credit_card_balance": [{"AMT_BALANCE": -2e12}]}})
    assert set(found) == {"history.bureau[0].AMT_CREDIT_SUM", "history.credit_card_balance[0].AMT_BALANCE"}
    ok = models.history.model_validate({"bureau": [{"AMT_CREDIT_SUM": 5.9e8}]})
    assert ok.bureau[0].AMT_CREDIT_SUM == 5.9e8


def test_bounds_cover_flags_scores_and_building_fields():
    assert bounds("FLAG_DOCUMENT_7") == (0, 1) and bounds("EXT_SOURCE_2") == (0, 1)
    assert bounds("APARTMENTS_MEDI") == (0, 1) and bounds("REG_CITY_NOT_WORK_CITY") == (0, 1)
    assert bounds("AMT_REQ_CREDIT_BUREAU_MON") == (0, 1000)
