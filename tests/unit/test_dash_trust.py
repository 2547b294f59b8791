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
from tests.answers import answer, changed

REPO = Path(__file__).resolve().parents[2]


class FakeApi:
    """The real service's answers the client view needs (a client the model declines)."""

    def __init__(self, decisions=(), synthetic=True):
        self._decisions = list(decisions)
        self._synthetic = synthetic

    def score(self, cid):
        return answer("score")

    def client(self, cid):
        return answer("client")

    def decisions(self, cid):
        return changed(answer("decisions"), decisions=self._decisions, total=len(self._decisions))

    def explanation(self, cid, top=8):
        return answer("explanation")

    def counterfactual(self, cid):
        return answer("counterfactual")

    def health(self):
        return changed(answer("health"), synthetic=self._synthetic)


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
    assert answer("score").decision == "decline"
    monkeypatch.setattr(share, "get_client", lambda: FakeApi())
    page = share.build("100002")
    decision = _find(page, "share-decision")
    assert decision.children == t("share.pending")
    text = _text(page)
    assert "Refusé" not in text and "✖" not in text  # the model declined, nobody decided: no refusal shown
    reason = answer("explanation").points.reasons[0].sentence
    assert json.dumps(reason, ensure_ascii=False)[1:-1] in text and t("share.improve_generic") in text


