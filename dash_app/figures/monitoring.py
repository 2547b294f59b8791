"""Figures of the monitoring page."""

from __future__ import annotations

import plotly.graph_objects as go

from dash_app.figures.common import empty_figure, figure
from dash_app.i18n import t
from dash_app.theme import GREEN, INK, ORANGE, RED

_DECISIONS = (("approve", GREEN, ""), ("review", ORANGE, "."), ("decline", RED, "/"))


def _day(row: dict):
    return row.get("day") or row.get("date")


def decision_count(row: dict, key: str) -> float:
    """Requests of one decision that day: the service gives counts, or shares (<= 1) next to ``count``."""
    value = float(row.get(key) or 0)
    shares = all(float(row.get(k) or 0) <= 1.0 for k, _, _ in _DECISIONS)
    if shares and isinstance(row.get("count"), (int, float)) and row["count"] > 1:
        return round(value * float(row["count"]), 6)
    return value


def scores_by_day_figure(rows: list[dict]) -> go.Figure:
    """Requests per day (stacked by decision when the service gives the split) and the mean score."""
    rows = [r for r in rows or [] if isinstance(r, dict) and _day(r)]
    if not rows:
        return empty_figure(t("monitoring.scores_none"))
    days = [_day(r) for r in rows]
    traces, layout = [], {}
    if any(k in rows[0] for k, _, _ in _DECISIONS):
        for key, colour, pattern in _DECISIONS:
            traces.append({"type": "bar", "x": days, "y": [decision_count(r, key) for r in rows],
                           "name": t(f"decision.{key}"), "marker": {"color": colour, "pattern": {"shape": pattern}}})
        layout["barmode"] = "stack"
    else:
        traces.append({"type": "bar", "x": days, "y": [r.get("count", r.get("n", 0)) or 0 for r in rows],
                       "name": t("monitoring.axis_count"), "marker": {"color": INK}})
    mean_key = next((k for k in ("mean_score", "mean", "score_mean", "avg_score") if k in rows[0]), None)
    if mean_key:
        traces.append({"type": "scatter", "x": days, "y": [r.get(mean_key) for r in rows],
                       "name": t("monitoring.axis_mean"), "yaxis": "y2", "mode": "lines+markers",
                       "line": {"color": INK, "width": 2}, "marker": {"symbol": "diamond"}})
        layout["yaxis2"] = {"overlaying": "y", "side": "right", "range": [0, 100],
                            "title": {"text": t("monitoring.axis_mean")}}
    return figure(traces, height=340, legend={"orientation": "h", "y": -0.25},
                  xaxis={"title": {"text": t("monitoring.axis_day")}, "type": "category"},
                  yaxis={"title": {"text": t("monitoring.axis_count")}}, **layout)
