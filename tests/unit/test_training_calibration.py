"""Calibration of inflated scores improves the Brier score and exports as a Calibrator."""

import numpy as np
import pytest

from scoring.calibration import Calibrator, brier
from training.calibrate import calibrate_oof, cross_calibrated, fit_calibrator


def _inflated(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    true_p = rng.beta(1, 10, n)  # ~9 % defaults
    y = (rng.random(n) < true_p).astype(int)
    raw = np.sqrt(true_p)  # monotone but inflated, as SMOTE does
    return y, raw, true_p


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
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
