"""Honest estimate of AUC and business cost: the threshold never sees the rows it is scored on.

The shipped threshold (and the calibrator) are chosen on all out-of-fold
predictions, and the cost measured on those same predictions is optimistic
(the threshold fits their noise). Here, for each outer fold of the search:

1. inner out-of-fold predictions are made on the *other* folds only
   (``inner_predict(train_rows)``: models trained and scored within those rows);
2. the calibration method, the calibrator and the cost-minimising threshold are
   fitted on those inner predictions;
3. the outer fold's own predictions (the shipped model's out-of-fold scores,
   bagged members included, from models that never saw the fold) are calibrated and cut at that
   threshold: AUC and cost per client on the fold.

The spread is the standard deviation over folds. The hyper-parameters are
those the search chose on all folds: the choice among a few candidates is not
nested (said in the methodology note).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from sklearn.metrics import roc_auc_score

from scoring.cost import business_cost
from training.calibrate import calibrate_oof
from training.threshold import choose_threshold

log = logging.getLogger(__name__)

PROCEDURE = ("per outer fold: calibrator and threshold chosen on inner out-of-fold predictions of the other folds "
             "only, then applied to the fold's own out-of-fold predictions; spread = standard deviation over folds; "
             "hyper-parameters from the search on all folds")


def honest_estimate(y, outer_oof, folds: list, inner_predict: Callable[[np.ndarray], np.ndarray], fn_cost: float,
                    fp_cost: float, seed: int = 42, choose: Callable = choose_threshold) -> dict:
    """AUC and business cost per outer fold with the threshold chosen without the fold (see module docstring)."""
    y = np.asarray(y)
    outer_oof = np.asarray(outer_oof, dtype=np.float64)
    rows = []
    for k, (train, test) in enumerate(folds):
        train, test = np.asarray(train), np.asarray(test)
        if np.intersect1d(train, test).size:
            raise ValueError(f"outer fold {k}: training and evaluation rows overlap")
        inner = np.asarray(inner_predict(train), dtype=np.float64)
        cal = calibrate_oof(y[train], inner, seed=seed)
        thr = choose(y[train], cal.calibrated, fn_cost, fp_cost)
        p = np.asarray(cal.calibrator.apply(outer_oof[test]), dtype=np.float64)
        cost = business_cost(y[test], (p >= thr.threshold).astype(int), fn_cost, fp_cost)
        rows.append({"fold": k, "n": int(len(test)), "auc": float(roc_auc_score(y[test], outer_oof[test])),
                     "business_cost": float(cost), "threshold": float(thr.threshold),
                     "calibration": cal.summary["method"], "inner_cost": float(thr.cost)})
        log.info("honest estimate: fold %d/%d AUC %.4f cost %.4f at threshold %.3f (inner cost %.4f)", k + 1,
                 len(folds), rows[-1]["auc"], cost, thr.threshold, thr.cost)
    auc = np.array([r["auc"] for r in rows])
    cost = np.array([r["business_cost"] for r in rows])
    return {"auc": float(auc.mean()), "auc_std": float(auc.std()), "business_cost": float(cost.mean()),
            "business_cost_std": float(cost.std()), "business_cost_min": float(cost.min()),
            "business_cost_max": float(cost.max()), "folds": rows, "procedure": PROCEDURE, "computed": True}
