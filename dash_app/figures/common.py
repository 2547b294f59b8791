"""Shared figure styling."""

from __future__ import annotations

import plotly.graph_objects as go

from dash_app.theme import INK

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 13, "color": INK}


def styled(fig: go.Figure, height: int = 320, **layout) -> go.Figure:
    settings = {"template": "plotly_white", "font": FONT, "height": height,
                "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "paper_bgcolor": "#ffffff",
                "plot_bgcolor": "#ffffff", "separators": ", "}
    settings.update(layout)
    fig.update_layout(**settings)
    return fig


def empty_figure(message: str, height: int = 200) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": INK})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return styled(fig, height=height)
