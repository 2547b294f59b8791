"""Pure figure builders: the service's answers (contract models) in, ``plotly.graph_objects.Figure`` out.

No Dash, no HTTP, no global state here, so each function is unit-tested on
contract model instances (tests/unit/test_dash_figures.py).
"""

from dash_app.figures.client import gauge_figure, points_waterfall_figure, population_figure
from dash_app.figures.model import (
    calibration_figure,
    cost_curve_figure,
    cost_curve_for,
    fairness_figure,
    fairness_rows,
    importance_figure,
    roc_figure,
)
from dash_app.figures.monitoring import backtest_figure, distribution_figure, volumes_figure

__all__ = [
    "gauge_figure", "points_waterfall_figure", "population_figure", "importance_figure", "roc_figure",
    "calibration_figure", "cost_curve_for", "cost_curve_figure", "fairness_rows", "fairness_figure",
    "volumes_figure", "distribution_figure", "backtest_figure",
]
