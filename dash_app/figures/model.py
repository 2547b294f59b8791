"""Figures and computations of the model page (importance, ROC, calibration, cost, fairness)."""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go

from dash_app.figures.common import empty_figure, figure, vline
from dash_app.formatting import fmt_float
from dash_app.i18n import t, value_label
from dash_app.theme import BLUE, BROWN, INK, MUTED, RED


def importance_figure(importance: list[dict], top: int = 15) -> go.Figure:
    rows = sorted(importance or [], key=lambda r: float(r.get("importance") or 0.0), reverse=True)[:top]
    if not rows:
        return empty_figure("–")
    values = [float(r.get("importance") or 0.0) for r in rows]
    trace = {"type": "bar", "x": values, "y": [r.get("label") or r.get("feature") for r in rows], "orientation": "h",
             "marker": {"color": BLUE}, "text": [fmt_float(v, 1) for v in values], "textposition": "outside",
             "cliponaxis": False, "hovertemplate": "%{y}: %{x:.2f}<extra></extra>"}
    return figure([trace], height=30 * len(rows) + 90, margin={"l": 10, "r": 50, "t": 10, "b": 40},
                  yaxis={"autorange": "reversed"}, xaxis={"title": {"text": t("model.axis_importance")}})


def roc_figure(roc: dict, auc: float | None = None) -> go.Figure:
    fpr, tpr = list(roc.get("fpr") or []), list(roc.get("tpr") or [])
    if not fpr:
        return empty_figure("–")
    name = "ROC" if auc is None else f"ROC (AUC {fmt_float(auc, 3)})"
    traces = [{"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines", "name": t("model.random"),
               "line": {"color": MUTED, "dash": "dash"}},
              {"type": "scatter", "x": fpr, "y": tpr, "mode": "lines", "name": name,
               "line": {"color": BLUE, "width": 3}}]
    return figure(traces, height=360, legend={"x": 0.45, "y": 0.08},
                  xaxis={"title": {"text": t("model.axis_fpr")}, "range": [0, 1]},
                  yaxis={"title": {"text": t("model.axis_tpr")}, "range": [0, 1.02]})


def calibration_figure(calibration: dict) -> go.Figure:
    predicted, observed = list(calibration.get("predicted") or []), list(calibration.get("observed") or [])
    if not predicted:
        return empty_figure("–")
    counts = list(calibration.get("count") or [None] * len(predicted))
    top = max([*predicted, *observed, 0.05]) * 1.05
    traces = [{"type": "scatter", "x": [0, top], "y": [0, top], "mode": "lines", "name": t("model.perfect"),
               "line": {"color": MUTED, "dash": "dash"}},
              {"type": "scatter", "x": predicted, "y": observed, "mode": "lines+markers",
               "name": t("model.calibration"), "line": {"color": BROWN, "width": 3},
               "marker": {"size": 8, "symbol": "circle"}, "customdata": counts,
               "hovertemplate": "%{x:.3f} → %{y:.3f} (n=%{customdata})<extra></extra>"}]
    return figure(traces, height=360, legend={"x": 0.02, "y": 0.98},
                  xaxis={"title": {"text": t("model.axis_predicted")}, "range": [0, top]},
                  yaxis={"title": {"text": t("model.axis_observed")}, "range": [0, top]})


def _prevalence(metrics: dict) -> float | None:
    for key in ("default_rate", "prevalence", "positive_rate", "base_rate"):
        value = metrics.get(key)
        if isinstance(value, (int, float)) and 0 < value < 1:
            return float(value)
    return None


