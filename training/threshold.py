"""Decision threshold on calibrated out-of-fold probabilities, minimising the business cost."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.cost import DEFAULT_GRID, accept_all_cost, best_threshold, cost_curve

#: At least this many thresholds are evaluated.
MIN_GRID_POINTS = 200


@dataclass
class ThresholdResult:
    threshold: float
    cost: float  # per client at the threshold
    accept_all: float  # per client when everybody is approved
    curve: dict  # {"thresholds": [...], "cost": [...]}


def grid() -> np.ndarray:
    g = np.asarray(DEFAULT_GRID, dtype=np.float64)
    if len(g) < MIN_GRID_POINTS:
        g = np.unique(np.concatenate([g, np.linspace(0, 1, MIN_GRID_POINTS + 1)]))
    # the service's score mapping needs 0 < threshold < 1
    return g[(g > 0.0) & (g < 1.0)]


def choose_threshold(y, proba, fn_cost: float, fp_cost: float) -> ThresholdResult:
    g = grid()
    thresholds, costs = cost_curve(y, proba, fn_cost, fp_cost, g)
    t, c = best_threshold(y, proba, fn_cost, fp_cost, g)
    return ThresholdResult(
        threshold=t, cost=c, accept_all=accept_all_cost(y, fn_cost),
        curve={"thresholds": thresholds.round(6).tolist(), "cost": costs.round(6).tolist()},
    )


def best_cost(y, proba, fn_cost: float, fp_cost: float) -> tuple[float, float]:
    """(threshold, cost) minimising the cost over the grid plus 2,001 quantiles of the scores.

    Used to compare variants whose scores are not calibrated (any monotone
    rescaling gives the same optimum)."""
    p = np.asarray(proba, dtype=np.float64)
    g = np.unique(np.concatenate([grid(), np.quantile(p, np.linspace(0, 1, 2001))]))
    return best_threshold(y, p, fn_cost, fp_cost, g)
