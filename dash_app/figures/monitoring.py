"""Figures of the monitoring page (pure: typed monitoring shapes in, plotly figures out)."""

from __future__ import annotations

import plotly.graph_objects as go

from dash_app.figures.common import empty_figure, figure
from dash_app.i18n import t
from dash_app.theme import BLUE, GREEN, INK, MUTED, ORANGE, RED
from scoring.monitoring.contract import Backtest, Production

_DECISIONS = (("approve", GREEN, ""), ("review", ORANGE, "."), ("decline", RED, "/"))


def band_labels(edges: list[float]) -> list[str]:
    return [f"{lo:g}–{hi:g}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def volumes_figure(production: Production) -> go.Figure:
    """Requests per period stacked by the model's opinion, and the mean score (right axis)."""
    periods = production.periods
    if not periods:
        return empty_figure(t("monitoring.scores_none"))
    x = [p.period for p in periods]
    traces = [{"type": "bar", "x": x, "y": [round(getattr(p, key) * p.count) for p in periods],
               "name": t(f"monitoring.model.{key}"), "marker": {"color": colour, "pattern": {"shape": pattern}}}
              for key, colour, pattern in _DECISIONS]
    traces.append({"type": "scatter", "x": x, "y": [p.mean_score for p in periods], "name": t("monitoring.axis_mean"),
                   "yaxis": "y2", "mode": "lines+markers", "line": {"color": INK, "width": 2},
                   "marker": {"symbol": "diamond"}})
    return figure(traces, height=340, barmode="stack", legend={"orientation": "h", "y": -0.25},
                  xaxis={"title": {"text": t("monitoring.axis_period")}, "type": "category"},
                  yaxis={"title": {"text": t("monitoring.axis_count")}},
                  yaxis2={"overlaying": "y", "side": "right", "range": [0, 100],
                          "title": {"text": t("monitoring.axis_mean")}})


def distribution_figure(production: Production) -> go.Figure:
    """Share of scores per 10-point band: production (all periods) against training."""
    counts = [sum(p.histogram[i] for p in production.periods) for i in range(len(production.edges) - 1)]
    total = sum(counts)
    if not total:
        return empty_figure(t("monitoring.scores_none"))
    labels = band_labels(production.edges)
    traces = []
    if production.reference is not None and production.reference.n:
        ref = production.reference
        traces.append({"type": "bar", "x": labels, "y": [c / ref.n for c in ref.histogram],
                       "name": t("monitoring.training"), "marker": {"color": MUTED, "pattern": {"shape": "/"}}})
    traces.append({"type": "bar", "x": labels, "y": [c / total for c in counts], "name": t("monitoring.production_series"),
                   "marker": {"color": BLUE}})
    return figure(traces, height=300, barmode="group", legend={"orientation": "h", "y": -0.3},
                  xaxis={"title": {"text": t("monitoring.axis_band")}, "type": "category"},
                  yaxis={"title": {"text": t("monitoring.axis_share")}, "tickformat": ".0%"})


def backtest_figure(backtest: Backtest) -> go.Figure:
    """Expected default rate with the model's interval, and the observed rate, per score band."""
    rows = [r for r in backtest.by_band if r.expected is not None]
    if not rows:
        return empty_figure(t("monitoring.backtest_none"))
    x = [r.key for r in rows]
    expected = {"type": "scatter", "mode": "markers", "x": x, "y": [r.expected for r in rows],
                "name": t("monitoring.expected"), "marker": {"color": MUTED, "symbol": "line-ew-open", "size": 18},
                "error_y": {"type": "data", "symmetric": False, "color": MUTED,
                            "array": [r.expected_high - r.expected for r in rows],
                            "arrayminus": [r.expected - r.expected_low for r in rows]}}
    observed = {"type": "scatter", "mode": "markers", "x": x, "y": [r.observed for r in rows],
                "name": t("monitoring.observed"),
                "marker": {"color": [RED if r.flag else BLUE for r in rows], "symbol": "diamond", "size": 11}}
    return figure([expected, observed], height=300, legend={"orientation": "h", "y": -0.3},
                  xaxis={"title": {"text": t("monitoring.axis_band")}, "type": "category"},
                  yaxis={"title": {"text": t("monitoring.col.default_rate")}, "tickformat": ".0%", "rangemode": "tozero"})
