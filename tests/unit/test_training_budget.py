"""Time-budgeted subsampling (training.budget): when it engages, how it sizes the subsample."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from training.budget import Budget, fit_counts, make_plan, pilot_params, size_rows, stratified_positions
from training.profiles import get_profile


def test_the_real_sample_size_keeps_every_row_and_runs_no_pilot():
    y = np.r_[np.zeros(6_440), np.ones(560)].astype(int)  # the 7,000-applicant sample
    data = SimpleNamespace(y=y, X=None)  # no X: a pilot fit would fail
    plan = make_plan(data, get_profile("full"), 10, seed=0)
    assert not plan.subsampled and plan.cv_rows == 7_000 and plan.pilot is None
    assert np.array_equal(plan.positions, np.arange(7_000))


def test_subsampling_starts_above_the_threshold_with_a_fixed_size():
    y = (np.arange(50_000) % 12 == 0).astype(int)
    plan = make_plan(SimpleNamespace(y=y, X=None), get_profile("full"), 10, seed=0, budget=Budget(rows=12_000))
    assert plan.subsampled and plan.cv_rows == len(plan.positions) == 12_000
    assert np.all(np.diff(plan.positions) > 0)


def test_size_rows_fills_the_time_left_after_the_per_fit_overhead():
    pilot = {"overhead_seconds": 1.0, "seconds_per_row": 0.01}
    # 10 fits of 1 s overhead + 10 * 0.5 * rows * 0.01 s = 110 s -> 2,000 rows
    assert size_rows(pilot, [("a", 10, 0.5)], 110.0) == 2_000
    assert size_rows(pilot, [("a", 10, 0.5)], 5.0) == 0


def test_fit_counts_cover_every_cross_validated_step():
    full = get_profile("full")
    from training.search import halving_fits

    counts = {name: (n, share) for name, n, share in fit_counts(full, 9)}
    search = [v for name, v in counts.items() if name.startswith("search")]
    assert sum(n for n, _ in search) == halving_fits(9, full.shares, full.factor) * full.folds
    assert search[-1][1] == pytest.approx((full.folds - 1) / full.folds)  # the last rung: all training rows
    assert counts["ablation"][0] == 2 * full.folds
    assert counts["honest estimate"][0] == full.folds * full.inner_folds
    assert "protected-attribute variant" in counts


def test_the_pilot_times_the_costliest_candidate_the_search_will_draw():
    from sklearn.model_selection import ParameterSampler

    full = get_profile("full")
    ratio, params = pilot_params(full, 10, seed=42)
    drawn = list(ParameterSampler(full.distributions, 10, random_state=42))
    def cost(c):
        return c.get("model__iterations", full.base_params["iterations"]) * c["model__depth"]

    assert params["iterations"] * params["depth"] == max(map(cost, drawn)) and "max_ctr_complexity" in params
    assert 0.1 <= ratio <= 1.0


def test_stratified_positions_keep_the_default_rate():
    y = (np.arange(30_000) % 11 == 0).astype(int)
    pos = stratified_positions(y, 3_000, seed=1)
    assert len(pos) == 3_000 and abs(y[pos].sum() - round(3_000 * y.mean())) <= 1
    assert len(np.unique(pos)) == 3_000


def test_when_even_the_floor_does_not_fit_the_search_gets_fewer_candidates(monkeypatch):
    import training.budget as budget

    slow = {"rows": [2_000, 6_000], "seconds": [50.0, 60.0], "seconds_per_row": 0.0025, "overhead_seconds": 45.0,
            "smote_ratio": 0.3, "params": {}}
    monkeypatch.setattr(budget, "run_pilot", lambda *a, **k: slow)
    y = (np.arange(100_000) % 12 == 0).astype(int)
    plan = make_plan(SimpleNamespace(y=y, X=None), get_profile("full"), 10, seed=0,
                     budget=Budget(seconds=3_000, min_rows=10_000, min_candidates=4))
    assert plan.subsampled and plan.cv_rows == 10_000
    assert Budget().min_candidates <= plan.n_iter < 10 and "search reduced" in plan.reason
    full = get_profile("full")
    assert plan.estimate["fits"]["search rung 1"] == plan.n_iter * full.folds
