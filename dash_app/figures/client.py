"""Figures of the client page: score gauge, contribution waterfall, population comparison."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from dash_app.figures.common import empty_figure, figure, vline
from dash_app.formatting import fmt_float
from dash_app.i18n import t, value_label
from dash_app.theme import BLUE, BROWN, FILL_OF_BAND, GREEN, INK, RED, colour_of
from dash_app.units import axis_title, suffix, to_human


def gauge_figure(score: float, decision: str, bands: list[dict], height: int = 260) -> go.Figure:
    """0-100 gauge centred on the threshold (50), its background in the service's ``bands``
    (``GET /model``: decision, band, low, high).

    The bar and the number take the colour of the service's decision; the decision
    itself is written in words next to the gauge by the page (never colour alone).
    """
    score = max(0.0, min(100.0, float(score)))
    colour = colour_of(decision)
    cuts = sorted({b["low"] for b in bands} | {b["high"] for b in bands} | {25.0, 50.0, 75.0})
    indicator = {
        "type": "indicator", "mode": "gauge+number", "value": round(score, 1),
        "number": {"suffix": " / 100", "valueformat": ".1f", "font": {"color": colour, "size": 34}},
        "gauge": {
            "shape": "angular",
            "axis": {"range": [0, 100], "tickvals": cuts,
                     "tickcolor": INK, "tickfont": {"color": INK, "size": 12}},
            "bar": {"color": colour, "thickness": 0.35},
            "bgcolor": "#ffffff", "borderwidth": 1, "bordercolor": INK,
            "steps": [{"range": [b["low"], b["high"]], "color": FILL_OF_BAND[b["band"]]} for b in bands],
            "threshold": {"line": {"color": INK, "width": 4}, "thickness": 0.95, "value": 50},
        },
        "domain": {"x": [0, 1], "y": [0, 1]},
    }
    return figure([indicator], height=height, margin={"l": 35, "r": 45, "t": 25, "b": 5})


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "−") + fmt_float(abs(x), 2)


def waterfall_figure(explanation: dict, top: int = 10) -> go.Figure:
    """Horizontal waterfall: average risk -> each top contribution -> the rest -> this client.

    Values are in the model's internal (log-odds) scale; positive bars raise the risk.
    Each bar is labelled with its signed value, so the direction does not rest on colour.
    """
    contributions = list(explanation.get("contributions") or [])
    if not contributions:
        return empty_figure(t("client.loading"))
    contributions.sort(key=lambda c: abs(float(c.get("contribution") or 0.0)), reverse=True)
    shown, rest = contributions[:top], contributions[top:]
    other = float(explanation.get("other_contribution") or 0.0) + sum(float(c.get("contribution") or 0.0)
                                                                       for c in rest)
    base = float(explanation.get("base_value") or 0.0)
    labels, values, measures = [t("client.base")], [base], ["absolute"]
    for c in shown:
        shown_value = c.get("display_value", c.get("value"))
        shown_value = value_label(shown_value) if shown_value is not None else "–"
        labels.append(f"{c.get('label') or c.get('feature')} = {shown_value}")
        values.append(float(c.get("contribution") or 0.0))
        measures.append("relative")
    if abs(other) > 1e-12:
        labels.append(t("client.others"))
        values.append(other)
        measures.append("relative")
    labels.append(t("client.final"))
    values.append(0.0)
    measures.append("total")
    path = [base]
    for v in values[1:-1]:
        path.append(path[-1] + v)
    texts = [fmt_float(base, 2)] + [_signed(v) for v in values[1:-1]] + [fmt_float(path[-1], 2)]
    trace = _waterfall_trace(labels, values, measures, texts, "%{y}: %{text}<extra></extra>")
    # Zoom on the path from the average risk to this client: the base bar would otherwise dwarf the contributions.
    span = max(max(path) - min(path), 0.1)
    return figure([trace], height=max(320, 34 * len(labels) + 80), margin={"l": 10, "r": 60, "t": 20, "b": 40},
                  yaxis={"autorange": "reversed"},
                  xaxis={"title": {"text": "← " + t("client.lowers") + " · " + t("client.raises") + " →"},
                         "zeroline": False, "range": [min(path) - 0.35 * span, max(path) + 0.35 * span]})


def _waterfall_trace(labels: list, values: list, measures: list, texts: list, hovertemplate: str) -> dict:
    """A horizontal waterfall: red bars raise the risk, green bars lower it, grey totals."""
    return {
        "type": "waterfall", "orientation": "h", "y": labels, "x": values, "measure": measures, "text": texts,
        "textposition": "outside", "cliponaxis": False,
        "increasing": {"marker": {"color": RED}}, "decreasing": {"marker": {"color": GREEN}},
        "totals": {"marker": {"color": "#495057"}}, "connector": {"line": {"color": "#6c757d", "width": 1}},
        "hovertemplate": hovertemplate,
    }


def points_waterfall_figure(points: dict) -> go.Figure:
    """Score of the average applicant -> the (at most 4) principal reasons -> every other factor -> this client.

    In points of the 0-100 score, as the service computes them (``explanation.points``), so the bars add up
    to the number on the gauge; positive bars raise the risk.
    """
    reasons = list(points.get("reasons") or [])
    base, score, other = float(points.get("base") or 0.0), float(points.get("score") or 0.0), \
        float(points.get("other_points") or 0.0)
    labels, values, measures = [t("client.base_points")], [base], ["absolute"]
    for r in reasons:
        labels.append(f"{r.get('label') or r.get('feature')} = {r.get('display_value') or '–'}")
        values.append(float(r.get("points") or 0.0))
        measures.append("relative")
    labels.append(t("client.others_points", n=int(points.get("other_count") or 0)))
    values.append(other)
    measures.append("relative")
    labels.append(t("client.final"))
    values.append(score)
    measures.append("total")
    texts = [fmt_float(base, 1)] + [_signed_points(v) for v in values[1:-1]] + [fmt_float(score, 1)]
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


def population_figure(feature: dict, client_value=None, label: str | None = None,
                      neighbours: list | None = None, name: str = "") -> go.Figure:
    """Distribution of one feature among repaid and defaulted clients (share of each group, %),
    with this client's value marked. ``feature`` is one entry of ``GET /population``'s ``features``.

    Numbers are shown in human units (``dash_app.units``: years, days, %, €), never the raw encoding."""
    unit = feature.get("unit")
    label = axis_title(label or feature.get("label") or "", unit)
    repaid_name, default_name = t("outcome.0"), t("outcome.1")
    traces, shapes, annotations, layout = [], [], [], {}
    if feature.get("type") == "categorical":
        levels = [value_label(v) for v in feature.get("levels") or []]
        traces += [{"type": "bar", "x": levels, "y": _shares(feature.get("repaid") or []), "name": repaid_name,
                    "marker": {"color": BLUE}},
                   {"type": "bar", "x": levels, "y": _shares(feature.get("default") or []), "name": default_name,
                    "marker": {"color": BROWN, "pattern": {"shape": "/"}}}]
        layout["barmode"] = "group"
        if client_value is not None and value_label(client_value) in levels:
            annotations.append({"x": value_label(client_value), "y": 0, "yref": "paper", "yanchor": "bottom",
                                "ay": -40, "ax": 0, "text": "▼ " + t("client.final"), "showarrow": True,
                                "arrowcolor": INK, "font": {"color": INK}})
    else:
        edges = sorted(float(to_human(name, unit, e)) for e in feature.get("edges") or [])
        if len(edges) < 2:
            return empty_figure(label)
        if float(to_human(name, unit, 1.0)) < 0:  # a day count reversed: so are its bins
            feature = {**feature, "repaid": list(reversed(feature.get("repaid") or [])),
                       "default": list(reversed(feature.get("default") or []))}
        centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=False)]
        widths = [b - a for a, b in zip(edges[:-1], edges[1:], strict=False)]
        traces += [{"type": "bar", "x": centres, "y": _shares(feature.get("repaid") or []), "width": widths,
                    "name": repaid_name, "marker": {"color": BLUE}, "opacity": 0.75},
                   {"type": "bar", "x": centres, "y": _shares(feature.get("default") or []), "width": widths,
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
        xs = [to_human(name, unit, n.get("value")) for n in neighbours or [] if isinstance(n.get("value"), (int, float))]
        if xs:
            traces.append({"type": "scatter", "x": xs, "y": [0] * len(xs), "mode": "markers",
                           "name": t("client.similar"), "marker": {"symbol": "triangle-up", "size": 11, "color": INK}})
    xaxis = {"title": {"text": label}}
    if suffix(unit) and feature.get("type") != "categorical":
        xaxis["ticksuffix"] = "\u202f" + suffix(unit)
    return figure(traces, height=320, xaxis=xaxis,
                  yaxis={"title": {"text": t("client.axis_share")}, "ticksuffix": " %"},
                  legend={"orientation": "h", "y": -0.3}, shapes=shapes, annotations=annotations, **layout)
