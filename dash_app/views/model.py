"""Model page (/model): importance, ROC, calibration, metrics, cost curve with editable costs, fairness."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dash_app.api_client import ServiceError, get_client
from dash_app.components import error_alert, graph, guarded, labelled_input, section
from dash_app.figures import (
    calibration_figure,
    cost_curve_figure,
    cost_curve_for,
    fairness_figure,
    fairness_rows,
    importance_figure,
    roc_figure,
)
from dash_app.figures.model import at_threshold_in_use, fairness_metric
from dash_app.formatting import fmt_date, fmt_float, fmt_int
from dash_app.i18n import t, value_label

METRIC_LABELS = {
    "auc": "AUC ROC", "roc_auc": "AUC ROC", "pr_auc": "AUC précision-rappel", "average_precision": "Précision moyenne",
    "brier": "Score de Brier", "log_loss": "Perte logarithmique", "accuracy": "Exactitude", "precision": "Précision",
    "recall": "Rappel", "f1": "F1", "business_cost": "Coût métier moyen", "cost": "Coût métier moyen",
    "default_rate": "Taux de défaut", "refusal_rate": "Taux de refus", "approval_rate": "Taux d'acceptation",
    "n": "Nombre de clients", "count": "Nombre de clients", "defaults": "Défauts",
    "mean_probability": "Probabilité moyenne", "mean_score": "Score moyen", "tpr": "Défauts détectés (TPR)",
    "fpr": "Bons clients refusés (FPR)", "accept_all_cost": "Coût si tout est accepté",
    "tn": "Vrais négatifs", "fp": "Faux positifs (bons clients refusés)", "fn": "Faux négatifs (défauts acceptés)",
    "tp": "Vrais positifs (défauts refusés)", "cv_auc": "AUC ROC (validation croisée)",
    "cv_auc_std": "Écart-type de l'AUC (validation croisée)", "auc_pooled_raw": "AUC ROC avant calibration",
    "brier_raw": "Score de Brier avant calibration", "source": "Prédictions évaluées", "threshold": "Seuil", "ks": "Kolmogorov-Smirnov", "gini": "Gini",
    "honest_auc": "AUC ROC, estimation honnête", "honest_auc_std": "Écart-type de l'AUC, estimation honnête",
    "honest_business_cost": "Coût métier moyen, estimation honnête (seuil choisi sans les clients évalués)",
    "honest_business_cost_std": "Écart-type du coût métier, estimation honnête",
}


def _fmt_metric(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value_label(value)
    return fmt_int(value) if isinstance(value, int) or float(value).is_integer() and abs(value) > 1 else \
        fmt_float(value, 4)


def metrics_table(metrics: dict) -> dbc.Table:
    """Flat metrics -> one column; ``{split: {metric: value}}`` -> one column per split."""
    nested = {k: v for k, v in metrics.items() if isinstance(v, dict)}
    flat = {k: v for k, v in metrics.items() if not isinstance(v, (dict, list))}
    if nested:
        names = sorted({m for v in nested.values() for m, x in v.items() if not isinstance(x, (dict, list))})
        head = html.Thead(html.Tr([html.Th(t("col.feature"), scope="col")] +
                                  [html.Th(value_label(s), scope="col") for s in nested]))
        body = [html.Tr([html.Th(METRIC_LABELS.get(m, m), scope="row")] +
                        [html.Td(_fmt_metric(nested[s].get(m)) if m in nested[s] else "–") for s in nested])
                for m in names]
        body += [html.Tr([html.Th(METRIC_LABELS.get(k, k), scope="row"), html.Td(_fmt_metric(v),
                                                                                 colSpan=len(nested))])
                 for k, v in flat.items()]
    else:
        head = html.Thead(html.Tr([html.Th(t("col.feature"), scope="col"), html.Th(t("col.value"), scope="col")]))
        body = [html.Tr([html.Th(METRIC_LABELS.get(k, k), scope="row"), html.Td(_fmt_metric(v))])
                for k, v in flat.items()]
    return dbc.Table([head, html.Tbody(body)], bordered=True, striped=True, size="sm", id="model-metrics-table",
                     className="mb-0")


def _fairness_section() -> html.Section:
    try:
        payload = get_client().fairness()
        rows = fairness_rows(payload)
    except ServiceError as exc:
        return section(t("model.fairness"), [error_alert(exc)], section_id="model-fairness")
    if not rows:
        return section(t("model.fairness"), [html.P(t("model.fairness_none"))], section_id="model-fairness")
    metric = fairness_metric(rows)
    columns = [k for k in rows[0] if k not in ("attribute", "group")]
    table = dbc.Table([
        html.Thead(html.Tr([html.Th(t("col.feature"), scope="col"), html.Th(t("model.group"), scope="col")] +
                           [html.Th(METRIC_LABELS.get(c, c), scope="col") for c in columns])),
        html.Tbody([html.Tr([html.Td(value_label(r.get("attribute"))), html.Td(value_label(r.get("group")))] +
                            [html.Td(_fmt_metric(r.get(c))) for c in columns]) for r in rows]),
    ], bordered=True, striped=True, size="sm", responsive=True, id="model-fairness-table")
    return section(t("model.fairness"), [
        graph("model-fairness-graph", fairness_figure(rows, metric, METRIC_LABELS.get(metric or "", metric)),
              alt=t("model.fairness_alt", metric=METRIC_LABELS.get(metric or "", metric or "–"))),
        table, _gaps_table(payload)], section_id="model-fairness")


def fairness_gaps(payload) -> list[dict]:
    """``{"attribute", "gap", "value", "ci_low", "ci_high"}`` from ``attributes.<name>.<gap>`` entries."""
    attributes = payload.get("attributes") if isinstance(payload, dict) else None
    out = []
    for name, attr in (attributes or {}).items():
        for key, value in (attr or {}).items() if isinstance(attr, dict) else ():
            if isinstance(value, dict) and "value" in value:
                out.append({"attribute": name, "gap": key, **{k: value.get(k) for k in ("value", "ci_low", "ci_high")}})
    return out


def _gaps_table(payload):
    gaps = fairness_gaps(payload)
    if not gaps:
        return None
    ci = [f"{_fmt_metric(g['ci_low'])} – {_fmt_metric(g['ci_high'])}" if g["ci_low"] is not None else "–"
          for g in gaps]
    return html.Div([html.H3(t("model.fairness_gaps"), className="h6 mt-3"), dbc.Table([
        html.Thead(html.Tr([html.Th(t("col.feature"), scope="col"), html.Th(t("model.gap"), scope="col"),
                            html.Th(t("col.value"), scope="col"), html.Th(t("model.ci"), scope="col")])),
        html.Tbody([html.Tr([html.Td(value_label(g["attribute"])), html.Td(t(f"model.gap.{g['gap']}")),
                             html.Td(_fmt_metric(g["value"])), html.Td(c)]) for g, c in zip(gaps, ci, strict=True)]),
    ], bordered=True, striped=True, size="sm", responsive=True, id="model-fairness-gaps")])


def build() -> html.Div:
    try:
        model = get_client().model()
    except ServiceError as exc:
        return html.Div([html.H1(t("model.title"), className="h3"), error_alert(exc)])
    metrics = model.get("metrics") or {}
    auc = metrics.get("auc")  # training writes metrics.auc (out-of-fold)
    importance = model.get("importance") or []
    calibration = model.get("calibration") or {}
    costs = model.get("costs") or {}
    top_label = (sorted(importance, key=lambda r: -float(r.get("importance") or 0))[0].get("label")
                 if importance else "–")
    cost_inputs = dbc.Row([
        dbc.Col(labelled_input("model-cost-fn", t("model.cost_fn"), type="number", min=0, step="any",
                               value=costs.get("fn", 10), debounce=0.4), md=6),
        dbc.Col(labelled_input("model-cost-fp", t("model.cost_fp"), type="number", min=0, step="any",
                               value=costs.get("fp", 1), debounce=0.4), md=6),
    ])
    return html.Div([
        dcc.Store(id="model-data", data={"cost_curve": model.get("cost_curve"), "roc": model.get("roc"),
                                         "metrics": metrics, "threshold": model.get("threshold"), "costs": costs}),
        html.H1(t("model.title"), className="h3 mb-1"),
        html.P([t("model.version", version=model.get("model_version", "–"), created=fmt_date(model.get("created"))),
                " ", dcc.Link(t("model.card_link"), href="/model/card", id="model-card-link")]),
        dbc.Row([
            dbc.Col(section(t("model.metrics"), [metrics_table(metrics)], section_id="model-metrics"), lg=5),
            dbc.Col(section(t("model.importance"), [graph(
                "model-importance", importance_figure(importance),
                alt=t("model.importance_alt", n=min(15, len(importance)), label=top_label))],
                section_id="model-importance-section"), lg=7),
        ]),
        dbc.Row([
            dbc.Col(section(t("model.roc"), [graph("model-roc", roc_figure(model.get("roc") or {}, auc),
                                                   alt=t("model.roc_alt", auc=fmt_float(auc, 3)))]), lg=6),
            dbc.Col(section(t("model.calibration"), [graph(
                "model-calibration", calibration_figure(calibration),
                alt=t("model.calibration_alt", brier=fmt_float(calibration.get("brier"), 4)))]), lg=6),
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
    defaults = data.get("costs") or {}
    curve = cost_curve_for(data, float(fn_cost), float(fp_cost))
    children = []
    if not curve["recomputed"]:
        curve = cost_curve_for(data, float(defaults.get("fn", fn_cost)), float(defaults.get("fp", fp_cost)))
        children.append(dbc.Alert(t("model.cost_fixed", fn=fmt_float(defaults.get("fn"), 0),
                                    fp=fmt_float(defaults.get("fp"), 0)), color="info"))
    if not curve["recomputed"] or (float(fn_cost), float(fp_cost)) == (float(defaults.get("fn", -1)),
                                                                    float(defaults.get("fp", -1))):
        curve = at_threshold_in_use(curve, data.get("threshold"))
    best = curve.get("best_threshold")
    text = t("model.cost_best", t=fmt_float(best, 3), cost=fmt_float(curve.get("best_cost"), 4),
             current=fmt_float(data.get("threshold"), 3))
    children += [html.P(text, id="model-cost-best", role="status", **{"aria-live": "polite"}),
                 graph("model-cost-graph", cost_curve_figure(curve, data.get("threshold")),
                       alt=t("model.cost_alt", t=fmt_float(best, 3)))]
    return html.Div(children)
