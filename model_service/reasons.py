"""Contributions in points of the 0-100 score, and the principal reasons.

CatBoost's SHAP values add up in log-odds: ``base_value + sum(shap) = f``, the raw model output.
The score is a monotone function of ``f`` (sigmoid, calibration, the piecewise-linear score), so the
client's distance from the average applicant, ``score - score_of(base_value)``, is shared among the
factors in proportion to their SHAP values: every factor keeps its sign and its share, and
``base + sum(points) == score`` (the score served everywhere else, not a recomputation).

At most :data:`MAX_REASONS` factors are named, the largest effects first, each one the model
actually used for this client (non-zero contribution); protected attributes are never named,
even when a bundle was trained with them: their effect stays in the grouped rest.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np

#: Principal reasons presented as "the reasons" (the convention of adverse-action notices).
MAX_REASONS = 4

_STEP = 1e-4


def scale(base_value: float, raw: float, score: float, score_of: Callable[[float], float]) -> float:
    """Score points per unit of log-odds between the average applicant and this client."""
    span = raw - base_value
    if abs(span) > 1e-9:
        return (score - score_of(base_value)) / span
    return (score_of(raw + _STEP) - score_of(raw - _STEP)) / (2 * _STEP)  # at the base: the local slope


def named_order(contributions: np.ndarray, features: list[str], protected: Collection[str]) -> list[int]:
    """Features that may be named for this client, largest absolute effect first."""
    order = np.argsort(-np.abs(contributions), kind="stable")
    return [int(j) for j in order if contributions[j] != 0 and features[j] not in protected]


def in_points(contributions: np.ndarray, base_value: float, score: float, score_of: Callable[[float], float],
              features: list[str], protected: Collection[str], top: int = MAX_REASONS
              ) -> tuple[float, list[tuple[int, float]], float, int]:
    """(base score, [(feature index, points)] of at most ``top`` <= MAX_REASONS reasons, other points, other count)."""
    top = min(top, MAX_REASONS)
    base = float(score_of(base_value))
    per_unit = scale(base_value, base_value + float(contributions.sum()), score, score_of)
    chosen = named_order(contributions, features, protected)[:top]
    reasons = [(j, float(contributions[j]) * per_unit) for j in chosen]
    other = score - base - sum(p for _, p in reasons)
    return base, reasons, other, len(features) - len(chosen)
