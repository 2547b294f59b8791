"""Callbacks of the client page: comparison feature change, what-if, advisor's decision and history refresh."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html, no_update
from flask_login import current_user

from dash_app.api_client import get_client
from dash_app.components import decision_badge, error_alert, graph, guarded
from dash_app.figures import gauge_figure
from dash_app.formatting import decision_text, fmt_float, fmt_score
from dash_app.i18n import t
from dash_app.views.client import POOL
from dash_app.views.client_data import WHATIF_FIELDS, validate_amounts, whatif_application
from dash_app.views.client_sections import comparison_children, history_children
from scoring.contract_decisions import REASON_MIN_LENGTH

MIN_REASON = REASON_MIN_LENGTH  # the contract's rule, the same as the service's


@callback(Output("client-compare-body", "children"), Input("client-compare-feature", "value"),
          State("client-data", "data"), State("client-neighbours", "data"), prevent_initial_call=True)
@guarded()
def show_comparison(feature, data, neighbours):
    if not feature or not data:
        return no_update
    return comparison_children(feature, get_client().population([feature], bins=30), data, neighbours)


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
    # The reference is the same file rescored unchanged, so that the difference is due to the edits only
    # (POST /predict has the application fields, not the client's credit history).
    reference_call = POOL.submit(api.predict, base, 1)
    result = api.predict(whatif_application(base, values), top=3)
    reference = float(reference_call.result()["score"])
    score, decision = float(result["score"]), result.get("decision")
    delta = score - reference
    text = t("client.whatif_result", score=fmt_score(score), decision=decision_text(decision),
             current=fmt_score(reference), delta=("+" if delta >= 0 else "−") + fmt_float(abs(delta), 1))
    note = None
    if data.get("score") is not None and abs(reference - float(data["score"])) > 1.0:
        note = html.P(t("client.whatif_note", stored=fmt_score(data["score"])), className="small")
    return html.Div([
        html.P([decision_badge(decision), " ", html.Span(text, id="client-whatif-text")], className="mb-1",
               **{"data-score": f"{score:.4f}", "data-decision": decision or "", "data-reference": f"{reference:.4f}"},
               id="client-whatif-summary"),
        note,
        graph("client-whatif-gauge", gauge_figure(score, decision, api.model()["bands"], height=200), alt=text),
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


@callback(Output("client-history", "children"), Input("client-decision-saved", "data"), State("client-data", "data"),
          prevent_initial_call=True)
@guarded()
def show_history(_saved, data):
    if not data:
        return no_update
    return history_children(get_client().decisions(data["id"]).get("decisions") or [])
