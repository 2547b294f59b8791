"""Out-of-fold predictions of any estimator on fixed folds; ablation and model comparison rows."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from training.threshold import best_cost

log = logging.getLogger(__name__)


def oof_predictions(estimator, X: pd.DataFrame, y: np.ndarray, folds: list, name: str = "model",
                    tick=None) -> np.ndarray:
    """P(class 1) for every row from the model trained on the other folds (resampling happens in fit only);
    ``tick()`` after each fold (a progress bar)."""
    oof = np.full(len(y), np.nan)
    started = time.perf_counter()
    for k, (train, test) in enumerate(folds):
        model = clone(estimator).fit(X.iloc[train], y[train])
        oof[test] = model.predict_proba(X.iloc[test])[:, 1]
        log.info("%s: fold %d/%d AUC %.4f (%.0fs)", name, k + 1, len(folds),
                 roc_auc_score(y[test], oof[test]), time.perf_counter() - started)
        if tick is not None:
            tick()
    return oof


def fold_aucs(y: np.ndarray, oof: np.ndarray, folds: list) -> list[float]:
    return [float(roc_auc_score(y[test], oof[test])) if len(np.unique(y[test])) == 2 else float("nan")
            for _, test in folds]


def summarise(name: str, y: np.ndarray, oof: np.ndarray, folds: list, fn_cost: float, fp_cost: float,
              **extra) -> dict:
    """AUC (mean of folds, as the search reports it, and pooled) and the best achievable cost per client."""
    aucs = fold_aucs(y, oof, folds)
    threshold, cost = best_cost(y, oof, fn_cost, fp_cost)
    return {
        "variant": name,
        "auc": float(np.nanmean(aucs)),
        "auc_std": float(np.nanstd(aucs)),
        "auc_pooled": float(roc_auc_score(y, oof)) if len(np.unique(oof)) > 1 else 0.5,
        "business_cost": float(cost),
        "best_threshold_raw": float(threshold),
        **extra,
    }
