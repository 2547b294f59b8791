"""Holdout of a subsampled run (training.budget.holdout_positions, training.holdout.choose_and_report): drawn
outside the CV subsample, split in halves; the choose half alone sets the calibrator and the threshold."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from training.budget import (
    HOLDOUT_FLOOR,
    HOLDOUT_MAX_ROWS,
    HOLDOUT_MIN_ROWS,
    Budget,
    holdout_positions,
    holdout_size,
    make_plan,
    stratified_positions,
)
from training.holdout import choose_and_report
from training.profiles import get_profile


def test_holdout_size_rule():
    assert holdout_size(307_511, 304_511) == 30_751  # 10 %
    assert holdout_size(25_000, 20_000) == 2_500
    assert holdout_size(15_000, 10_000) == HOLDOUT_MIN_ROWS  # 10 % would be 1,500
    assert holdout_size(1_000_000, 990_000) == HOLDOUT_MAX_ROWS
    assert holdout_size(30_000, 1_200) == 1_200  # never more than the rows outside the subsample
    assert holdout_size(30_000, HOLDOUT_FLOOR - 1) == 0  # too few outside: no holdout
    # the choose half must hold at least the subsample's rows (the out-of-fold predictions it replaces)
    assert holdout_size(307_511, 304_511, cv_rows=3_000) == 30_751
    assert holdout_size(307_511, 304_511, cv_rows=15_375) == 30_751 and holdout_size(307_511, 304_511, 15_376) == 0
    assert holdout_size(5_000, 3_500, cv_rows=1_500) == 0  # the real-sample diagnostic: 1,000 to choose < 1,500


def test_the_holdout_lies_outside_the_subsample_in_two_stratified_halves():
    y = (np.arange(60_000) % 12 == 0).astype(int)
    cv = stratified_positions(y, 3_000, seed=4)
    choose, report, summary = holdout_positions(y, cv, seed=4)
    assert len(choose) + len(report) == summary["rows"] == 6_000
    assert not np.intersect1d(choose, cv).size and not np.intersect1d(report, cv).size
    assert not np.intersect1d(choose, report).size
    assert abs(len(choose) - len(report)) <= 1
    for half in (choose, report):
        assert abs(y[half].sum() - len(half) * y.mean()) <= 1
    assert summary["refit_rows"] == 60_000 - 6_000
    again = holdout_positions(y, cv, seed=4)
    assert np.array_equal(again[0], choose) and np.array_equal(again[1], report)  # seeded


def test_a_plan_without_subsampling_has_no_holdout_and_keeps_its_step_lists():
    y = np.r_[np.zeros(6_440), np.ones(560)].astype(int)
    plan = make_plan(SimpleNamespace(y=y, X=None), get_profile("full"), 10, seed=0)
    md = plan.as_metadata()
    assert plan.holdout is None and md["holdout"] is None and not len(plan.held_out)
    assert md["steps_on_subsample"] == [] and md["steps_on_all_rows"][0] == "final refit"
    assert "steps_on_holdout" not in md


def test_a_subsampled_plan_holds_out_rows_outside_its_subsample():
    y = (np.arange(50_000) % 12 == 0).astype(int)
    plan = make_plan(SimpleNamespace(y=y, X=None), get_profile("full"), 10, seed=0, budget=Budget(rows=2_500))
    assert plan.holdout["rows"] == 5_000 == len(plan.held_out)
    wide = make_plan(SimpleNamespace(y=y, X=None), get_profile("full"), 10, seed=0, budget=Budget(rows=2_501))
    assert wide.holdout is None and not len(wide.held_out)  # 2,500 to choose on: fewer than the CV's 2,501
    assert not np.intersect1d(plan.held_out, plan.positions).size
    md = plan.as_metadata()
    assert md["steps_on_all_rows_but_holdout"] == ["final refit"]
    assert any("threshold" in step for step in md["steps_on_holdout"])
    assert not any("threshold" in step for step in md["steps_on_subsample"])


def _halves(seed: int = 0, n: int = 1_500):
    rng = np.random.default_rng(seed)
    y = (rng.random(2 * n) < 0.1).astype(int)
    raw = 1 / (1 + np.exp(-(rng.normal(size=2 * n) + 1.5 * y - 2.5)))
    return y[:n], raw[:n], y[n:], raw[n:]


def _choice(result):
    return result.calibration.calibrator, result.threshold.threshold


def test_the_report_half_never_moves_the_calibrator_or_the_threshold():
    yc, rc, yr, rr = _halves()
    base = choose_and_report(yc, rc, yr, rr, 10, 1, seed=1, n_boot=20)
    flipped = choose_and_report(yc, rc, 1 - yr, rr, 10, 1, seed=1, n_boot=20)
    shuffled = choose_and_report(yc, rc, yr, np.random.default_rng(9).permutation(rr), 10, 1, seed=1, n_boot=20)
    assert _choice(flipped) == _choice(base) == _choice(shuffled)
    # ... while every reported figure comes from it
    assert flipped.metrics["business_cost"] != base.metrics["business_cost"]
    assert flipped.estimate["auc"] == pytest.approx(1 - base.estimate["auc"])
    assert base.metrics["n"] == len(yr) and base.estimate["n"] == len(yr)


def test_the_choose_half_sets_them():
    yc, rc, yr, rr = _halves()
    base = choose_and_report(yc, rc, yr, rr, 10, 1, seed=1, n_boot=20)
    # more defaults among the choose half's middle scores: a higher calibrated risk, a lower threshold
    middle = (rc > np.quantile(rc, 0.4)) & (rc < np.quantile(rc, 0.8))
    moved = choose_and_report(np.where(middle, 1, yc), rc, yr, rr, 10, 1, seed=1, n_boot=20)
    assert moved.calibration.calibrator != base.calibration.calibrator
    assert moved.threshold.threshold != base.threshold.threshold


def test_the_honest_estimate_has_a_seeded_bootstrap_spread():
    yc, rc, yr, rr = _halves()
    a = choose_and_report(yc, rc, yr, rr, 10, 1, seed=1, n_boot=50)
    b = choose_and_report(yc, rc, yr, rr, 10, 1, seed=1, n_boot=50)
    est = a.estimate
    assert est == b.estimate and est["bootstrap"] == 50 and est["business_cost_std"] > 0
    assert est["business_cost_ci"][0] <= est["business_cost"] <= est["business_cost_ci"][1]
    assert "optimistic" in est["in_sample"]["label"] and est["in_sample"]["n"] == len(yc)
