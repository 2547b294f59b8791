"""The one decision rule of the core (scoring/decision.py), pinned to the product's 45-55 band."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.contract import BandItem
from scoring.decision import bands, decide, decision_index, from_score, to_score

# The product rule, written out: scores 45 to 55 inclusive are the advisor's discretion.
PINNED = [(0.0, "approve"), (30.0, "approve"), (40.0, "approve"), (42.5, "approve"), (44.999, "approve"),
          (45.0, "review"), (50.0, "review"), (55.0, "review"), (55.001, "decline"), (58.0, "decline"),
          (100.0, "decline")]


@pytest.mark.parametrize("score, expected", PINNED)
def test_scalar_decision_is_the_product_rule(score, expected):
    assert decide(score) == expected and isinstance(decide(score), str)


def test_vectorised_decision_equals_the_scalar_one():
    scores = np.array([s for s, _ in PINNED] + list(np.linspace(0, 100, 2001)))
    many = decide(scores)
    assert many.shape == scores.shape
    assert list(many) == [decide(float(s)) for s in scores]
    assert list(many[:len(PINNED)]) == [d for _, d in PINNED]
    assert list(decision_index(scores[:len(PINNED)])) == [("approve", "review", "decline").index(d) for _, d in PINNED]


def test_served_bands_describe_the_rule():
    served = [BandItem.model_validate(b) for b in bands()]
    assert [(b.decision, b.band, b.low, b.high) for b in served] == [
        ("approve", "green", 0.0, 45.0), ("review", "orange", 45.0, 55.0), ("decline", "red", 55.0, 100.0)]
    for b in served:  # every band's inner points get the band's decision
        assert decide((b.low + b.high) / 2) == b.decision


def test_threshold_maps_to_fifty_and_back():
    assert to_score(0.1, 0.1) == pytest.approx(50.0)
    p = np.linspace(0, 1, 11)
    np.testing.assert_allclose(from_score(to_score(p, 0.2), 0.2), p, atol=1e-12)
