"""Printable page for the client (RGPD): the decision, its main reasons in plain words, what could
improve the outcome and the client's own information. Nothing about other clients, no score
internals (probability, threshold, model version)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, clientside_callback, dcc, html

from dash_app.api_client import ServiceError, get_client
from dash_app.components import decision_badge, error_alert
from dash_app.formatting import fmt_date, parse_client_id
from dash_app.i18n import t
from dash_app.views.client_data import INFO_ORDER, counterfactual_text, info_items, reason_sentences


def advisor_decision(api, cid: int) -> tuple[str | None, str | None]:
    """The advisor's latest recorded decision and its date, or (None, None) while nobody has decided.

    The model's own answer is never shown here: until an advisor decides, the application is under review
    (GDPR Art. 22 — no refusal without a person)."""
    try:
        decisions = api.decisions(cid).decisions
    except ServiceError:
        return None, None
    if decisions:
        return decisions[0].decision, decisions[0].created_at
    return None, None


def _synthetic_notice(api):
    """The demo-data notice, inside the page so that it is printed too (the header banner is not)."""
    try:
        synthetic = api.health().synthetic
    except ServiceError:
        synthetic = False
    return html.P(["⚠ ", t("banner.synthetic")], id="share-synthetic", className="alert alert-warning print-only",
                  role="note") if synthetic else None


def build(client_id) -> html.Div:
    cid = parse_client_id(client_id)
    if cid is None:
        return dbc.Alert(t("error.bad_id", value=str(client_id)[:40]), color="danger")
    api = get_client()
    try:
        client = api.client(cid)
    except ServiceError as exc:
        return html.Div([html.H1(t("share.title"), className="h3"), error_alert(exc)])
    decision, decided_at = advisor_decision(api, cid)
    if decision is None:
        decision_block = html.P(t("share.pending"), className="fs-5", id="share-decision",
                                **{"data-decision": "pending"})
    else:
        decision_block = html.P([decision_badge(decision, "decision-lg"),
                                 html.Span(f" ({fmt_date(decided_at)})" if decided_at else "", className="ms-2")],
                                id="share-decision")
    try:
        explanation = api.explanation(cid, top=10)
        # the reasons that pushed towards the outcome first (risk-raising ones unless the advisor approved)
        first = "lowers" if decision == "approve" else "raises"
        ordered = reason_sentences(explanation, top=4, direction=first)
        ordered += [c for c in reason_sentences(explanation, top=8) if c not in ordered][:4 - len(ordered)]
        reasons = html.Ul([html.Li(r.sentence) for r in ordered], id="share-reasons")
    except ServiceError as exc:
        reasons = error_alert(exc)
    try:
        cf = api.counterfactual(cid)
        improve = [html.P(counterfactual_text(cf), id="share-improve")] if cf.found else []
    except ServiceError:
        improve = []
    if decision != "approve":
        improve.append(html.P(t("share.improve_generic")))
    rows = []
    for label, value in info_items(client, only=INFO_ORDER):
        rows += [html.Dt(label, className="col-sm-5"), html.Dd(value, className="col-sm-7")]
    return html.Div([
        dcc.Link("← " + t("client.title", id=cid), href=f"/client/{cid}", className="no-print d-inline-block mb-2"),
        html.H1(t("share.title"), className="h3 mb-3"),
        _synthetic_notice(api),
        html.Section([html.H2(t("share.decision"), className="h5"), decision_block], className="card card-body mb-3"),
        html.Section([html.H2(t("share.reasons"), className="h5"), reasons], className="card card-body mb-3"),
        html.Section([html.H2(t("share.improve"), className="h5"), *improve], className="card card-body mb-3")
        if decision != "approve" else None,
        html.Section([html.H2(t("share.info"), className="h5"), html.Dl(rows, className="row info-list mb-0")],
                     className="card card-body mb-3"),
        html.P(t("share.note"), className="small"),
        dbc.Button(t("share.print"), id="share-print", color="primary", className="no-print"),
        html.Span(id="share-print-done", hidden=True),
    ], className="share-page")


clientside_callback(ClientsideFunction(namespace="ui", function_name="print"),
                    Output("share-print-done", "children"), Input("share-print", "n_clicks"),
                    prevent_initial_call=True)
