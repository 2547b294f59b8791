"""Model page (/model): importance, ROC, calibration, metrics, cost curve with editable costs, fairness."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dash_app.api_client import ServiceError, get_client
from dash_app.components import error_alert, graph, guarded, labelled_input, section
from dash_app.figures import model as figures
from dash_app.formatting import fmt_date, fmt_float, fmt_int
from dash_app.i18n import t, value_label
from scoring.contract import Costs, FairnessOut, Metrics, Roc


def metric_label(name: str) -> str:
    return t(f"metric.{name}")


def _fmt_metric(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value_label(value)
    return fmt_int(value) if isinstance(value, int) or float(value).is_integer() and abs(value) > 1 else \
        fmt_float(value, 4)


def metrics_table(metrics: Metrics) -> dbc.Table:
    """One row per metric the service sends (the confusion matrix is in tn, fp, fn, tp)."""
    rows = {k: v for k, v in metrics.model_dump(exclude={"confusion_matrix"}).items() if v is not None}
    head = html.Thead(html.Tr([html.Th(t("col.feature"), scope="col"), html.Th(t("col.value"), scope="col")]))
    body = [html.Tr([html.Th(metric_label(k), scope="row"), html.Td(_fmt_metric(v))]) for k, v in rows.items()]
    return dbc.Table([head, html.Tbody(body)], bordered=True, striped=True, size="sm", id="model-metrics-table",
                     className="mb-0")


def _fairness_section() -> html.Section:
    try:
        fairness = get_client().fairness()
    except ServiceError as exc:
        if exc.not_found:  # a bundle trained without a fairness analysis
            return section(t("model.fairness"), [html.P(t("model.fairness_none"))], section_id="model-fairness")
        return section(t("model.fairness"), [error_alert(exc)], section_id="model-fairness")
    rows = figures.fairness_rows(fairness)
    metric = figures.FAIRNESS_METRICS[0]
    columns = ["count", *figures.FAIRNESS_METRICS]
    table = dbc.Table([
        html.Thead(html.Tr([html.Th(t("col.feature"), scope="col"), html.Th(t("model.group"), scope="col")] +
                           [html.Th(metric_label(c), scope="col") for c in columns])),
        html.Tbody([html.Tr([html.Td(value_label(r["attribute"])), html.Td(value_label(r["group"]))] +
                            [html.Td(_fmt_metric(r[c])) for c in columns]) for r in rows]),
    ], bordered=True, striped=True, size="sm", responsive=True, id="model-fairness-table")
    return section(t("model.fairness"), [
        graph("model-fairness-graph", figures.fairness_figure(rows, metric, metric_label(metric)),
              alt=t("model.fairness_alt", metric=metric_label(metric))),
        table, _gaps_table(fairness)], section_id="model-fairness")


GAPS = ("demographic_parity_difference", "equal_opportunity_difference", "tpr_difference")


def _gaps_table(fairness: FairnessOut):
    rows = [(name, gap, getattr(attribute, gap)) for name, attribute in fairness.attributes.items() for gap in GAPS]
    if not rows:
        return None
    return html.Div([html.H3(t("model.fairness_gaps"), className="h6 mt-3"), dbc.Table([
        html.Thead(html.Tr([html.Th(t("col.feature"), scope="col"), html.Th(t("model.gap"), scope="col"),
                            html.Th(t("col.value"), scope="col"), html.Th(t("model.ci"), scope="col")])),
        html.Tbody([html.Tr([html.Td(value_label(name)), html.Td(t(f"model.gap.{gap}")), html.Td(_fmt_metric(g.value)),
                             html.Td(f"{_fmt_metric(g.ci_low)} – {_fmt_metric(g.ci_high)}"
                                     if g.ci_low is not None else "–")])
                    for name, gap, g in rows]),
    ], bordered=True, striped=True, size="sm", responsive=True, id="model-fairness-gaps")])


def build() -> html.Div:
    try:
        model = get_client().model()
    except ServiceError as exc:
        return html.Div([html.H1(t("model.title"), className="h3"), error_alert(exc)])
    metrics, importance, costs = model.metrics, model.importance, model.costs
    top_label = max(importance, key=lambda r: r.importance).label if importance else "–"
    cost_inputs = dbc.Row([
        dbc.Col(labelled_input("model-cost-fn", t("model.cost_fn"), type="number", min=0, step="any",
                               value=costs.fn, debounce=0.4), md=6),
        dbc.Col(labelled_input("model-cost-fp", t("model.cost_fp"), type="number", min=0, step="any",
                               value=costs.fp, debounce=0.4), md=6),
    ])
    return html.Div([
        dcc.Store(id="model-data", data={"roc": model.roc.model_dump(), "default_rate": metrics.default_rate,
                                         "threshold": model.threshold, "costs": costs.model_dump()}),
        html.H1(t("model.title"), className="h3 mb-1"),
        html.P([t("model.version", version=model.model_version, created=fmt_date(model.created)),
                " ", dcc.Link(t("model.card_link"), href="/model/card", id="model-card-link")]),
        dbc.Row([
            dbc.Col(section(t("model.metrics"), [metrics_table(metrics)], section_id="model-metrics"), lg=5),
            dbc.Col(section(t("model.importance"), [graph(
                "model-importance", figures.importance_figure(importance),
                alt=t("model.importance_alt", n=min(15, len(importance)), label=top_label))],
                section_id="model-importance-section"), lg=7),
        ]),
        dbc.Row([
            dbc.Col(section(t("model.roc"), [graph("model-roc", figures.roc_figure(model.roc, metrics.auc),
                                                   alt=t("model.roc_alt", auc=fmt_float(metrics.auc, 3)))]), lg=6),
            dbc.Col(section(t("model.calibration"), [graph(
                "model-calibration", figures.calibration_figure(model.calibration),
                alt=t("model.calibration_alt", brier=fmt_float(model.calibration.brier, 4)))]), lg=6),
        ]),
        section(t("model.cost"), [cost_inputs, html.Div(id="model-cost-body")], section_id="model-cost"),
        _fairness_section(),
    ])


@callback(Output("model-cost-body", "children"), Input("model-cost-fn", "value"), Input("model-cost-fp", "value"),
          State("model-data", "data"))
@guarded()
def update_cost(fn_cost, fp_cost, data):
    if not isinstance(fn_cost, (int, float)) or not isinstance(fp_cost, (int, float)) or fn_cost < 0 or fp_cost < 0 \
            or fn_cost + fp_cost == 0:
        return dbc.Alert(t("model.cost_invalid"), color="danger")
    curve = figures.cost_curve_for(Roc.model_validate(data["roc"]), data["default_rate"], float(fn_cost), float(fp_cost))
    if Costs.model_validate(data["costs"]) == Costs(fn=fn_cost, fp=fp_cost):
        curve = figures.at_threshold_in_use(curve, data["threshold"])
    best = curve["best_threshold"]
    text = t("model.cost_best", t=fmt_float(best, 3), cost=fmt_float(curve["best_cost"], 4),
             current=fmt_float(data["threshold"], 3))
    return html.Div([html.P(text, id="model-cost-best", role="status", **{"aria-live": "polite"}),
                     graph("model-cost-graph", figures.cost_curve_figure(curve, data["threshold"]),
                           alt=t("model.cost_alt", t=fmt_float(best, 3)))])
