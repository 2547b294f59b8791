"""Shared figure styling.

Figures are built in one shot from plain dicts (``figure(traces, ...)``): plotly's
``update_*``/``add_*`` helpers and named templates validate and deep-copy on every
call (~100 ms for a styled gauge), one construction costs a few milliseconds.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dash_app.theme import FONT_STACK, HEADER_FILL, INK

GRID, ZERO = HEADER_FILL, "#adb5bd"
FONT = {"family": FONT_STACK, "size": 13, "color": INK}


def axis(**props) -> dict:
    return {"gridcolor": GRID, "zerolinecolor": ZERO, "linecolor": ZERO, "automargin": True, **props}


def vline(x, colour: str, width: int = 2, dash: str = "dash") -> dict:
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"color": colour, "width": width, "dash": dash}}


def figure(traces: list[dict], height: int = 320, xaxis: dict | None = None, yaxis: dict | None = None,
           **layout) -> go.Figure:
    settings = {"template": None, "font": FONT, "height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
                "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "separators": ", ",
                "xaxis": axis(**(xaxis or {})), "yaxis": axis(**(yaxis or {}))}
    settings.update(layout)
    return go.Figure(data=traces, layout=settings)


def empty_figure(message: str, height: int = 200) -> go.Figure:
    return figure([], height=height, xaxis={"visible": False}, yaxis={"visible": False},
                  annotations=[{"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                                "yref": "paper", "font": {"size": 14, "color": INK}}])
