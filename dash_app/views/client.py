"""Layout of the client page (/client/<id>); its callbacks live in client_callbacks.py.

Every section is fetched concurrently while the layout is built (one round trip from
the browser); a section whose call fails shows its own message in words and the rest
of the page stays usable. Callbacks only serve interactions (comparison feature,
what-if, the advisor's decision).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app.api_client import ServiceError, get_client
from dash_app.components import decision_badge, error_alert, graph, labelled_input, section
from dash_app.figures import gauge_figure, points_waterfall_figure
from dash_app.formatting import fmt_float, fmt_pct, fmt_score, outcome_text, parse_client_id
from dash_app.i18n import band_legend, t
from dash_app.views.client_data import WHATIF_FIELDS, base_application, info_items, reason_sentences
from dash_app.views.client_sections import (
    comparison_children,
    counterfactual_children,
    history_children,
    similar_children,
)
from scoring.contract import BandItem, ClientOut, ExplanationOut, ModelOut, ScoreOut
from scoring.contract_decisions import DecisionsOut

POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="client-page")

EXPLAIN_TOP = 50  # the service's maximum: the comparison needs the client's value of the feature picked


def _back() -> dcc.Link:
    return dcc.Link("← " + t("back.clients"), href="/", className="d-inline-block mb-2")


def _score_section(score: ScoreOut, bands: list[BandItem]) -> html.Section:
    value, decision = score.score, score.decision
    alt = t("client.gauge_alt", score=fmt_score(value), decision=t(f"decision.{decision}"))
    return section(t("client.score"), [
        html.Div(
            [graph("client-gauge", gauge_figure(value, decision, bands), alt=alt),
             html.P(decision_badge(decision, "decision-lg"), id="client-decision", className="mb-2"),
             html.P(t("client.probability", p=fmt_pct(score.probability, 1)), className="score-text mb-1",
                    id="client-probability"),
             html.P(t("client.threshold", p=fmt_float(score.threshold, 3)), className="small text-muted-strong mb-1"),
             html.P(band_legend(bands), className="small text-muted-strong mb-0", id="client-band-legend"),
             html.P(["✋ ", t("client.oversight")], id="client-oversight", className="alert alert-info mt-2 mb-0 small")
             if score.all_to_advisor else None],
            id="client-score-summary",
            **{"data-score": f"{value:.4f}", "data-decision": decision, "data-band": score.band},
        ),
    ], section_id="client-score-section")


def _reasons_section(explanation: ExplanationOut | None, error: Exception | None) -> html.Section:
    if error is not None or explanation is None:
        return section(t("client.reasons"), [error_alert(error)], section_id="client-reasons")
    items = [html.Li(r.sentence, className=f"reason-{r.direction}") for r in reason_sentences(explanation)]
    return section(t("client.reasons"), [html.P(t("client.reasons_intro")), html.Ul(items, className="reasons")],
                   section_id="client-reasons")


def _waterfall_section(explanation: ExplanationOut | None) -> html.Section | None:
    if explanation is None:
        return None
    points = explanation.points
    first = points.reasons[0] if points.reasons else None
    alt = t("client.contrib_points_alt", base=fmt_score(points.base), score=fmt_score(points.score),
            label=first.label if first else "–",
            points=(("+" if first.points >= 0 else "−") + fmt_float(abs(first.points), 1)) if first else "–")
    return section(t("client.contrib_title"), [graph("client-waterfall", points_waterfall_figure(points), alt=alt)],
                   section_id="client-contributions")


def _info_section(client: ClientOut) -> html.Section:
    rows = []
    for label, value in info_items(client):
        rows += [html.Dt(label, className="col-sm-6"), html.Dd(value, className="col-sm-6")]
    extra = [html.P(t("client.known_outcome", outcome=outcome_text(client.known_outcome)),
                    className="small text-muted-strong")] if client.known_outcome is not None else []
    return section(t("client.info"), [html.Dl(rows, className="row info-list mb-1"), *extra],
                   section_id="client-info")


def _whatif_section(client: ClientOut) -> html.Section:
    fields = [dbc.Col(labelled_input(f"client-whatif-{key.replace('_', '-')}", t(f"field.{key}") + " (€)",
                                     type="number", min=1, step="any", value=client.info.get(key),
                                     inputMode="decimal"), md=6) for key in WHATIF_FIELDS]
    return section(t("client.whatif"), [
        html.P(t("client.whatif_intro")),
        dbc.Row(fields),
        dbc.Button(t("client.whatif_run"), id="client-whatif-run", color="primary", className="mb-2"),
        dcc.Loading(html.Div(id="client-whatif-result", role="status", **{"aria-live": "polite"}), type="dot"),
    ], section_id="client-whatif")


COMPARE_MAX = 20  # features in the picker: the ones that weigh most, not all 236 columns
#: never offered: document flags and codes mean nothing to a client; sex is not compared (protected attribute)
NOT_COMPARED_PREFIXES = ("FLAG_", "CODE_GENDER", "SK_ID")


def _by_weight(explanation: ExplanationOut | None):
    return sorted(explanation.contributions if explanation else [], key=lambda c: -abs(c.contribution))


def default_feature(model: ModelOut | None, explanation: ExplanationOut | None, known: set | None = None) -> str | None:
    """The feature that weighs most on this client's score, else the most important one overall."""
    options = [o for o in _feature_options(model, explanation, known) if not o.get("disabled")]
    names = {o["value"] for o in options}
    for c in _by_weight(explanation):
        if c.feature in names:
            return c.feature
    return options[0]["value"] if options else None


