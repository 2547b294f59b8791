"""Figures of the client page: score gauge, points waterfall, population comparison."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from dash_app.figures.common import empty_figure, figure, vline
from dash_app.formatting import fmt_float
from dash_app.i18n import t, value_label
from dash_app.theme import BLUE, BROWN, FILL_OF_BAND, GREEN, INK, RED, colour_of
from dash_app.units import axis_title, suffix, to_human
from scoring.contract import BandItem, Points, PopulationFeature


def gauge_figure(score: float, decision: str, bands: list[BandItem], height: int = 260) -> go.Figure:
    """0-100 gauge centred on the threshold (50), its background in the service's ``bands``
    (``GET /model``: decision, band, low, high).

    The bar and the number take the colour of the service's decision; the decision
    itself is written in words next to the gauge by the page (never colour alone).
    """
    score = max(0.0, min(100.0, float(score)))
    colour = colour_of(decision)
    cuts = sorted({b.low for b in bands} | {b.high for b in bands} | {25.0, 50.0, 75.0})
    indicator = {
        "type": "indicator", "mode": "gauge+number", "value": round(score, 1),
        "number": {"suffix": " / 100", "valueformat": ".1f", "font": {"color": colour, "size": 34}},
        "gauge": {
            "shape": "angular",
            "axis": {"range": [0, 100], "tickvals": cuts,
                     "tickcolor": INK, "tickfont": {"color": INK, "size": 12}},
            "bar": {"color": colour, "thickness": 0.35},
            "bgcolor": "#ffffff", "borderwidth": 1, "bordercolor": INK,
            "steps": [{"range": [b.low, b.high], "color": FILL_OF_BAND[b.band]} for b in bands],
            "threshold": {"line": {"color": INK, "width": 4}, "thickness": 0.95, "value": 50},
        },
        "domain": {"x": [0, 1], "y": [0, 1]},
    }
    return figure([indicator], height=height, margin={"l": 35, "r": 45, "t": 25, "b": 5})


def _waterfall_trace(labels: list, values: list, measures: list, texts: list, hovertemplate: str) -> dict:
    """A horizontal waterfall: red bars raise the risk, green bars lower it, grey totals."""
    return {
        "type": "waterfall", "orientation": "h", "y": labels, "x": values, "measure": measures, "text": texts,
        "textposition": "outside", "cliponaxis": False,
        "increasing": {"marker": {"color": RED}}, "decreasing": {"marker": {"color": GREEN}},
        "totals": {"marker": {"color": "#495057"}}, "connector": {"line": {"color": "#6c757d", "width": 1}},
        "hovertemplate": hovertemplate,
    }


def points_waterfall_figure(points: Points) -> go.Figure:
    """Score of the average applicant -> the (at most 4) principal reasons -> every other factor -> this client.

    In points of the 0-100 score, as the service computes them (``explanation.points``), so the bars add up
    to the number on the gauge; positive bars raise the risk.
    """
    labels, values, measures = [t("client.base_points")], [points.base], ["absolute"]
    for r in points.reasons:
        labels.append(f"{r.label} = {r.display_value}")
        values.append(r.points)
        measures.append("relative")
    labels.append(t("client.others_points", n=points.other_count))
    values.append(points.other_points)
    measures.append("relative")
    labels.append(t("client.final"))
    values.append(points.score)
    measures.append("total")
    texts = [fmt_float(points.base, 1)] + [_signed_points(v) for v in values[1:-1]] + [fmt_float(points.score, 1)]
    trace = _waterfall_trace(labels, values, measures, texts, "%{y} : %{text}<extra></extra>")
    return figure([trace], height=max(300, 40 * len(labels) + 80), margin={"l": 10, "r": 60, "t": 20, "b": 40},
                  yaxis={"autorange": "reversed"},
                  xaxis={"title": {"text": t("client.points_axis")}, "range": [0, 100], "zeroline": False})


def _signed_points(x: float) -> str:
    return ("+" if x >= 0 else "−") + fmt_float(abs(x), 1) + " pt"


def _shares(counts) -> list[float]:
    counts = [float(c or 0) for c in counts]
    total = sum(counts)
    return [100.0 * c / total if total else 0.0 for c in counts]


def population_figure(feature: PopulationFeature, client_value=None, label: str | None = None,
                      neighbours: list | None = None, name: str = "") -> go.Figure:
    """Distribution of one feature among repaid and defaulted clients (share of each group, %),
    with this client's value marked. ``feature`` is one entry of ``GET /population``'s ``features``;
    ``neighbours``: ``{"value": ...}`` marks of the nearest clients.

    Numbers are shown in human units (``dash_app.units``: years, days, %, €), never the raw encoding."""
    unit = feature.unit
    label = axis_title(label or feature.label, unit)
    repaid_name, default_name = t("outcome.0"), t("outcome.1")
    repaid, default = feature.repaid, feature.default
    traces, shapes, annotations, layout = [], [], [], {}
    if feature.type == "categorical":
        levels = [value_label(v) for v in feature.levels or []]
        traces += [{"type": "bar", "x": levels, "y": _shares(repaid), "name": repaid_name,
                    "marker": {"color": BLUE}},
                   {"type": "bar", "x": levels, "y": _shares(default), "name": default_name,
                    "marker": {"color": BROWN, "pattern": {"shape": "/"}}}]
        layout["barmode"] = "group"
        if client_value is not None and value_label(client_value) in levels:
            annotations.append({"x": value_label(client_value), "y": 0, "yref": "paper", "yanchor": "bottom",
                                "ay": -40, "ax": 0, "text": "▼ " + t("client.final"), "showarrow": True,
                                "arrowcolor": INK, "font": {"color": INK}})
    else:
        edges = sorted(float(to_human(name, unit, e)) for e in feature.edges or [])
        if len(edges) < 2:
            return empty_figure(label)
        if float(to_human(name, unit, 1.0)) < 0:  # a day count reversed: so are its bins
            repaid, default = list(reversed(repaid)), list(reversed(default))
        centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=False)]
        widths = [b - a for a, b in zip(edges[:-1], edges[1:], strict=False)]
        traces += [{"type": "bar", "x": centres, "y": _shares(repaid), "width": widths,
                    "name": repaid_name, "marker": {"color": BLUE}, "opacity": 0.75},
                   {"type": "bar", "x": centres, "y": _shares(default), "width": widths,
                    "name": default_name, "marker": {"color": BROWN, "pattern": {"shape": "/"}}, "opacity": 0.75}]
        layout["barmode"] = "overlay"
        x = None
        if client_value is not None and not (isinstance(client_value, float) and math.isnan(client_value)):
            try:
                x = float(to_human(name, unit, float(client_value)))
            except (TypeError, ValueError):
                x = None
        if x is not None:
            shapes.append(vline(x, INK, width=3))
            shown = f"{fmt_float(x, 1 if unit in ('years', 'share') else 0 if unit in ('days', 'money') else 2)}"
            annotations.append({"x": x, "y": 1, "yref": "paper",
                                "text": f"{t('client.final')} : {shown}{chr(0x202f) + suffix(unit) if suffix(unit) else ''}",
                                "showarrow": False, "yanchor": "bottom", "font": {"color": INK},
                                "bgcolor": "#ffffff"})
        xs = [to_human(name, unit, n["value"]) for n in neighbours or [] if isinstance(n["value"], (int, float))]
        if xs:
            traces.append({"type": "scatter", "x": xs, "y": [0] * len(xs), "mode": "markers",
                           "name": t("client.similar"), "marker": {"symbol": "triangle-up", "size": 11, "color": INK}})
    xaxis = {"title": {"text": label}}
    if suffix(unit) and feature.type != "categorical":
        xaxis["ticksuffix"] = "\u202f" + suffix(unit)
    return figure(traces, height=320, xaxis=xaxis,
                  yaxis={"title": {"text": t("client.axis_share")}, "ticksuffix": " %"},
                  legend={"orientation": "h", "y": -0.3}, shapes=shapes, annotations=annotations, **layout)
