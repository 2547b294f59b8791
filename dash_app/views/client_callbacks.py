"""Callbacks of the client page: comparison, similar clients, counterfactual, what-if, decision."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dash_table, html, no_update
from flask_login import current_user

from dash_app.api_client import get_client
from dash_app.components import decision_badge, error_alert, graph, guarded
from dash_app.figures import gauge_figure, population_figure
from dash_app.formatting import decision_text, fmt_date, fmt_float, fmt_int, fmt_pct, fmt_score, outcome_text
from dash_app.i18n import t, value_label
from dash_app.views.client_data import WHATIF_FIELDS, counterfactual_text, validate_amounts, whatif_application

MIN_REASON = 10
FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@callback(Output("client-counterfactual", "children"), Input("client-data", "data"))
@guarded()
def show_counterfactual(data):
    if not data:
        return no_update
    cf = get_client().counterfactual(data["id"])
    return html.P(counterfactual_text(cf), id="client-counterfactual-text", className="mb-0 fw-semibold")


@callback(Output("client-similar-body", "children"), Output("client-neighbours", "data"),
          Input("client-data", "data"))
@guarded(None)
def show_similar(data):
    if not data:
        return no_update, no_update
    answer = get_client().similar(data["id"], k=10)
    neighbours = answer.get("neighbours") or []
    rate = answer.get("default_rate")
    keys = [k for k in (answer.get("features") or []) if any(k in n for n in neighbours)][:4]
    labels = (data.get("labels") or {})
    columns = [{"id": "link", "name": t("col.id"), "presentation": "markdown"},
               {"id": "score", "name": t("col.score")}, {"id": "decision", "name": t("col.decision")},
               {"id": "outcome", "name": t("col.outcome")}] + \
              [{"id": k, "name": labels.get(k) or k} for k in keys]
    rows = []
    for n in neighbours:
        row = {"link": f"[{n.get('id')}](/client/{n.get('id')})", "score": fmt_score(n.get("score")),
               "decision": decision_text(n.get("decision")), "outcome": outcome_text(n.get("outcome"))}
        for k in keys:
            v = n.get(k)
            row[k] = fmt_float(v, 2) if isinstance(v, float) else value_label(v)
        rows.append(row)
    text = t("client.similar_rate", k=len(neighbours), rate=fmt_pct(rate, 0)) if rate is not None else ""
    table = dash_table.DataTable(id="client-similar-table", columns=columns, data=rows, cell_selectable=False,
                                 markdown_options={"link_target": "_self"}, style_table={"overflowX": "auto"},
                                 style_header={"backgroundColor": "#e9ecef", "color": "#1a1a1a", "fontWeight": "700"},
                                 style_cell={"fontFamily": FONT_STACK, "color": "#1a1a1a", "textAlign": "left",
                                             "padding": "4px 8px"})
    return html.Div([html.P(text, id="client-similar-rate"), table]), neighbours


@callback(Output("client-compare-body", "children"), Input("client-compare-feature", "value"),
          State("client-data", "data"), State("client-neighbours", "data"))
@guarded()
def show_comparison(feature, data, neighbours):
    if not feature or not data:
        return no_update
    answer = get_client().population([feature], bins=30)
    info = (answer.get("features") or {}).get(feature)
    if not info:
        return html.P(t("model.fairness_none"))
    label = (data.get("labels") or {}).get(feature) or info.get("label") or feature
    value = (data.get("values") or {}).get(feature)
    marks = [{"value": n.get(feature)} for n in neighbours or [] if n.get(feature) is not None]
    shown = value_label(value) if not isinstance(value, float) else fmt_float(value, 2)
    alt = t("client.compare_alt", label=label, value=shown if value is not None else "–")
    children = [graph("client-compare-graph", population_figure(info, value, label, marks), alt=alt)]
    if value is None:
        children.append(html.P(t("client.compare_missing"), className="small"))
    return html.Div(children)


@callback(Output("client-whatif-result", "children"), Input("client-whatif-run", "n_clicks"),
          *[State(f"client-whatif-{key.replace('_', '-')}", "value") for key in WHATIF_FIELDS],
          State("client-application", "data"), State("client-data", "data"), prevent_initial_call=True)
@guarded()
def run_whatif(_n, *args):
    values = dict(zip(WHATIF_FIELDS, args[:len(WHATIF_FIELDS)], strict=False))
    stored, data = args[len(WHATIF_FIELDS)], args[len(WHATIF_FIELDS) + 1]
    if not stored or not stored.get("application"):
        return dbc.Alert(t("client.whatif_noraw"), color="warning")
    if not validate_amounts(values):
        return dbc.Alert(t("client.whatif_invalid"), color="danger", id="client-whatif-error")
    api = get_client()
    base = stored["application"]
    reference = data.get("score") if stored.get("exact") else api.predict(base, top=0).get("score")
    result = api.predict(whatif_application(base, values), top=3)
    score, decision = float(result["score"]), result.get("decision")
    delta = score - float(reference)
    text = t("client.whatif_result", score=fmt_score(score), decision=decision_text(decision),
             current=fmt_score(reference), delta=("+" if delta >= 0 else "−") + fmt_float(abs(delta), 1))
    return html.Div([
        html.P([decision_badge(decision), " ", html.Span(text, id="client-whatif-text")], className="mb-1",
               **{"data-score": f"{score:.4f}", "data-decision": decision or ""}, id="client-whatif-summary"),
        graph("client-whatif-gauge", gauge_figure(score, decision, height=200), alt=text),
    ])


@callback(
    Output("client-decision-feedback", "children"), Output("client-decision-choice-error", "children"),
    Output("client-decision-reason-error", "children"), Output("client-decision-reason", "invalid"),
    Output("client-decision-saved", "data"), Output("client-decision-reason", "value"),
    Input("client-decision-save", "n_clicks"), State("client-decision-choice", "value"),
    State("client-decision-reason", "value"), State("client-data", "data"), prevent_initial_call=True,
)
def save_decision(_n, choice, reason, data):
    reason = (reason or "").strip()
    choice_error = t("client.decision_need_choice") if choice not in ("approve", "decline") else ""
    reason_error = t("client.decision_need_reason") if len(reason) < MIN_REASON else ""
    if choice_error or reason_error:
        return None, choice_error, reason_error, bool(reason_error), no_update, no_update
    try:
        saved = get_client().decide(data["id"], choice, reason, current_user.id)
    except Exception as exc:  # noqa: BLE001 - the form stays filled so that nothing is lost
        return error_alert(exc), "", "", False, no_update, no_update
    message = dbc.Alert(t("client.decision_saved", decision=decision_text(saved.get("decision", choice))),
                        color="success", id="client-decision-ok")
    return message, "", "", False, saved.get("created_at") or saved.get("id"), ""


@callback(Output("client-history", "children"), Input("client-data", "data"), Input("client-decision-saved", "data"))
@guarded()
def show_history(data, _saved):
    if not data:
        return no_update
    decisions = get_client().decisions(data["id"]).get("decisions") or []
    if not decisions:
        return html.P(t("client.history_none"), id="client-history-empty")
    items = [html.Li([decision_badge(d.get("decision")), " ",
                      t("client.history_item", date=fmt_date(d.get("created_at")), advisor=d.get("advisor") or "–",
                        decision=decision_text(d.get("decision")), model_decision=decision_text(d.get("model_decision")),
                        score=fmt_score(d.get("model_score")), reason=d.get("reason") or "–")],
                     className="history-item") for d in decisions]
    return html.Ol(items, className="history list-unstyled mb-0", id="client-history-list",
                   **{"data-count": fmt_int(len(decisions))})
