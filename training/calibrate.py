"""Calibration of out-of-fold scores, exported as :class:`scoring.calibration.Calibrator`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from scoring.calibration import Calibrator, brier, reliability


def fit_calibrator(y, raw, method: str = "isotonic") -> Calibrator:
    """Fit isotonic regression (knots) or Platt's sigmoid on raw scores."""
    y = np.asarray(y, dtype=np.float64)
    raw = np.asarray(raw, dtype=np.float64)
    if method == "isotonic":
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, y)
        x, fitted = np.asarray(iso.X_thresholds_, float), np.asarray(iso.y_thresholds_, float)
        if len(x) < 2:  # degenerate: constant
            x, fitted = np.array([0.0, 1.0]), np.array([fitted[0], fitted[0]] if len(fitted) else [y.mean()] * 2)
        return Calibrator(kind="isotonic", x=tuple(x.tolist()), y=tuple(np.maximum.accumulate(fitted).tolist()))
    if method == "sigmoid":
        lr = LogisticRegression(C=1e6).fit(raw.reshape(-1, 1), y.astype(int))
        # p = 1 / (1 + exp(-(w r + c))) = 1 / (1 + exp(a r + b)) with a = -w, b = -c
        return Calibrator(kind="sigmoid", a=float(-lr.coef_[0, 0]), b=float(-lr.intercept_[0]))
    raise ValueError(f"unknown calibration method {method!r}")


def cross_calibrated(y, raw, method: str = "isotonic", folds: int = 5, seed: int = 42) -> np.ndarray:
    """Honest calibrated scores: each row calibrated by a calibrator fitted on the other folds."""
    y = np.asarray(y)
    raw = np.asarray(raw, dtype=np.float64)
    out = np.empty_like(raw)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(raw, y):
        out[test] = fit_calibrator(y[train], raw[train], method).apply(raw[test])
    return out


@dataclass
class CalibrationResult:
    calibrator: Calibrator
    calibrated: np.ndarray  # OOF scores through the exported calibrator
    summary: dict  # brier_raw, brier (cross-fitted), brier_in_sample, reliability before/after


def calibrate_oof(y, raw, method: str = "isotonic", seed: int = 42, bins: int = 10) -> CalibrationResult:
    calibrator = fit_calibrator(y, raw, method)
    calibrated = np.asarray(calibrator.apply(raw), dtype=np.float64)
    honest = cross_calibrated(y, raw, method, seed=seed)
    after = reliability(y, honest, bins)
    summary = {
        "method": method,
        "brier_raw": brier(y, raw),
        "brier": brier(y, honest),
        "brier_in_sample": brier(y, calibrated),
        "predicted": after["predicted"],
        "observed": after["observed"],
        "count": after["count"],
        "raw_reliability": reliability(y, raw, bins),
        "note": "brier = out-of-fold scores calibrated by a calibrator fitted on the other folds (5-fold cross-fitting)",
    }
    return CalibrationResult(calibrator=calibrator, calibrated=calibrated, summary=summary)
