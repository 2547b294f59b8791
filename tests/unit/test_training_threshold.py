"""Business cost and threshold search on toys whose optimum is known by hand."""

import numpy as np
import pytest

from scoring.cost import business_cost
from training.threshold import MIN_GRID_POINTS, best_cost, choose_threshold, grid


def test_cost_function_counts_fn_and_fp_per_client():
    y = np.array([1, 1, 0, 0, 0])
    pred = np.array([0, 1, 1, 0, 0])  # 1 FN, 1 FP
    assert business_cost(y, pred) == pytest.approx((10 * 1 + 1 * 1) / 5)
    assert business_cost(y, pred, fn_cost=3, fp_cost=2) == pytest.approx((3 + 2) / 5)


def test_grid_has_enough_points_strictly_inside_unit_interval():
    g = grid()
    assert len(g) >= MIN_GRID_POINTS
    assert g.min() > 0 and g.max() < 1


def test_threshold_separating_classes_is_found():
    # defaulters score 0.6-0.9, repayers 0.05-0.3: any threshold in (0.3, 0.6] costs 0
    y = np.array([0] * 50 + [1] * 10)
    p = np.concatenate([np.linspace(0.05, 0.3, 50), np.linspace(0.6, 0.9, 10)])
    res = choose_threshold(y, p, fn_cost=10, fp_cost=1)
    assert res.cost == 0.0
    assert 0.3 < res.threshold <= 0.6
    assert res.accept_all == pytest.approx(10 * 10 / 60)
    assert len(res.curve["thresholds"]) == len(res.curve["cost"]) >= MIN_GRID_POINTS


def test_threshold_trades_fn_against_fp_by_costs():
    # one defaulter at 0.2 among 5 repayers at 0.2-0.25 and a repayer at 0.1:
    # refusing everyone from 0.2 up costs 5 FP (5 < 10: refuse), with fn_cost 4 accepting is cheaper.
    y = np.array([0, 0, 0, 0, 0, 1, 0])
    p = np.array([0.2, 0.21, 0.22, 0.23, 0.25, 0.2, 0.1])
    expensive = choose_threshold(y, p, fn_cost=10, fp_cost=1)
    assert expensive.threshold == pytest.approx(0.2)
    assert expensive.cost == pytest.approx(5 / 7)
    cheap = choose_threshold(y, p, fn_cost=4, fp_cost=1)
    assert cheap.threshold > 0.25
    assert cheap.cost == pytest.approx(4 / 7)


def test_best_cost_is_invariant_to_monotone_rescaling():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    p = np.clip(0.3 * y + rng.normal(0.3, 0.2, 500), 0.001, 0.999)
    _, cost = best_cost(y, p, 10, 1)
    _, cost_sq = best_cost(y, p ** 3, 10, 1)
    assert cost == pytest.approx(cost_sq, abs=2e-3)
