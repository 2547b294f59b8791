"""Callbacks of the client page: comparison feature change, what-if, advisor's decision and history refresh."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, html, no_update
from flask_login import current_user

from dash_app.api_client import ServiceError, get_client
from dash_app.components import error_alert, guarded
from dash_app.formatting import decision_text, fmt_date, fmt_float, fmt_score
from dash_app.i18n import t
from dash_app.views.client_data import WHATIF_FIELDS, changed_fields, contradicts, validate_amounts
from dash_app.views.client_sections import comparison_children, history_children
from scoring.contract import SimulateOut
from scoring.contract_decisions import REASON_MIN_LENGTH, DecisionOut

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
    application, data = args[len(WHATIF_FIELDS)], args[len(WHATIF_FIELDS) + 1]
    if not validate_amounts(values):
        return dbc.Alert(t("client.whatif_invalid"), color="danger", id="client-whatif-error")
    return whatif_children(get_client().simulate(data["id"], changed_fields(application, values)))


def whatif_children(answer: SimulateOut):
    """The simulated score beside the current one: a simulation, never a decision of its own."""
    current, simulated, delta = answer.current.score, answer.simulation.score, answer.score_change
    text = t("client.whatif_result", score=fmt_score(simulated), current=fmt_score(current),
             delta=("+" if delta >= 0 else "−") + fmt_float(abs(delta), 1))
    derived = [html.Li(f"{c.label} : {c.display_old} → {c.display_new}") for c in answer.changes + answer.derived]
    return html.Div([
        html.Dl([html.Dt(t("client.whatif_current")), html.Dd(fmt_score(current), id="client-whatif-current"),
                 html.Dt(t("client.whatif_simulated")), html.Dd(fmt_score(simulated), id="client-whatif-simulated")],
                className="whatif-scores mb-1"),
        html.P(text, id="client-whatif-text", className="mb-1",
               **{"data-score": f"{simulated:.4f}", "data-current": f"{current:.4f}"}),
        html.P(t("client.whatif_not_decision"), className="small text-muted-strong mb-1"),
        html.Details([html.Summary(t("client.whatif_derived")), html.Ul(derived, className="small mb-0")])
        if derived else None,
    ], id="client-whatif-summary")


def _last(decision: DecisionOut) -> dict:
    """What the page keeps of the latest decision (``client-decision-last``) to detect a contradiction."""
    return decision.model_dump(include={"id", "decision", "created_at", "advisor"})


def _ask(last: dict, choice: str) -> str:
    return t("client.decision_contradicts", advisor=last.get("advisor") or "–", date=fmt_date(last.get("created_at")),
             previous=decision_text(last.get("decision")), decision=decision_text(choice))


@callback(
    Output("client-decision-feedback", "children"), Output("client-decision-choice-error", "children"),
    Output("client-decision-reason-error", "children"), Output("client-decision-reason", "invalid"),
    Output("client-decision-saved", "data"), Output("client-decision-reason", "value"),
    Output("client-decision-confirm-box", "hidden"), Output("client-decision-confirm-text", "children"),
    Output("client-decision-last", "data"),
    Input("client-decision-save", "n_clicks"), Input("client-decision-confirm", "n_clicks"),
    State("client-decision-choice", "value"), State("client-decision-reason", "value"), State("client-data", "data"),
    State("client-decision-last", "data"), prevent_initial_call=True,
)
def save_decision(_n, _confirm, choice, reason, data, last):
    reason = (reason or "").strip()
    choice_error = t("client.decision_need_choice") if choice not in ("approve", "decline") else ""
    reason_error = t("client.decision_need_reason") if len(reason) < MIN_REASON else ""
    if choice_error or reason_error:
        return None, choice_error, reason_error, bool(reason_error), no_update, no_update, True, "", no_update
    confirmed = ctx.triggered_id == "client-decision-confirm"
    if contradicts(last, choice) and not confirmed:
        # a second, contradicting decision is a revision: the advisor confirms it first (nothing saved yet)
        return None, "", "", False, no_update, no_update, False, _ask(last, choice), no_update
    revises = last.get("id") if confirmed and contradicts(last, choice) else None
    try:
        saved = get_client().decide(data["id"], choice, reason, current_user.id, revises=revises)
    except ServiceError as exc:
        conflict = exc.detail if exc.status == 409 and isinstance(exc.detail, dict) else {}
        if conflict.get("latest"):  # decided meanwhile (another advisor): confirm again
            latest = _last(DecisionOut.model_validate(conflict["latest"]))
            return None, "", "", False, no_update, no_update, False, _ask(latest, choice), latest
        return error_alert(exc), "", "", False, no_update, no_update, True, "", no_update
    except Exception as exc:  # noqa: BLE001 - the form stays filled so that nothing is lost
        return error_alert(exc), "", "", False, no_update, no_update, True, "", no_update
    message = dbc.Alert(t("client.decision_saved", decision=decision_text(saved.decision)),
                        color="success", id="client-decision-ok")
    return message, "", "", False, saved.created_at, "", True, "", _last(saved)


@callback(Output("client-history", "children"), Input("client-decision-saved", "data"), State("client-data", "data"),
          prevent_initial_call=True)
@guarded()
def show_history(_saved, data):
    if not data:
        return no_update
    return history_children(get_client().decisions(data["id"]).decisions)