def _feature_options(model: ModelOut | None, explanation: ExplanationOut | None,
                     known: set | None = None) -> list[dict]:
    """The comparison picker: the most important features whose value for this client is known and that an
    advisor can explain (no flags or codes), grouped by theme (a disabled heading per group)."""
    if model is None:
        return []
    known = set(known or ()) | {c.feature for c in _by_weight(explanation)}
    features = [f for f in model.features if f.name in known and f.unit != "flag"
                and not f.name.startswith(NOT_COMPARED_PREFIXES)]
    order = {r.feature: i for i, r in enumerate(sorted(model.importance, key=lambda r: -r.importance))}
    features.sort(key=lambda f: (order.get(f.name, len(order)), f.label))
    groups: dict[str, list] = {}
    for f in features[:COMPARE_MAX]:
        groups.setdefault(f.group, []).append(f)
    options = []
    for group, members in groups.items():
        if len(groups) > 1:
            options.append({"label": f"— {group} —", "value": f"group:{group}", "disabled": True})
        options += [{"label": f.label, "value": f.name} for f in sorted(members, key=lambda f: f.label)]
    return options


def _compare_section(model, explanation, compare_body, similar_body, known=None) -> html.Section:
    options = _feature_options(model, explanation, known)
    default = default_feature(model, explanation, known)
    return section(t("client.compare"), [
        html.Div([dbc.Label(t("client.compare_feature"), html_for="client-compare-feature"),
                  dbc.Select(id="client-compare-feature", options=options, value=default)],
                 className="mb-2", style={"maxWidth": "32rem"}),
        dcc.Loading(html.Div(compare_body, id="client-compare-body"), type="dot"),
        html.H3(t("client.similar"), className="h6 mt-3"),
        html.Div(similar_body, id="client-similar-body"),
    ], section_id="client-compare")


def _decision_section(history) -> html.Section:
    return section(t("client.decision_title"), [
        html.Fieldset([
            html.Legend(t("client.decision_choice"), className="form-label fs-6 fw-semibold"),
            dbc.RadioItems(id="client-decision-choice", options=[
                {"label": t("client.decision_approve"), "value": "approve"},
                {"label": t("client.decision_decline"), "value": "decline"}], value=None),
            html.Div(id="client-decision-choice-error", className="invalid-msg", role="alert"),
        ], className="mb-2"),
        dbc.Label(t("client.decision_reason"), html_for="client-decision-reason"),
        dbc.Textarea(id="client-decision-reason", rows=3, maxLength=2000),
        dbc.FormText(t("client.decision_reason_help"), id="client-decision-reason-help"),
        html.Div(id="client-decision-reason-error", className="invalid-msg", role="alert"),
        dbc.Button(t("client.decision_save"), id="client-decision-save", color="primary", className="mt-2"),
        html.Div([html.P(id="client-decision-confirm-text", className="mb-2"),
                  dbc.Button(t("client.decision_confirm"), id="client-decision-confirm", color="warning")],
                 id="client-decision-confirm-box", hidden=True, className="alert alert-warning mt-2", role="alert"),
        html.Div(id="client-decision-feedback", className="mt-2", role="status", **{"aria-live": "polite"}),
        html.H3(t("client.history"), className="h6 mt-3"),
        dcc.Loading(html.Div(history, id="client-history"), type="dot"),
    ], section_id="client-advisor-decision")


