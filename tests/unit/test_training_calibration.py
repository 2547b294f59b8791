"""Calibration of inflated scores improves the Brier score and exports as a Calibrator."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from scoring.calibration import HIGH, LOW, Calibrator, brier
from training.calibrate import (
    CANDIDATES,
    calibrate_oof,
    choose_method,
    compare_methods,
    cross_calibrated,
    fit_calibrator,
)


def _inflated(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    true_p = rng.beta(1, 10, n)  # ~9 % defaults
    y = (rng.random(n) < true_p).astype(int)
    raw = np.sqrt(true_p)  # monotone but inflated, as SMOTE does
    return y, raw, true_p


@pytest.mark.parametrize("method", ["platt_logit", "beta", "pchip", "isotonic", "sigmoid"])
def test_calibration_improves_brier(method):
    y, raw, _ = _inflated()
    cal = fit_calibrator(y, raw, method)
    assert isinstance(cal, Calibrator) and cal.kind == method
    assert brier(y, cal.apply(raw)) < brier(y, raw) - 0.01
    # exported as plain numbers and back
    again = Calibrator.from_dict(cal.to_dict())
    assert np.allclose(again.apply(raw), cal.apply(raw))


def test_isotonic_is_monotone_and_mean_preserving():
    y, raw, _ = _inflated()
    cal = fit_calibrator(y, raw, "isotonic")
    grid = np.linspace(0, 1, 101)
    assert np.all(np.diff(cal.apply(grid)) >= 0)
    assert cal.apply(raw).mean() == pytest.approx(y.mean(), abs=1e-6)


def test_cross_fitted_brier_is_honest_and_better_than_raw():
    y, raw, _ = _inflated(seed=1)
    honest = cross_calibrated(y, raw)
    res = calibrate_oof(y, raw)
    assert res.summary["brier"] == pytest.approx(brier(y, honest))
    assert res.summary["brier"] < res.summary["brier_raw"]
    assert res.summary["brier_in_sample"] <= res.summary["brier"] + 1e-9
    assert sum(res.summary["count"]) == len(y)


@pytest.mark.parametrize("method", CANDIDATES)
def test_smooth_methods_are_strictly_increasing_and_bounded(method):
    y, raw, _ = _inflated(seed=2)
    cal = fit_calibrator(y, raw, method)
    assert cal.smooth
    grid = np.linspace(0.0005, 0.9995, 4001)  # far beyond the fitted range at both ends
    out = cal.apply(grid)
    assert np.all(np.diff(out) > 0), "ties or a decrease where the raw score increases"
    extreme = cal.apply(np.array([0.0, 1e-9, *grid, 1 - 1e-9, 1.0]))
    assert np.all(np.diff(extreme) >= 0) and extreme.min() >= LOW and extreme.max() <= HIGH
    assert 0 < extreme.min() and extreme.max() < 1
    fitted = cal.apply(raw)
    assert len(np.unique(fitted)) >= 0.95 * len(np.unique(raw))
    assert abs(roc_auc_score(y, fitted) - roc_auc_score(y, raw)) < 0.001
    assert np.array_equal(Calibrator.from_dict(cal.to_dict()).apply(grid), out)
    assert isinstance(cal.apply(0.3), float)


def test_isotonic_collapses_ranking_into_plateaus():
    """Why isotonic is never shipped: the defect of issue 17 (29 distinct probabilities, exact 0)."""
    y, raw, _ = _inflated(seed=3)
    fitted = fit_calibrator(y, raw, "isotonic").apply(raw)
    assert len(np.unique(fitted)) < 0.2 * len(np.unique(raw)) and fitted.min() == 0.0


def test_method_is_chosen_by_cross_fitted_log_loss_among_smooth_candidates():
    y, raw, _ = _inflated(seed=4)
    rows = compare_methods(y, raw)
    assert [r["method"] for r in rows] == [*CANDIDATES, "isotonic"]
    chosen = choose_method(rows)
    assert chosen == min((r for r in rows if r["eligible"]), key=lambda r: r["log_loss"])["method"]
    res = calibrate_oof(y, raw)
    assert res.summary["method"] == chosen == res.calibrator.kind and res.summary["comparison"] == rows
    # isotonic is measured but never eligible, even when its log-loss were the best
    assert choose_method([{**r, "log_loss": 0.0 if r["method"] == "isotonic" else r["log_loss"]} for r in rows]) != "isotonic"


def test_old_isotonic_bundles_still_load():
    cal = Calibrator.from_dict({"kind": "isotonic", "x": [0, 1], "y": [0.1, 0.9], "a": 0, "b": 0})
    assert cal.apply(0.5) == pytest.approx(0.5)


def test_invalid_smooth_calibrators_are_refused():
    with pytest.raises(ValueError):
        Calibrator(kind="platt_logit", a=-1.0)
    with pytest.raises(ValueError):
        Calibrator(kind="beta", a=-0.5, c=1.0)
    with pytest.raises(ValueError):
        Calibrator(kind="pchip", x=(0.0, 1.0), y=(0.2, 0.2), d=(0.1, 0.1))
