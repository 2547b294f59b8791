"""Small statistics shared by the production reports (backtest, overrides, champion/challenger).

Pure numpy: no I/O, no model.

* :func:`wilson` -- Wilson score interval of an observed rate (k events out of n);
* :func:`expected_interval` -- the range of observed default rates the model's own
  probabilities allow: the rate of n independent loans of probabilities p_i has mean
  mean(p) and variance sum(p_i (1 - p_i)) / n^2 (normal approximation);
* :func:`auc` -- ROC AUC by ranks (ties get half credit); None when only one class;
* :func:`realised_cost` -- business cost per client of the model's decisions
  (refuse when the score is at or above 50, the threshold), with the project's costs.
"""

from __future__ import annotations

import math

import numpy as np

from scoring.cost import FN_COST, FP_COST, business_cost

#: Two-sided 95 % normal quantile.
Z95 = 1.959963984540054
#: The score of the decision threshold (the probability threshold maps to 50).
THRESHOLD_SCORE = 50.0


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | tuple[None, None]:
    """Wilson score interval of the rate k/n; (None, None) when n = 0."""
    if n <= 0:
        return None, None
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def expected_interval(probability, z: float = Z95) -> tuple[float, float, float] | tuple[None, None, None]:
    """(expected rate, low, high): mean probability and its z-interval for the observed rate."""
    p = np.asarray(probability, dtype=np.float64)
    n = p.size
    if n == 0:
        return None, None, None
    mean = float(p.mean())
    half = z * math.sqrt(float((p * (1 - p)).sum())) / n
    return mean, max(0.0, mean - half), min(1.0, mean + half)


def auc(y_true, scores) -> float | None:
    """ROC AUC (Mann-Whitney, average ranks for ties); None without both classes."""
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(s.size, dtype=np.float64)
    sorted_s = s[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_s, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def realised_cost(y_true, scores, fn_cost: float = FN_COST, fp_cost: float = FP_COST) -> float | None:
    """Cost per client of refusing at score >= 50 (None for no client)."""
    y = np.asarray(y_true)
    if y.size == 0:
        return None
    return business_cost(y, np.asarray(scores, dtype=np.float64) >= THRESHOLD_SCORE, fn_cost=fn_cost, fp_cost=fp_cost)
