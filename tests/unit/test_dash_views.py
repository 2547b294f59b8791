"""Pure helpers of the dashboard pages: query building, what-if payloads, sentences, formatting."""

from __future__ import annotations

from dash_app.formatting import fmt_money, fmt_pct, parse_client_id
from dash_app.i18n import t, value_label
from dash_app.views.client_data import (
    base_application,
    counterfactual_text,
    info_items,
    reason_sentences,
    validate_amounts,
    whatif_application,
)


def test_french_formatting():
    assert fmt_money(250000) == "250\u202f000\u202f€"
    assert fmt_pct(0.1234) == "12,3\u202f%"
    assert value_label("Cash loans") == "Prêt personnel" and value_label("unknown level") == "unknown level"
    assert t("client.title", id=7) == "Client 7"
    assert t("no.such.key") == "no.such.key"


def test_parse_client_id():
    assert parse_client_id("100002") == 100002
    assert parse_client_id("12; drop") is None and parse_client_id("../x") is None and parse_client_id(None) is None


def test_base_application_prefers_raw():
    app, exact = base_application({"id": 5, "raw": {"SK_ID_CURR": 5, "TARGET": 1, "AMT_CREDIT": 1.0}, "info": {}})
    assert exact and app == {"SK_ID_CURR": 5, "AMT_CREDIT": 1.0}


def test_base_application_rebuilt_from_info():
    info = {"age": 40, "income": 100000.0, "credit": 250000.0, "own_car": True, "contract_type": "Cash loans",
            "employment_years": 2.0}
    app, exact = base_application({"id": 5, "info": info})
    assert not exact
    assert app["AMT_INCOME_TOTAL"] == 100000.0 and app["FLAG_OWN_CAR"] == "Y"
    assert app["DAYS_BIRTH"] == -14610 and app["DAYS_EMPLOYED"] == -730
    assert base_application({"id": 5}) == (None, False)


def test_whatif_application_changes_only_amounts():
    base = {"SK_ID_CURR": 1, "AMT_CREDIT": 250000.0, "AMT_INCOME_TOTAL": 90000.0}
    app = whatif_application(base, {"credit": 180000, "income": None, "other": 3})
    assert app == {"SK_ID_CURR": 1, "AMT_CREDIT": 180000.0, "AMT_INCOME_TOTAL": 90000.0}
    assert base["AMT_CREDIT"] == 250000.0
    assert validate_amounts({"a": 1, "b": 2.5}) and not validate_amounts({"a": 0}) and not validate_amounts({"a": None})


def test_counterfactual_sentences():
    assert counterfactual_text({"current": {"decision": "approve"}, "found": False}) == t("client.cf_already")
    assert counterfactual_text({"current": {"decision": "decline"}, "found": False}) == t("client.cf_none")
    assert counterfactual_text({"found": True, "message": "Avec X, accepté."}) == "Avec X, accepté."
    built = counterfactual_text({"found": True, "current": {"decision": "decline"}, "new_score": {"score": 44.2},
                                 "changes": [{"field": "AMT_CREDIT", "label": "Montant du crédit",
                                              "old": 250000, "new": 180000}]})
    assert built == "Avec montant du crédit à 180\u202f000\u202f€ au lieu de 250\u202f000\u202f€, " \
                    "la demande serait acceptée (score 44,2)."


def test_info_items_order_labels_and_display():
    items = info_items({"income": 1000.0, "age": 30.5, "own_car": False, "zz_extra": "x"}, {"income": "1 000 €"})
    assert items == [("Âge", "30 ans"), ("Revenu annuel", "1 000 €"), ("Possède une voiture", "Non"),
                     ("zz extra", "x")]
    assert [k for k, _ in info_items({"age": 30, "ext_source_1": 0.3}, only=("age",))] == ["Âge"]


def test_reason_sentences_sorted_by_weight():
    expl = {"contributions": [{"sentence": "a", "contribution": 0.1, "direction": "raises"},
                              {"sentence": "b", "contribution": -0.5, "direction": "lowers"},
                              {"sentence": "", "contribution": 2}]}
    assert [c["sentence"] for c in reason_sentences(expl)] == ["b", "a"]
    assert [c["sentence"] for c in reason_sentences(expl, direction="raises")] == ["a"]


def test_clients_query_params():
    from dash_app.pages.clients import ALL, query_params

    params = query_params({"q": " 1000 ", "age_min": 30, "gender": ALL, "decision": "review", "income_max": None},
                          page=2, sort_by=[{"column_id": "score", "direction": "desc"}])
    assert params == {"page": 3, "per_page": 20, "q": "1000", "age_min": 30, "decision": "review", "sort": "-score"}
    assert query_params({}, 0, [{"column_id": "link", "direction": "asc"}])["sort"] == "id"


CONTRACT_MODULES = {"scoring.monitoring.contract", "scoring.contract_decisions"}


def test_contract_modules_import_pydantic_only():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for module in CONTRACT_MODULES:
        tree = ast.parse((root / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
        imported = {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert imported <= {"__future__", "typing", "datetime", "pydantic"}, f"{module} imports {imported}"


def test_dash_app_talks_to_the_service_over_http_only():
    """Architecture rule: no import of the model side (scoring, training, model_service, catboost, sklearn)."""
    import ast
    from pathlib import Path

    forbidden = {"scoring", "training", "model_service", "catboost", "sklearn"}
    root = Path(__file__).resolve().parents[2] / "dash_app"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                if name in CONTRACT_MODULES:  # pydantic models only: the typed contract the service answers
                    continue
                assert name.split(".")[0] not in forbidden, f"{path}: imports {name}"
    clients = [p for p in root.rglob("*.py") if "import requests" in p.read_text(encoding="utf-8")]
    assert [p.name for p in clients] == ["api_client.py"]