def test_client_view_shows_the_advisors_decision_once_recorded(monkeypatch):
    recorded = [changed(answer("decision"), created_at="2026-12-02T10:00:00+00:00")]
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
    similar = answer("similar")
    neighbours = [changed(n, outcome=o) for n, o in zip(similar.neighbours, [1, 0, None, 0, 1, None, 0, 0, None, 0],
                                                        strict=True)]
    text = similar_rate_text(neighbours)
    assert "2 sur 7 clients dont l'issue est connue" in text and "10" in text and "%" not in text
    assert "aucun" in similar_rate_text([changed(similar.neighbours[0], outcome=None)])
    children, _ = similar_children(changed(similar, neighbours=neighbours, default_rate=2 / 7), {})
    rate = _find(children, "client-similar-rate").children
    assert "2 sur 7" in rate and "%" not in rate


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
              "decision": "decline", "advisor_decision": "none"}
    sort_by = [{"column_id": "decision_text", "direction": "desc"}]
    search = query_string(values, 2, sort_by)
    assert search.startswith("?") and "page=3" in search and "sort=-decision" in search
    state = state_from_query(dict(parse_qsl(search[1:])))
    assert state == {"values": values, "page": 2, "sort_by": sort_by}
    assert "advisor_decision=none" in search
    assert query_string({k: (ALL if k in ("contract_type", "gender", "decision", "advisor_decision") else None)
                         for k in values},
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


def test_a_contradicting_decision_asks_for_confirmation():
    from dash_app.views.client_data import contradicts

    assert not contradicts(None, "decline")  # the first decision
    assert not contradicts({"decision": "decline"}, "decline")  # the same again
    assert contradicts({"decision": "approve"}, "decline") and contradicts({"decision": "decline"}, "approve")
    assert not contradicts({"decision": "approve"}, None)


def _points():
    """The real answer's points, with round numbers: base 30, four reasons, the rest, score 57.8."""
    points = answer("explanation").points
    reasons = [changed(r, points=p, sentence=f"phrase {i}", direction="raises" if p > 0 else "lowers")
               for i, (r, p) in enumerate(zip(points.reasons, [15.0, 9.0, 8.0, -2.0], strict=True))]
    return changed(points, base=30.0, score=57.8, other_points=-2.2, other_count=231, reasons=reasons)


def test_contribution_chart_is_in_score_points_and_adds_up_to_the_gauge():
    from dash_app.figures import points_waterfall_figure

    trace = points_waterfall_figure(_points()).data[0]
    relative = [x for x, m in zip(trace.x, trace.measure, strict=True) if m == "relative"]
    assert trace.x[0] == 30.0 and trace.x[-1] == 57.8 and trace.measure[-1] == "total"
    assert 30.0 + sum(relative) == pytest.approx(57.8)  # the bars add up to the number on the gauge
    assert len(relative) == 5 and "231" in trace.y[-2]  # 4 named reasons + the rest grouped
    assert all("pt" in text for text in trace.text[1:-1])


def test_at_most_four_principal_reasons():
    from dash_app.views.client_data import reason_sentences

    explanation = changed(answer("explanation"), points=_points())
    assert [r.sentence for r in reason_sentences(explanation)] == [f"phrase {i}" for i in range(4)]
    assert len(reason_sentences(explanation, top=8)) == 4
    assert [r.sentence for r in reason_sentences(explanation, direction="lowers")] == ["phrase 3"]
    with pytest.raises(ValueError, match="at most 4"):  # the contract itself: never more than 4 reasons
        changed(explanation.points, reasons=[*explanation.points.reasons, explanation.points.reasons[0]])


def test_stop_switch_is_shown_on_every_page():
    from dash_app.layout import oversight_banner

    oversight = answer("health").oversight
    assert oversight_banner(oversight) is None and not oversight.all_to_advisor
    banner = oversight_banner(changed(oversight, all_to_advisor=True, source="admin",
                                      message="Décision du comité des risques."))
    assert banner.id == "app-banner-oversight" and "Décision du comité des risques." in _text(banner)
    assert t("banner.oversight") in _text(banner)


def test_comparison_plot_is_in_years_not_negative_days():
    from dash_app.figures import population_figure

    info = changed(answer("population").features["DAYS_BIRTH"], edges=[-25000.0, -20000.0, -15000.0, -10000.0],
                   repaid=[1, 2, 3], default=[3, 2, 1])
    assert info.unit == "years"
    fig = population_figure(info, -13474.0, "Âge", [{"value": -20000.0}], name="DAYS_BIRTH")
    bars = fig.data[0]
    assert all(18 < x < 70 for x in bars.x) and list(bars.x) == sorted(bars.x)  # years, youngest first
    assert list(fig.data[0].y) == pytest.approx([50.0, 100 / 3, 50 / 3])  # counts follow their reversed bins
    assert fig.layout.shapes[0].x0 == pytest.approx(13474 / 365.25)
    assert "36,9" in fig.layout.annotations[0].text and "ans" in fig.layout.annotations[0].text
    assert "années" in fig.layout.xaxis.title.text and fig.data[2].x[0] == pytest.approx(20000 / 365.25)
    share = population_figure(changed(info, unit="share", edges=[0.0, 0.5, 1.0], repaid=[1, 1], default=[1, 1]),
                              0.25, "Part", name="APP_ANNUITY_INCOME_RATIO")
    assert list(share.data[0].x) == [25.0, 75.0] and "%" in share.layout.xaxis.ticksuffix


def test_comparison_picker_offers_grouped_features_an_advisor_understands():
    from dash_app.views.client import _feature_options, default_feature

    real = answer("model")
    feature, ranked = real.features[0], real.importance[0]
    features = [changed(feature, name=f"F{i}", label=f"Variable {i}", unit="money", type="numeric", levels=None,
                        group="Demande de crédit" if i % 2 else "Demandes antérieures") for i in range(40)]
    features += [changed(feature, name="FLAG_DOCUMENT_8", label="Justificatif n° 8", unit="flag"),
                 changed(feature, name="CODE_GENDER", label="Sexe", unit="category")]
    importance = [changed(ranked, feature="FLAG_DOCUMENT_8", importance=99),
                  changed(ranked, feature="CODE_GENDER", importance=98)]
    importance += [changed(ranked, feature=f"F{i}", importance=50 - i) for i in range(40)]
    model = changed(real, features=features, importance=importance)
    known = {f"F{i}" for i in range(0, 40, 1) if i != 3} | {"FLAG_DOCUMENT_8", "CODE_GENDER"}
    options = _feature_options(model, None, known)
    features = [o["value"] for o in options if not o.get("disabled")]
    assert len(features) == 20 and "F3" not in features  # the top 20 whose value is known, not 42 columns
    assert "FLAG_DOCUMENT_8" not in features and "CODE_GENDER" not in features
    assert options[0].get("disabled") and options[0]["label"] == "— Demandes antérieures —"  # grouped
    assert all(o["label"].strip() for o in options)  # no blank option
    assert default_feature(model, None, known) in features


def test_counterfactual_states_the_levers_and_the_lenders_bounds():
    from dash_app.views.client_sections import counterfactual_children

    real = answer("counterfactual")
    change = real.closest.changes[0]
    changes = [changed(change, field="AMT_CREDIT", label="Montant du crédit", display_old="250 000 €",
                       display_new="180 000 €", to_verify=False, derived=False),
               changed(change, field="AMT_INCOME_TOTAL", label="Revenu annuel", display_old="30 000 €",
                       display_new="36 000 €", to_verify=True, derived=False),
               changed(change, field="APP_CREDIT_TERM", label="Durée", display_old="20", display_new="25",
                       derived=True, to_verify=False)]
    cf = changed(real, found=True, message="Avec un montant de 180 000 €, la demande passerait sous le seuil.",
                 bounds_text="montant jusqu'à la moitié, durée jusqu'à 30 ans", changes=changes,
                 new_score=real.current)
    text = _text(counterfactual_children(cf))
    assert "250 000 € → 180 000 €" in text and "déclaration à vérifier" in text
    assert "Limites du prêteur" in text and "moitié" in text and "APP_CREDIT_TERM" not in text


def test_whatif_is_shown_as_a_simulation_beside_the_current_score():
    from dash_app.views.client_callbacks import whatif_children
    from dash_app.views.client_data import changed_fields

    base = {"AMT_CREDIT": 250000.0, "AMT_ANNUITY": 12000.0, "AMT_INCOME_TOTAL": 90000.0, "AMT_GOODS_PRICE": 225000.0}
    assert changed_fields(base, {"credit": 250000, "annuity": 12000, "income": 90000, "goods_price": 225000}) == {}
    assert changed_fields(base, {"credit": 180000, "annuity": 12000}) == {"AMT_CREDIT": 180000.0}
    real = answer("simulate")
    shown = whatif_children(changed(real, current=changed(real.current, score=57.8, decision="decline"),
                                    simulation=changed(real.simulation, score=50.4, decision="review"),
                                    score_change=-7.4))
    text = _text(shown)
    assert "Score simulé" in text and "57,8" in text and "50,4" in text and "−7,4" in text
    assert "decision-" not in text and "✖" not in text and "✔" not in text  # never a decision icon of its own


def test_clients_list_shows_the_advisors_latest_decision():
    from dash_app.views.clients_table import row as _row

    item = answer("clients").items[0]
    row = _row(changed(item, advisor_decision={"decision": "approve", "advisor": "a.martin",
                                               "created_at": "2026-12-02T10:00:00Z"}))
    assert row["advisor_text"] == "Accordé – a.martin, 02/12/2026 10:00"
    assert _row(changed(item, advisor_decision=None))["advisor_text"] == "–"
