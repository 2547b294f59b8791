"""From a calibrated probability of default to the advisor-facing score and decision.

The score runs 0-100 and is centred on the decision threshold: the threshold
maps to 50, lower probabilities to lower scores (piecewise linear, monotone).
Scores in the 45-55 band are left to the advisor's discretion ("review").

This module is the only place the bands and the rule live: the service serves
:func:`bands` in ``GET /model`` and the dashboard draws its colours and legend
from that answer.
"""

from __future__ import annotations

import numpy as np

REVIEW_LOW = 45.0
REVIEW_HIGH = 55.0

APPROVE, REVIEW, DECLINE = "approve", "review", "decline"
DECISIONS = (APPROVE, REVIEW, DECLINE)
BANDS = {APPROVE: "green", REVIEW: "orange", DECLINE: "red"}
_DECISIONS = np.array(DECISIONS, dtype=object)


def to_score(probability, threshold: float):
    """Map P(default) to the 0-100 score (threshold -> 50). Scalar in, float out; array in, array out."""
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must lie strictly between 0 and 1")
    p = np.clip(np.asarray(probability, dtype=np.float64), 0.0, 1.0)
    score = np.where(p <= threshold, 50.0 * p / threshold, 50.0 + 50.0 * (p - threshold) / (1.0 - threshold))
    return float(score) if score.ndim == 0 else score


def from_score(score, threshold: float):
    """Inverse of :func:`to_score`."""
    s = np.clip(np.asarray(score, dtype=np.float64), 0.0, 100.0)
    p = np.where(s <= 50.0, s / 50.0 * threshold, threshold + (s - 50.0) / 50.0 * (1.0 - threshold))
    return float(p) if p.ndim == 0 else p


def decision_index(score):
    """The rule, vectorised: 0 approve below 45, 1 review from 45 to 55 inclusive, 2 decline above 55."""
    s = np.asarray(score, dtype=np.float64)
    return (s >= REVIEW_LOW).astype(np.int8) + (s > REVIEW_HIGH).astype(np.int8)


def decide(score):
    """Decision of a score (str) or of an array of scores (array of str), by :func:`decision_index`."""
    index = decision_index(score)
    return DECISIONS[int(index)] if index.ndim == 0 else _DECISIONS[index].astype(str)


def bands() -> list[dict]:
    """The three bands as the service serves them (``GET /model``): decision, colour name, score range.

    ``low`` is inclusive for review (45 is review), ``high`` inclusive for review (55 is review)."""
    return [
        {"decision": APPROVE, "band": BANDS[APPROVE], "low": 0.0, "high": REVIEW_LOW},
        {"decision": REVIEW, "band": BANDS[REVIEW], "low": REVIEW_LOW, "high": REVIEW_HIGH},
        {"decision": DECLINE, "band": BANDS[DECLINE], "low": REVIEW_HIGH, "high": 100.0},
    ]
