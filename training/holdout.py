"""Calibration, threshold and honest estimate of a subsampled run, on a holdout the shipped model never saw.

On a large data set the cross-validated steps run on a subsample (:mod:`training.budget`) and the shipped
model is refit on every labelled row except a stratified holdout drawn outside that subsample, split in two
stratified halves. The shipped model's raw predictions on them:

1. *choose* half: the calibration method (same selection as :func:`training.calibrate.calibrate_oof`), the
   calibrator and the cost-minimising threshold are fitted on it;
2. *report* half: the calibrated probabilities are cut at that threshold; AUC and business cost per client,
   with a seeded bootstrap spread, are the honest estimate. Nothing is chosen on these rows.

:func:`choose_and_report` takes the two halves' labels and predictions only, so a test can show the report
half never moves the choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from scoring.calibration import brier
from scoring.cost import business_cost
from training.calibrate import CalibrationResult, calibrate_oof
from training.metrics import classification_metrics, roc_points
from training.threshold import ThresholdResult, choose_threshold

#: bootstrap resamples of the report half (spread of its AUC and cost)
N_BOOT = 200

PROCEDURE = ("shipped model (refit on every labelled row except the holdout) scored on the holdout's report "
             "half, with the calibrator and threshold chosen on its choose half; spread = {n_boot} bootstrap "
             "resamples of the report half (seeded)")


@dataclass
class HoldoutResult:
    calibration: CalibrationResult  # fitted on the choose half (``calibrated``: the choose half's probabilities)
    threshold: ThresholdResult  # chosen on the choose half
    metrics: dict  # at the threshold, on the report half
    roc: dict  # report half
    estimate: dict  # honest estimate on the report half (AUC, cost, bootstrap spread, in-sample choose figure)
    report_probability: np.ndarray  # calibrated probabilities of the report half


def bootstrap(y, proba, threshold: float, fn_cost: float, fp_cost: float, n_boot: int = N_BOOT,
              seed: int = 42) -> dict:
    """Std and 95 % percentile interval of AUC and cost per client over ``n_boot`` resamples of the rows."""
    y = np.asarray(y).astype(int)
    p = np.asarray(proba, dtype=np.float64)
    pred = (p >= threshold).astype(int)
    rng = np.random.default_rng(seed)
    aucs, costs = [], []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        if len(np.unique(y[idx])) == 2:
            aucs.append(roc_auc_score(y[idx], p[idx]))
        costs.append(business_cost(y[idx], pred[idx], fn_cost, fp_cost))
    aucs, costs = np.asarray(aucs), np.asarray(costs)
    return {"auc_std": float(aucs.std()), "auc_ci": [float(v) for v in np.percentile(aucs, [2.5, 97.5])],
            "business_cost_std": float(costs.std()),
            "business_cost_ci": [float(v) for v in np.percentile(costs, [2.5, 97.5])], "bootstrap": int(n_boot)}


def choose_and_report(y_choose, raw_choose, y_report, raw_report, fn_cost: float, fp_cost: float, seed: int = 42,
                      n_boot: int = N_BOOT) -> HoldoutResult:
    """Calibrator and threshold from the choose half, every reported figure from the report half."""
    y_choose, y_report = np.asarray(y_choose), np.asarray(y_report)
    raw_choose = np.asarray(raw_choose, dtype=np.float64)
    raw_report = np.asarray(raw_report, dtype=np.float64)
    cal = calibrate_oof(y_choose, raw_choose, seed=seed)
    thr = choose_threshold(y_choose, cal.calibrated, fn_cost, fp_cost)
    p = np.asarray(cal.calibrator.apply(raw_report), dtype=np.float64)
    metrics = classification_metrics(y_report, p, thr.threshold, fn_cost, fp_cost)
    spread = bootstrap(y_report, p, thr.threshold, fn_cost, fp_cost, n_boot, seed)
    choose_auc = float(roc_auc_score(y_choose, cal.calibrated))
    estimate = {
        "computed": True, "source": "holdout report half",
        "n": int(len(y_report)), "defaults": int(y_report.sum()),
        "auc": metrics["auc"], "business_cost": metrics["business_cost"], **spread,
        "threshold": float(thr.threshold), "calibration": cal.summary["method"],
        "procedure": PROCEDURE.format(n_boot=n_boot),
        "in_sample": {"auc": choose_auc, "business_cost": float(thr.cost), "n": int(len(y_choose)),
                      "label": "optimistic: threshold chosen on these same predictions (holdout choose half)"},
    }
    metrics.update({"auc_pooled_raw": float(roc_auc_score(y_report, raw_report)), "brier_raw": brier(y_report, raw_report),
                    "brier": brier(y_report, p), "source": f"holdout report half ({len(y_report):,} rows, shipped model)"})
    return HoldoutResult(calibration=cal, threshold=thr, metrics=metrics, roc=roc_points(y_report, p),
                         estimate=estimate, report_probability=p)
