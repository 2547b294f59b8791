"""Figures and computations of the model page (importance, ROC, calibration, cost, fairness)."""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go

from dash_app.figures.common import empty_figure, figure, vline
from dash_app.formatting import fmt_float
from dash_app.i18n import t, value_label
from dash_app.theme import BLUE, BROWN, INK, MUTED, RED
from scoring.contract import FairnessOut, ImportanceItem, Reliability, Roc


def importance_figure(importance: list[ImportanceItem], top: int = 15) -> go.Figure:
    rows = sorted(importance, key=lambda r: r.importance, reverse=True)[:top]
    if not rows:
        return empty_figure("–")
    values = [r.importance for r in rows]
    trace = {"type": "bar", "x": values, "y": [r.label for r in rows], "orientation": "h",
             "marker": {"color": BLUE}, "text": [fmt_float(v, 1) for v in values], "textposition": "outside",
             "cliponaxis": False, "hovertemplate": "%{y}: %{x:.2f}<extra></extra>"}
    return figure([trace], height=30 * len(rows) + 90, margin={"l": 10, "r": 50, "t": 10, "b": 40},
                  yaxis={"autorange": "reversed"}, xaxis={"title": {"text": t("model.axis_importance")}})


def roc_figure(roc: Roc, auc: float) -> go.Figure:
    traces = [{"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines", "name": t("model.random"),
               "line": {"color": MUTED, "dash": "dash"}},
              {"type": "scatter", "x": roc.fpr, "y": roc.tpr, "mode": "lines", "name": f"ROC (AUC {fmt_float(auc, 3)})",
               "line": {"color": BLUE, "width": 3}}]
    return figure(traces, height=360, legend={"x": 0.45, "y": 0.08},
                  xaxis={"title": {"text": t("model.axis_fpr")}, "range": [0, 1]},
                  yaxis={"title": {"text": t("model.axis_tpr")}, "range": [0, 1.02]})


def calibration_figure(calibration: Reliability) -> go.Figure:
    predicted, observed = calibration.predicted, calibration.observed
    if not predicted:
        return empty_figure("–")
    top = max([*predicted, *observed, 0.05]) * 1.05
    traces = [{"type": "scatter", "x": [0, top], "y": [0, top], "mode": "lines", "name": t("model.perfect"),
               "line": {"color": MUTED, "dash": "dash"}},
              {"type": "scatter", "x": predicted, "y": observed, "mode": "lines+markers",
               "name": t("model.calibration"), "line": {"color": BROWN, "width": 3},
               "marker": {"size": 8, "symbol": "circle"}, "customdata": calibration.count,
               "hovertemplate": "%{x:.3f} → %{y:.3f} (n=%{customdata})<extra></extra>"}]
    return figure(traces, height=360, legend={"x": 0.02, "y": 0.98},
                  xaxis={"title": {"text": t("model.axis_predicted")}, "range": [0, top]},
                  yaxis={"title": {"text": t("model.axis_observed")}, "range": [0, top]})


def cost_curve_for(roc: Roc, default_rate: float, fn_cost: float, fp_cost: float) -> dict:
    """Mean cost per client at each threshold of the ROC curve under the given costs:
    ``fn_cost * P(default) * (1 - TPR) + fp_cost * P(repaid) * FPR``. The best threshold minimises the cost;
    ties go to the highest threshold (fewest refusals), like the training code."""
    pairs = sorted((th, f, tp) for th, f, tp in zip(roc.thresholds, roc.fpr, roc.tpr, strict=True)
                   if math.isfinite(th) and 0.0 <= th <= 1.0)
    thresholds = [p[0] for p in pairs]
    costs = [fn_cost * default_rate * (1 - tp) + fp_cost * (1 - default_rate) * f for _, f, tp in pairs]
    if not thresholds:
        return {"thresholds": [], "cost": [], "best_threshold": None, "best_cost": None}
    best_cost = min(costs)
    best_index = max(i for i, c in enumerate(costs) if c <= best_cost + 1e-12)
    return {"thresholds": thresholds, "cost": costs, "best_threshold": thresholds[best_index], "best_cost": best_cost}