def cost_curve_for(model: dict, fn_cost: float, fp_cost: float) -> dict:
    """Mean cost per client for each threshold under the given costs.

    Uses, in order: ``cost_curve.fn_rate``/``fp_rate`` (share of clients that are
    false negatives / false positives at each threshold), ``cost_curve.fn``/``fp``
    counts with ``cost_curve.n``, or ``roc.thresholds`` with the default rate in
    ``metrics``. Without any of them only the service's default curve can be shown
    (``recomputed`` False). The best threshold minimises the cost; ties go to the
    highest threshold (fewest refusals), like the training code.
    """
    curve = model.get("cost_curve") or {}
    thresholds = [float(x) for x in curve.get("thresholds") or []]
    costs: list[float] | None = None
    if thresholds and curve.get("fn_rate") is not None and curve.get("fp_rate") is not None:
        costs = [fn_cost * a + fp_cost * b for a, b in zip(curve["fn_rate"], curve["fp_rate"], strict=False)]
    elif thresholds and curve.get("fn") is not None and curve.get("fp") is not None and curve.get("n"):
        n = float(curve["n"])
        costs = [(fn_cost * a + fp_cost * b) / n for a, b in zip(curve["fn"], curve["fp"], strict=False)]
    else:
        roc = model.get("roc") or {}
        prevalence = _prevalence(model.get("metrics") or {})
        if roc.get("thresholds") and prevalence is not None:
            pairs = [(float(th), float(f), float(tp)) for th, f, tp in zip(roc["thresholds"], roc["fpr"], roc["tpr"], strict=False)
                     if math.isfinite(float(th)) and 0.0 <= float(th) <= 1.0]
            pairs.sort()
            thresholds = [p[0] for p in pairs]
            costs = [fn_cost * prevalence * (1 - tp) + fp_cost * (1 - prevalence) * f for _, f, tp in pairs]
    recomputed = costs is not None
    if costs is None:
        costs = [float(c) for c in curve.get("cost") or []]
    if not thresholds or not costs:
        return {"thresholds": [], "cost": [], "best_threshold": None, "best_cost": None, "recomputed": False}
    best_cost = min(costs)
    best_index = max(i for i, c in enumerate(costs) if c <= best_cost + 1e-12)
    return {"thresholds": thresholds, "cost": costs, "best_threshold": thresholds[best_index],
            "best_cost": best_cost, "recomputed": recomputed}


def at_threshold_in_use(curve: dict, threshold: float | None) -> dict:
    """The curve under the bundle's own costs, its minimum named at the threshold in use.

    Training chose that threshold on the same costs; the curve may reach the same minimum at other grid
    points (ties) or, recomputed from rounded rates, a few thousandths away. Showing one of those as "the"
    best threshold would put a second threshold on screen: under the bundle's costs there is one, the bundle's.
    """
    if threshold is None or not curve.get("thresholds"):
        return curve
    nearest = min(range(len(curve["thresholds"])), key=lambda i: abs(curve["thresholds"][i] - float(threshold)))
    return {**curve, "best_threshold": float(threshold), "best_cost": curve["cost"][nearest]}


def cost_curve_figure(curve: dict, current_threshold: float | None = None) -> go.Figure:
    if not curve.get("thresholds"):
        return empty_figure("–")
    traces = [{"type": "scatter", "x": curve["thresholds"], "y": curve["cost"], "mode": "lines",
               "name": t("model.axis_cost"), "line": {"color": BLUE, "width": 3},
               "hovertemplate": "%{x:.3f} → %{y:.4f}<extra></extra>"}]
    shapes, annotations = [], []
    best = curve.get("best_threshold")
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


_SKIP = {"model_version", "threshold", "synthetic", "created"}
_GROUP_KEYS = ("group", "level", "value", "category")
_ATTRIBUTE_KEYS = ("attribute", "feature", "sensitive", "column")
FAIRNESS_METRICS = ("approval_rate", "selection_rate", "refusal_rate", "decline_rate", "positive_rate",
                    "default_rate", "tpr", "fpr", "fnr", "auc", "mean_score")


