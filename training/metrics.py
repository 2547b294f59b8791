"""Classification metrics at the decision threshold, ROC points, business cost."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score, roc_curve

from scoring.cost import accept_all_cost, business_cost, confusion

MAX_ROC_POINTS = 200


def classification_metrics(y, proba, threshold: float, fn_cost: float, fp_cost: float) -> dict:
    """AUC, accuracy, precision, recall, F1, cost per client and confusion matrix (predict 1 when p >= t)."""
    y = np.asarray(y).astype(int)
    p = np.asarray(proba, dtype=np.float64)
    pred = (p >= threshold).astype(int)
    c = confusion(y, pred)
    return {
        "n": int(len(y)),
        "default_rate": float(y.mean()),
        "auc": float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else None,
        "accuracy": float(accuracy_score(y, pred)),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "f1": float(f1_score(y, pred, zero_division=0)),
        "business_cost": float(business_cost(y, pred, fn_cost, fp_cost)),
        "accept_all_cost": float(accept_all_cost(y, fn_cost)),
        "refusal_rate": float(pred.mean()),
        "threshold": float(threshold),
        "confusion_matrix": c.as_list(),
        "tn": c.tn, "fp": c.fp, "fn": c.fn, "tp": c.tp,
    }


def roc_points(y, proba, max_points: int = MAX_ROC_POINTS) -> dict:
    """ROC curve downsampled to at most ``max_points`` points (first and last kept)."""
    fpr, tpr, thr = roc_curve(np.asarray(y).astype(int), np.asarray(proba, dtype=np.float64))
    if len(fpr) > max_points:
        keep = np.unique(np.linspace(0, len(fpr) - 1, max_points).round().astype(int))
        fpr, tpr, thr = fpr[keep], tpr[keep], thr[keep]
    thr = np.where(np.isfinite(thr), thr, 1.0)
    return {"fpr": fpr.round(5).tolist(), "tpr": tpr.round(5).tolist(), "thresholds": thr.round(6).tolist()}
