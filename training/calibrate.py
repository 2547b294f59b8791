"""Calibration of out-of-fold scores, chosen by cross-validation, exported as :class:`scoring.calibration.Calibrator`.

Candidates (:data:`CANDIDATES`) are the smooth, strictly increasing, bounded
kinds: Platt's sigmoid on the logit, beta calibration and PCHIP through
isotonic block means. Each is scored by 5-fold cross-fitting on the OOF scores
(every row calibrated by a calibrator fitted on the other folds): the lowest
log-loss wins, Brier breaks ties. Plain isotonic is measured beside them for
the comparison only (it ties whole blocks of clients, so it is never chosen).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import PchipInterpolator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from scoring.calibration import HIGH, LOW, Calibrator, brier, log_loss, logit, reliability

#: Methods training may ship (strictly increasing, bounded away from 0 and 1).
CANDIDATES = ("platt_logit", "beta", "pchip")
#: Measured in the comparison but never shipped.
REFERENCE = ("isotonic",)


def _pchip(y: np.ndarray, raw: np.ndarray) -> Calibrator:
    z = logit(raw)
    fitted = IsotonicRegression(out_of_bounds="clip").fit(z, y).predict(z)
    levels, block = np.unique(fitted, return_inverse=True)  # blocks of equal fitted value, increasing
    xk = np.bincount(block, weights=z) / np.bincount(block)  # block centres on the logit scale
    yk = np.clip(levels, LOW, HIGH)
    # keep strictly increasing knots (clipping can merge the extreme blocks)
    keep = np.concatenate([[True], (np.diff(yk) > 0) & (np.diff(xk) > 0)])
    xk, yk = xk[keep], yk[keep]
    if len(xk) < 2:  # no signal: a flat-ish line through the mean
        m = float(np.clip(y.mean(), LOW, HIGH))
        xk, yk = np.array([z.min() - 1.0, z.max() + 1.0]), np.array([m * 0.999, min(m * 1.001, HIGH)])
    dk = np.asarray(PchipInterpolator(xk, yk).derivative()(xk), dtype=np.float64)
    secant = np.diff(yk) / np.diff(xk)
    dk = np.maximum(dk, 0.0)
    dk[0] = dk[0] if dk[0] > 0 else 0.5 * secant[0]
    dk[-1] = dk[-1] if dk[-1] > 0 else 0.5 * secant[-1]
    return Calibrator(kind="pchip", x=tuple(xk.tolist()), y=tuple(yk.tolist()), d=tuple(dk.tolist()))


def _beta(y: np.ndarray, raw: np.ndarray) -> Calibrator:
    r = np.clip(raw, 1e-12, 1 - 1e-12)
    X = np.column_stack([np.log(r), -np.log1p(-r)])
    lr = LogisticRegression(C=1e6, max_iter=1000).fit(X, y.astype(int))
    a, c = (float(v) for v in lr.coef_[0])
    if a < 0 or c < 0:  # keep it increasing: refit on the term with a positive sign only (Kull et al.)
        j = 0 if a >= c else 1
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(X[:, [j]], y.astype(int))
        w = max(float(lr.coef_[0, 0]), 1e-6)
        a, c = (w, 0.0) if j == 0 else (0.0, w)
    return Calibrator(kind="beta", a=a, c=c, b=float(lr.intercept_[0]))


def fit_calibrator(y, raw, method: str = "platt_logit") -> Calibrator:
    """Fit one calibration method on raw scores (see the module docstring)."""
    y = np.asarray(y, dtype=np.float64)
    raw = np.asarray(raw, dtype=np.float64)
    if method == "platt_logit":
        lr = LogisticRegression(C=1e6).fit(logit(raw).reshape(-1, 1), y.astype(int))
        return Calibrator(kind="platt_logit", a=max(float(lr.coef_[0, 0]), 1e-6), b=float(lr.intercept_[0]))
    if method == "beta":
        return _beta(y, raw)
    if method == "pchip":
        return _pchip(y, raw)
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


def cross_calibrated(y, raw, method: str = "platt_logit", folds: int = 5, seed: int = 42) -> np.ndarray:
    """Honest calibrated scores: each row calibrated by a calibrator fitted on the other folds."""
    y = np.asarray(y)
    raw = np.asarray(raw, dtype=np.float64)
    out = np.empty_like(raw)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(raw, y):
        out[test] = fit_calibrator(y[train], raw[train], method).apply(raw[test])
    return out


def compare_methods(y, raw, methods=CANDIDATES + REFERENCE, seed: int = 42) -> list[dict]:
    """Per method: cross-fitted log-loss and Brier, and, for the calibrator fitted on all rows, the AUC change,
    distinct probabilities and range on the OOF scores."""
    y = np.asarray(y)
    raw = np.asarray(raw, dtype=np.float64)
    auc_raw = float(roc_auc_score(y, raw))
    rows = []
    for method in methods:
        honest = cross_calibrated(y, raw, method, seed=seed)
        fitted = np.asarray(fit_calibrator(y, raw, method).apply(raw), dtype=np.float64)
        rows.append({
            "method": method, "eligible": method in CANDIDATES,
            "log_loss": log_loss(y, honest), "brier": brier(y, honest),
            "auc_change": float(roc_auc_score(y, fitted)) - auc_raw,
            "distinct": int(len(np.unique(fitted))), "distinct_raw": int(len(np.unique(raw))),
            "min": float(fitted.min()), "max": float(fitted.max()),
        })
    return rows


def choose_method(comparison: list[dict]) -> str:
    eligible = [r for r in comparison if r["eligible"]]
    return min(eligible, key=lambda r: (round(r["log_loss"], 6), r["brier"]))["method"]


@dataclass
class CalibrationResult:
    calibrator: Calibrator
    calibrated: np.ndarray  # OOF scores through the exported calibrator
    summary: dict  # method, comparison, brier_raw, brier (cross-fitted), brier_in_sample, reliability before/after


def calibrate_oof(y, raw, method: str = "auto", seed: int = 42, bins: int = 10) -> CalibrationResult:
    """Fit the calibrator on OOF scores; ``method="auto"`` chooses it by cross-fitted log-loss (then Brier)."""
    y = np.asarray(y)
    raw = np.asarray(raw, dtype=np.float64)
    comparison = compare_methods(y, raw, seed=seed) if method == "auto" else []
    chosen = choose_method(comparison) if method == "auto" else method
    calibrator = fit_calibrator(y, raw, chosen)
    calibrated = np.asarray(calibrator.apply(raw), dtype=np.float64)
    honest = cross_calibrated(y, raw, chosen, seed=seed)
    after = reliability(y, honest, bins)
    summary = {
        "method": chosen,
        "selection": "lowest cross-fitted log-loss (then Brier) among " + ", ".join(CANDIDATES),
        "comparison": comparison,
        "bounds": [LOW, HIGH],
        "brier_raw": brier(y, raw),
        "brier": brier(y, honest),
        "brier_in_sample": brier(y, calibrated),
        "log_loss_raw": log_loss(y, raw),
        "log_loss": log_loss(y, honest),
        "auc_raw": float(roc_auc_score(y, raw)),
        "auc": float(roc_auc_score(y, calibrated)),
        "distinct_raw": int(len(np.unique(raw))),
        "distinct": int(len(np.unique(calibrated))),
        "predicted": after["predicted"],
        "observed": after["observed"],
        "count": after["count"],
        "raw_reliability": reliability(y, raw, bins),
        "note": "brier = out-of-fold scores calibrated by a calibrator fitted on the other folds (5-fold cross-fitting)",
    }
    return CalibrationResult(calibrator=calibrator, calibrated=calibrated, summary=summary)
