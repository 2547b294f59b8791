"""Issue 17, dashboard side: what the client reads, the clients list's state and checks, similar clients."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dash_app.api_client import ServiceError
from dash_app.i18n import t
from dash_app.views import share
from dash_app.views.client_sections import similar_children, similar_rate_text
from dash_app.views.clients_state import ALL, filter_errors, query_string, sort_key, state_from_query

REPO = Path(__file__).resolve().parents[2]


class FakeApi:
    """The service answers the client view needs (a declined client by the model)."""

    def __init__(self, decisions=(), synthetic=True):
        self._decisions = list(decisions)
        self._synthetic = synthetic

    def score(self, cid):
        return {"id": cid, "score": 81.0, "decision": "decline", "band": "red"}

    def client(self, cid):
        return {"id": cid, "info": {"age": 41, "income": 90000.0}}

    def decisions(self, cid):
        return {"decisions": self._decisions}

    def explanation(self, cid, top=8):
        return {"contributions": [{"feature": "EXT_SOURCE_2", "sentence": "Score externe bas : augmente le risque",
                                   "contribution": 0.8, "direction": "raises"}]}

    def counterfactual(self, cid):
        return {"found": False}

    def health(self):
        return {"synthetic": self._synthetic}


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def _find(component, wanted: str):
    if getattr(component, "id", None) == wanted:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            found = _find(child, wanted)
            if found is not None:
                return found
    return None


def test_client_view_is_under_review_until_an_advisor_decides(monkeypatch):
    monkeypatch.setattr(share, "get_client", lambda: FakeApi())
    page = share.build("100002")
    decision = _find(page, "share-decision")
    assert decision.children == t("share.pending")
    text = _text(page)
    assert "Refusé" not in text and "✖" not in text  # the model declined, nobody decided: no refusal shown
    assert "Score externe bas" in text and t("share.improve_generic") in text  # reasons and what could help


def test_client_view_shows_the_advisors_decision_once_recorded(monkeypatch):
    recorded = [{"decision": "approve", "created_at": "2026-12-02T10:00:00+00:00", "advisor": "conseiller"}]
    monkeypatch.setattr(share, "get_client", lambda: FakeApi(decisions=recorded))
    decision = _find(share.build("100002"), "share-decision")
    assert "Accordé" in _text(decision) and "02/12/2026" in _text(decision)


def test_client_view_is_pending_when_the_decisions_cannot_be_read(monkeypatch):
    class Down(FakeApi):
        def decisions(self, cid):
            raise ServiceError("down")

    monkeypatch.setattr(share, "get_client", lambda: Down())
    assert _find(share.build("100002"), "share-decision").children == t("share.pending")


@pytest.mark.parametrize("synthetic", [True, False])
def test_printed_client_view_keeps_the_demo_data_notice(monkeypatch, synthetic):
    monkeypatch.setattr(share, "get_client", lambda: FakeApi(synthetic=synthetic))
    notice = _find(share.build("100002"), "share-synthetic")
    assert (notice is not None) == synthetic
    if synthetic:
        assert "print-only" in notice.className
        css = (REPO / "dash_app" / "assets" / "dashboard.css").read_text()
        printed = css[css.index("@media print"):]
        assert ".print-only { display: block" in printed[:printed.index("}\n}")]


def test_similar_clients_say_the_count_and_its_base():
    neighbours = [{"id": i, "outcome": o} for i, o in enumerate([1, 0, None, 0, 1, None, 0, 0, None, 0])]
    text = similar_rate_text(neighbours)
    assert "2 sur 7 clients dont l'issue est connue" in text and "10" in text and "%" not in text
    assert "aucun" in similar_rate_text([{"id": 1, "outcome": None}])
    children, _ = similar_children({"neighbours": neighbours, "default_rate": 2 / 7}, {})
    assert "29" not in _text(children) and "2 sur 7" in _text(children)


def test_filter_errors_say_in_french_what_is_wrong():
    assert filter_errors({"age_min": 30, "age_max": 50, "score_min": 0, "score_max": 100}) == []
    errors = filter_errors({"age_min": 150})
    assert errors == ["Âge minimum : 150 n'est pas possible, saisissez une valeur entre 18 et 100."]
    inverted = filter_errors({"score_min": 60, "score_max": 40})
    assert len(inverted) == 1 and "60" in inverted[0] and "40" in inverted[0] and "supérieur" in inverted[0]
    assert "au moins 0" in filter_errors({"income_min": -5})[0]
    assert "n'est pas un nombre" in filter_errors({"age_max": "abc"})[0]
    assert filter_errors({"q": "12a"}) == [t("clients.q_invalid")]
    assert all("invalid" not in e.lower() for e in filter_errors({"age_min": 200, "age_max": 10}))


def test_clients_state_round_trips_through_the_query_string():
    from urllib.parse import parse_qsl

    values = {"q": "1000", "age_min": 30, "age_max": None, "income_min": None, "income_max": None,
              "score_min": None, "score_max": 70.5, "contract_type": "Cash loans", "gender": ALL,
              "decision": "decline"}
    sort_by = [{"column_id": "decision_text", "direction": "desc"}]
    search = query_string(values, 2, sort_by)
    assert search.startswith("?") and "page=3" in search and "sort=-decision" in search
    state = state_from_query(dict(parse_qsl(search[1:])))
    assert state == {"values": values, "page": 2, "sort_by": sort_by}
    assert query_string({k: (ALL if k in ("contract_type", "gender", "decision") else None) for k in values},
                        0, []) == ""
    assert state_from_query({"decision": "bogus", "page": "x"})["values"]["decision"] == ALL


def test_sort_arrows_on_contract_and_decision_reach_the_service():
    assert sort_key([{"column_id": "contract_type", "direction": "asc"}]) == "contract_type"
    assert sort_key([{"column_id": "decision_text", "direction": "desc"}]) == "-decision"
    from model_service.schemas import ClientsQuery

    for key in ("contract_type", "-contract_type", "decision", "-decision"):
        assert ClientsQuery(sort=key).sort == key


def test_table_links_let_tab_leave_the_table():
    """The DataTable moves its own active cell on Tab (a keyboard trap); the page script stops it for links."""
    script = (REPO / "dash_app" / "assets" / "dashboard.js").read_text()
    rule = script[script.index('document.addEventListener("keydown"'):]
    assert 'event.key === "Tab"' in rule and "stopPropagation" in rule and "}, true);" in rule
