"""Pure helpers of the dashboard pages: query building, what-if payloads, sentences, formatting."""

from __future__ import annotations

from dash_app.formatting import fmt_money, fmt_pct, parse_client_id
from dash_app.i18n import t, value_label
from dash_app.views.client_data import base_application, counterfactual_text, info_items, validate_amounts
from tests.answers import answer, changed


def test_french_formatting():
    assert fmt_money(250000) == "250\u202f000\u202f€"
    assert fmt_pct(0.1234) == "12,3\u202f%"
    assert value_label("Cash loans") == "Prêt personnel" and value_label("unknown level") == "unknown level"
    assert t("client.title", id=7) == "Client 7"
    assert t("no.such.key") == "no.such.key"


def test_parse_client_id():
    assert parse_client_id("100002") == 100002
    assert parse_client_id("12; drop") is None and parse_client_id("../x") is None and parse_client_id(None) is None


def test_base_application_is_the_clients_raw_application():
    client = answer("client")
    app = base_application(changed(client, application={**client.application, "TARGET": 1}))
    assert "TARGET" not in app
    assert app == {k: v for k, v in client.application.items() if k != "TARGET"}


def test_amounts_must_be_positive():
    assert validate_amounts({"a": 1, "b": 2.5}) and not validate_amounts({"a": 0}) and not validate_amounts({"a": None})


def test_counterfactual_sentences():
    cf = answer("counterfactual")
    assert counterfactual_text(cf) == cf.message  # the service's own sentence
    approved = changed(cf, current=changed(cf.current, decision="approve", band="green"), changes=[])
    assert counterfactual_text(approved) == t("client.cf_already")


def test_info_items_order_labels_and_display():
    client = answer("client")
    items = info_items(changed(client, info={"income": 1000.0, "age": 30.5, "own_car": False, "zz_extra": "x"},
                               display={"income": "1 000 €"}))
    assert items == [("Âge", "30 ans"), ("Revenu annuel", "1 000 €"), ("Possède une voiture", "Non"),
                     ("zz extra", "x")]
    assert [k for k, _ in info_items(client, only=("age",))] == ["Âge"]


def test_clients_query_params():
    from dash_app.views.clients_state import ALL, query_params

    params = query_params({"q": " 1000 ", "age_min": 30, "gender": ALL, "decision": "review", "income_max": None},
                          page=2, sort_by=[{"column_id": "score", "direction": "desc"}])
    assert params == {"page": 3, "per_page": 20, "q": "1000", "age_min": 30, "decision": "review", "sort": "-score"}
    assert query_params({}, 0, [{"column_id": "link", "direction": "asc"}])["sort"] == "id"


CONTRACT_MODULES = {"scoring.contract", "scoring.contract.responses", "scoring.contract.metadata",
                    "scoring.monitoring.contract", "scoring.contract_decisions"}


def test_contract_modules_import_pydantic_only():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for module in CONTRACT_MODULES:
        path = root / module.replace(".", "/")
        tree = ast.parse((path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        outside = {m for m in imported if m not in CONTRACT_MODULES and
                   m.split(".")[0] not in {"__future__", "typing", "datetime", "json", "math", "pydantic"}}
        assert not outside, f"{module} imports {outside}"


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


def test_the_dashboard_loads_only_the_contract_of_the_core():
    """What the dashboard's modules really load (not only what they name): the pydantic contract, nothing that
    scores (no scoring.decision, no catboost, no numpy-heavy core)."""
    import subprocess
    import sys

    code = ("import sys, dash_app.api_client, dash_app.layout, dash_app.views.client, dash_app.views.client_callbacks,"
            " dash_app.views.model, dash_app.views.share, dash_app.views.monitoring, dash_app.views.clients_table;"
            " print('\\n'.join(m for m in sys.modules if m.split('.')[0] in"
            " {'scoring', 'training', 'model_service', 'catboost', 'sklearn'}))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                 .stdout.split())
    assert loaded - {"scoring", "scoring.monitoring"} <= CONTRACT_MODULES, loaded


class RecordedApi:
    """``api_client.ServiceClient`` answering the real service's recorded answers (contract models)."""

    def __getattr__(self, name):
        calls = {"score": "score", "client": "client", "explanation": "explanation", "model": "model",
                 "counterfactual": "counterfactual", "similar": "similar", "decisions": "decisions",
                 "population": "population", "fairness": "fairness", "health": "health", "simulate": "simulate",
                 "model_card": "card", "clients": "clients"}
        return lambda *args, **kwargs: answer(calls[name])


def _ids(component) -> set:
    found = {getattr(component, "id", None)}
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            found |= _ids(child)
    return found - {None}


def test_client_page_renders_every_section_from_the_contract(monkeypatch):
    """The whole client page built from contract models: a read of an undeclared field fails here."""
    from dash_app.views import client as view

    monkeypatch.setattr(view, "get_client", RecordedApi)
    page = view.build(str(answer("client").id))
    assert {"client-score-summary", "client-reasons", "client-contributions", "client-info", "client-counterfactual",
            "client-whatif", "client-compare", "client-advisor-decision", "client-history-list"} <= _ids(page)


def test_model_page_renders_every_section_from_the_contract(monkeypatch):
    from dash_app.views import model as view

    monkeypatch.setattr(view, "get_client", RecordedApi)
    page = view.build()
    assert {"model-metrics-table", "model-importance-section", "model-cost", "model-fairness-table",
            "model-fairness-gaps"} <= _ids(page)
    store = next(c for c in page.children if getattr(c, "id", None) == "model-data")
    body = view.update_cost.__wrapped__(answer("model").costs.fn, answer("model").costs.fp, store.data)
    assert "model-cost-best" in _ids(body)
