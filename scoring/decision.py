"""From a calibrated probability of default to the advisor-facing score and decision.

The score runs 0-100 and is centred on the decision threshold: the threshold
maps to 50, lower probabilities to lower scores (piecewise linear, monotone).
Scores in the 45-55 band are left to the advisor's discretion ("review").
"""

from __future__ import annotations

import numpy as np

REVIEW_LOW = 45.0
REVIEW_HIGH = 55.0

APPROVE, REVIEW, DECLINE = "approve", "review", "decline"


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


def decide(score: float) -> str:
    """approve below 45, review from 45 to 55 inclusive, decline above 55."""
    if score < REVIEW_LOW:
        return APPROVE
    if score <= REVIEW_HIGH:
        return REVIEW
    return DECLINE


def decide_many(scores) -> np.ndarray:
    s = np.asarray(scores, dtype=np.float64)
    return np.where(s < REVIEW_LOW, APPROVE, np.where(s <= REVIEW_HIGH, REVIEW, DECLINE))