def at_threshold_in_use(curve: dict, threshold: float) -> dict:
    """The curve under the bundle's own costs, its minimum named at the threshold in use.

    Training chose that threshold on the same costs; the curve may reach the same minimum at other grid
    points (ties) or, recomputed from rounded rates, a few thousandths away. Showing one of those as "the"
    best threshold would put a second threshold on screen: under the bundle's costs there is one, the bundle's.
    """
    if not curve["thresholds"]:
        return curve
    nearest = min(range(len(curve["thresholds"])), key=lambda i: abs(curve["thresholds"][i] - float(threshold)))
    return {**curve, "best_threshold": float(threshold), "best_cost": curve["cost"][nearest]}


def cost_curve_figure(curve: dict, current_threshold: float | None = None) -> go.Figure:
    """``curve``: :func:`cost_curve_for`'s answer."""
    if not curve["thresholds"]:
        return empty_figure("–")
    traces = [{"type": "scatter", "x": curve["thresholds"], "y": curve["cost"], "mode": "lines",
               "name": t("model.axis_cost"), "line": {"color": BLUE, "width": 3},
               "hovertemplate": "%{x:.3f} → %{y:.4f}<extra></extra>"}]
    shapes, annotations = [], []
    best = curve["best_threshold"]
    if best is not None:
        shapes.append(vline(best, RED))
        annotations.append({"x": best, "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
                            "font": {"color": RED}, "text": f"min : {fmt_float(best, 3)}", "bgcolor": "#ffffff"})
    if current_threshold is not None:
        shapes.append(vline(current_threshold, INK, dash="dot"))
        annotations.append({"x": current_threshold, "y": 0.9, "yref": "paper", "showarrow": False,
                            "font": {"color": INK}, "text": f"actuel : {fmt_float(current_threshold, 3)}",
                            "bgcolor": "#ffffff", "xanchor": "left"})
    return figure(traces, height=340, showlegend=False, shapes=shapes, annotations=annotations,
                  xaxis={"title": {"text": t("model.axis_threshold")}, "range": [0, 1]},
                  yaxis={"title": {"text": t("model.axis_cost")}})


#: the group rates shown, the first one charted
FAIRNESS_METRICS = ("approval_rate", "default_rate", "tpr", "fpr", "auc", "mean_score")


def _band_start(group: str) -> tuple[float, int] | None:
    """'<30' -> (30, -1), '30-40' -> (30, 0), '60+' -> (60, 0); None for a group without a number."""
    match = re.search(r"\d+(?:[.,]\d+)?", group)
    if not match:
        return None
    return float(match.group().replace(",", ".")), -1 if group.strip().startswith("<") else 0


def natural_group_order(rows: list[dict]) -> list[dict]:
    """Rows of each attribute whose groups are all numeric bands (ages) in their natural order, others as given."""
    by_attribute: dict = {}
    for row in rows:
        by_attribute.setdefault(row["attribute"], []).append(row)
    out = []
    for group_rows in by_attribute.values():
        keys = [_band_start(r["group"]) for r in group_rows]
        out += group_rows if any(k is None for k in keys) else \
            [r for _, r in sorted(zip(keys, group_rows, strict=True), key=lambda kr: kr[0])]
    return out


def fairness_rows(fairness: FairnessOut) -> list[dict]:
    """One row per (attribute, group): ``{"attribute", "group", "count", metric: value...}``."""
    rows = [{"attribute": name, **g.model_dump(include={"group", "count", *FAIRNESS_METRICS})}
            for name, attribute in fairness.attributes.items() for g in attribute.groups]
    return natural_group_order(rows)


def fairness_figure(rows: list[dict], metric: str, metric_label: str) -> go.Figure:
    if not rows:
        return empty_figure(t("model.fairness_none"))
    labels = [f"{value_label(r['attribute'])} : {value_label(r['group'])}" for r in rows]
    values = [r[metric] for r in rows]
    trace = {"type": "bar", "x": values, "y": labels, "orientation": "h", "marker": {"color": BLUE},
             "text": [fmt_float(v, 3) if v is not None else "–" for v in values], "textposition": "outside",
             "cliponaxis": False}
    return figure([trace], height=34 * len(rows) + 90, margin={"l": 10, "r": 50, "t": 10, "b": 40},
                  yaxis={"autorange": "reversed"}, xaxis={"title": {"text": metric_label}})