def _latest(decisions: DecisionsOut | Exception) -> dict | None:
    """The latest recorded decision (newest first from the service), None without one or when unreadable."""
    if isinstance(decisions, Exception) or not decisions.decisions:
        return None
    return decisions.decisions[0].model_dump(include={"id", "decision", "created_at", "advisor"})


def _fetch_all(calls: dict) -> dict:
    """Run the service calls concurrently; each result is its answer or the exception it raised."""
    futures = {name: POOL.submit(fn) for name, fn in calls.items()}
    out = {}
    for name, future in futures.items():
        try:
            out[name] = future.result()
        except Exception as exc:  # noqa: BLE001 - each section shows its own failure in words
            out[name] = exc
    return out


def _or_alert(value, render):
    return error_alert(value) if isinstance(value, Exception) else render(value)


def build(client_id) -> html.Div:
    cid = parse_client_id(client_id)
    if cid is None:
        return html.Div([_back(), html.H1(t("client.title", id="?"), className="h3"),
                         dbc.Alert(t("error.bad_id", value=str(client_id)[:40]), color="danger")])
    api = get_client()
    got = _fetch_all({
        "score": lambda: api.score(cid), "client": lambda: api.client(cid),
        "explanation": lambda: api.explanation(cid, top=EXPLAIN_TOP), "model": api.model,
        "counterfactual": lambda: api.counterfactual(cid), "similar": lambda: api.similar(cid, k=10),
        "decisions": lambda: api.decisions(cid),
    })
    for core in ("score", "client"):
        if isinstance(got[core], Exception):
            return html.Div([_back(), html.H1(t("client.title", id=cid), className="h3"), error_alert(got[core])])
    score, client = got["score"], got["client"]
    explanation = None if isinstance(got["explanation"], Exception) else got["explanation"]
    model = None if isinstance(got["model"], ServiceError) else got["model"]
    labels = {f.name: f.label for f in model.features} if model else {}
    values = {k: v for k, v in client.application.items() if isinstance(v, (int, float, str))}
    values.update({c.feature: c.value for c in explanation.contributions} if explanation else {})
    store = {"id": cid, "score": score.score, "values": values, "labels": labels}
    if isinstance(got["similar"], Exception):
        similar_body, neighbours = error_alert(got["similar"]), []
    else:
        similar_body, neighbours = similar_children(got["similar"], labels)
    known = {k for k, v in values.items() if v is not None}
    feature = default_feature(model, explanation, known)
    compare_body = None
    if feature:
        try:
            compare_body = comparison_children(feature, api.population([feature], bins=30), store, neighbours)
        except ServiceError as exc:
            compare_body = error_alert(exc)
    history = _or_alert(got["decisions"], lambda d: history_children(d.decisions))
    counterfactual = _or_alert(got["counterfactual"], counterfactual_children)
    explain_error = got["explanation"] if isinstance(got["explanation"], Exception) else None
    return html.Div([
        dcc.Store(id="client-data", data=store),
        dcc.Store(id="client-application", data=base_application(client)),
        dcc.Store(id="client-neighbours", data=neighbours),
        dcc.Store(id="client-decision-saved"),
        dcc.Store(id="client-decision-last", data=_latest(got["decisions"])),
        html.Div([_back(), dcc.Link(t("client.share_link"), href=f"/client/{cid}/share",
                                    className="ms-3 d-inline-block mb-2", id="client-share-link")]),
        html.H1(t("client.title", id=cid), className="h3 mb-3"),
        dbc.Row([dbc.Col(_score_section(score, model.bands if model else []), lg=5),
                 dbc.Col(_reasons_section(explanation, explain_error), lg=7)]),
        _waterfall_section(explanation),
        dbc.Row([dbc.Col(_info_section(client), lg=5),
                 dbc.Col([section(t("client.counterfactual"), [html.Div(counterfactual, id="client-counterfactual")],
                                  section_id="client-counterfactual-section"),
                          _whatif_section(client)], lg=7)]),
        _compare_section(model, explanation, compare_body, similar_body, known),
        _decision_section(history),
    ])
