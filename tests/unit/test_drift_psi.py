"""scoring.monitoring.psi: population stability index of a score (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.monitoring.psi import EPSILON, psi, psi_status, psi_table, quantile_edges


def _scores(n=20_000, seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    return 1 / (1 + np.exp(-(rng.normal(-2.5, 1.0, n) + shift)))  # probabilities, default-rate-like


def test_identical_scores_have_zero_psi():
    s = _scores()
    assert psi(s, s) == 0.0
    assert psi(s, s.copy()[::-1]) == 0.0  # order does not matter


def test_same_population_is_stable():
    value = psi(_scores(seed=1), _scores(seed=2))
    assert 0 <= value < 0.01
    assert psi_status(value) == "stable"


def test_shifted_scores_have_large_psi():
    value = psi(_scores(seed=1), _scores(seed=2, shift=1.0))
    assert value > 0.25
    assert psi_status(value) == "act"


def test_moderate_shift_is_watch():
    value = psi(_scores(seed=1), _scores(seed=2, shift=0.45))
    assert 0.1 <= value <= 0.25, value
    assert psi_status(value) == "watch"


def test_matches_the_textbook_formula():
    ref = np.arange(1000, dtype=float)
    cur = np.concatenate([np.arange(500), np.arange(500)]).astype(float)  # all in the lower half
    table = psi_table(ref, cur, bins=2)
    assert table["edges"] == [499.75]  # halfway between the median 499.5 and the next value 500
    assert table["reference_share"] == [0.5, 0.5]
    assert table["current_share"] == [1.0, 0.0]
    # the empty bin uses epsilon instead of 0: finite PSI
    expected = (1.0 - 0.5) * np.log(1.0 / 0.5) + (EPSILON - 0.5) * np.log(EPSILON / 0.5)
    assert table["psi"] == pytest.approx(expected)
    assert np.isfinite(table["psi"])
    assert sum(table["contribution"]) == pytest.approx(table["psi"])


def test_values_outside_the_reference_range_count_in_the_end_bins():
    ref = np.linspace(0.1, 0.2, 1000)
    cur = np.full(100, 0.9)  # all above the reference maximum
    table = psi_table(ref, cur, bins=10)
    assert table["current_share"][-1] == 1.0
    assert table["psi"] > 1


def test_ties_collapse_bins_and_nan_is_dropped():
    ref = np.array([0.1] * 900 + [0.5] * 100 + [np.nan] * 50)
    edges = quantile_edges(ref, bins=10)
    assert len(edges) < 9  # plateaus (e.g. isotonic calibration) collapse tied quantiles: fewer bins
    table = psi_table(ref, np.array([0.1] * 90 + [0.5] * 10 + [np.inf]))
    assert table["reference_n"] == 1000 and table["current_n"] == 100
    assert table["psi"] == pytest.approx(0.0, abs=1e-12)


def test_empty_input_is_an_error():
    with pytest.raises(ValueError, match="reference"):
        psi([], [0.1])
    with pytest.raises(ValueError, match="current"):
        psi([0.1, 0.2], [np.nan])


@pytest.mark.parametrize("value,status", [(0.0, "stable"), (0.0999, "stable"), (0.1, "watch"), (0.25, "watch"),
                                          (0.2501, "act"), (None, None)])
def test_psi_reading(value, status):
    assert psi_status(value) == status


def test_plateau_scores_survive_float32_rounding():
    """Isotonic-calibrated scores sit on a few plateau values; the store keeps them as float32."""
    rng = np.random.default_rng(3)
    plateaus = np.array([0.0225, 1 / 32.1, 0.0416666666, 0.0548, 0.0901, 0.1591, 0.31])
    ref = rng.choice(plateaus, 20_000, p=[0.15, 0.16, 0.16, 0.16, 0.14, 0.13, 0.10])
    cur = rng.choice(plateaus, 5_000, p=[0.15, 0.16, 0.16, 0.16, 0.14, 0.13, 0.10]).astype(np.float32)
    assert psi(ref, cur) < 0.01
    assert psi(ref, cur.astype(np.float64)) < 0.01