def _scalar(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _band_start(group) -> tuple[float, int] | None:
    """'<30' -> (30, -1), '30-40' -> (30, 0), '60+' -> (60, 0); None for a group without a number."""
    match = re.search(r"\d+(?:[.,]\d+)?", str(group))
    if not match:
        return None
    return float(match.group().replace(",", ".")), -1 if str(group).strip().startswith("<") else 0


def natural_group_order(rows: list[dict]) -> list[dict]:
    """Rows of each attribute whose groups are all numeric bands (ages) in their natural order, others as given."""
    by_attribute: dict = {}
    for row in rows:
        by_attribute.setdefault(row.get("attribute"), []).append(row)
    out = []
    for group_rows in by_attribute.values():
        keys = [_band_start(r.get("group")) for r in group_rows]
        out += group_rows if any(k is None for k in keys) else \
            [r for _, r in sorted(zip(keys, group_rows, strict=True), key=lambda kr: kr[0])]
    return out


def fairness_rows(payload) -> list[dict]:
    return natural_group_order(_fairness_rows(payload))


def _fairness_rows(payload) -> list[dict]:
    """Flatten the fairness answer into rows ``{"attribute", "group", metric: value...}``.

    Accepts a list of rows, ``{"groups"|"rows"|"table": [...]}``, or nested
    ``{attribute: {group: {metric: value}}}`` / ``{attribute: [rows]}`` shapes.
    """
    def from_list(items, attribute=None):
        out = []
        for item in items:
            if not isinstance(item, dict):
                continue
            row = {k: v for k, v in item.items() if _scalar(v)}
            attr = next((row.pop(k) for k in _ATTRIBUTE_KEYS if k in row), attribute)
            group = next((row.pop(k) for k in _GROUP_KEYS if k in row), None)
            out.append({"attribute": attr, "group": group, **row})
        return out

    if isinstance(payload, list):
        return from_list(payload)
    if not isinstance(payload, dict):
        return []
    for key in ("groups", "rows", "table", "fairness"):
        if isinstance(payload.get(key), list):
            return from_list(payload[key])
    rows: list[dict] = []
    source = payload.get("attributes") if isinstance(payload.get("attributes"), dict) else payload
    for attribute, value in source.items():
        if attribute in _SKIP:
            continue
        if isinstance(value, list):
            rows.extend(from_list(value, attribute))
        elif isinstance(value, dict):
            inner = value.get("groups", value)
            if isinstance(inner, list):
                rows.extend(from_list(inner, attribute))
                continue
            for group, metrics in inner.items():
                if isinstance(metrics, dict):
                    rows.append({"attribute": attribute, "group": group,
                                 **{k: v for k, v in metrics.items() if _scalar(v)}})
    return rows


def fairness_metric(rows: list[dict]) -> str | None:
    for metric in FAIRNESS_METRICS:
        if any(isinstance(r.get(metric), (int, float)) for r in rows):
            return metric
    numeric = [k for r in rows for k, v in r.items() if isinstance(v, float) and k not in ("attribute", "group")]
    return numeric[0] if numeric else None


def fairness_figure(rows: list[dict], metric: str | None = None, metric_label: str | None = None) -> go.Figure:
    metric = metric or fairness_metric(rows)
    if not rows or metric is None:
        return empty_figure(t("model.fairness_none"))
    labels = [f"{value_label(r.get('attribute'))} : {value_label(r.get('group'))}" for r in rows]
    values = [float(r.get(metric)) if isinstance(r.get(metric), (int, float)) else None for r in rows]
    trace = {"type": "bar", "x": values, "y": labels, "orientation": "h", "marker": {"color": BLUE},
             "text": [fmt_float(v, 3) if v is not None else "–" for v in values], "textposition": "outside",
             "cliponaxis": False}
    return figure([trace], height=34 * len(rows) + 90, margin={"l": 10, "r": 50, "t": 10, "b": 40},
                  yaxis={"autorange": "reversed"}, xaxis={"title": {"text": metric_label or metric}})
