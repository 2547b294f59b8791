"""Group fairness of decisions taken from out-of-fold probabilities (pure functions).

A *positive* is a default (as in :mod:`scoring.cost`); the decision refuses a
client when ``probability >= threshold``. Per group: count, observed default
rate, mean probability and score, approval rate, TPR (defaulters refused),
FPR (repayers refused) and AUC (None without both classes). Gaps between the
groups of an attribute, with bootstrap 95 % intervals:

- ``demographic_parity_difference``: max - min approval rate;
- ``equal_opportunity_difference``: max - min approval rate among clients
  who repaid (= max - min FPR), i.e. equally creditworthy clients equally approved;
- ``tpr_difference``: max - min share of defaulters refused.

Groups smaller than ``min_group_size`` are listed but not used for gaps.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from scoring.decision import to_score

AGE_BANDS = ((0, 30, "<30"), (30, 40, "30-40"), (40, 50, "40-50"), (50, 60, "50-60"), (60, 200, "60+"))
ATTRIBUTES = ("CODE_GENDER", "AGE_BAND", "NAME_FAMILY_STATUS", "NAME_INCOME_TYPE")


def age_band(days_birth) -> np.ndarray:
    """Age band label from DAYS_BIRTH (negative days before the application)."""
    years = -np.asarray(days_birth, dtype=np.float64) / 365.25
    out = np.full(years.shape, "unknown", dtype=object)
    for low, high, name in AGE_BANDS:
        out[(years >= low) & (years < high)] = name
    return out


def group_columns(applications: pd.DataFrame) -> dict[str, np.ndarray]:
    """Sensitive attributes per client (rows of ``applications``), missing -> "unknown"."""
    out = {}
    for name in ATTRIBUTES:
        if name == "AGE_BAND":
            out[name] = age_band(applications["DAYS_BIRTH"])
        else:
            column = applications[name].astype(object)
            out[name] = column.where(column.notna(), "unknown").astype(str).to_numpy(object)
    return out


def _safe_auc(y: np.ndarray, p: np.ndarray) -> float | None:
    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else None


def group_metrics(y, proba, groups, threshold: float) -> list[dict]:
    """One row of metrics per group value (sorted by descending count)."""
    y = np.asarray(y).astype(int)
    p = np.asarray(proba, dtype=np.float64)
    g = np.asarray(groups, dtype=object)
    refused = p >= threshold
    scores = to_score(p, threshold)
    rows = []
    for value in pd.unique(g):
        m = g == value
        ym, rm = y[m], refused[m]
        pos, neg = ym == 1, ym == 0
        rows.append({
            "group": str(value),
            "count": int(m.sum()),
            "defaults": int(pos.sum()),
            "default_rate": float(ym.mean()),
            "mean_probability": float(p[m].mean()),
            "mean_score": float(np.mean(scores[m])),
            "approval_rate": float(1.0 - rm.mean()),
            "tpr": float(rm[pos].mean()) if pos.any() else None,
            "fpr": float(rm[neg].mean()) if neg.any() else None,
            "auc": _safe_auc(ym, p[m]),
        })
    return sorted(rows, key=lambda r: -r["count"])


def _gaps(y: np.ndarray, refused: np.ndarray, codes: np.ndarray, n_groups: int, eligible: np.ndarray) -> np.ndarray:
    """[dp, eo, tpr] gaps over eligible groups for one (possibly resampled) data set."""
    count = np.bincount(codes, minlength=n_groups).astype(float)
    approved = np.bincount(codes, weights=~refused, minlength=n_groups)
    neg = np.bincount(codes, weights=y == 0, minlength=n_groups)
    neg_approved = np.bincount(codes, weights=(y == 0) & ~refused, minlength=n_groups)
    pos = np.bincount(codes, weights=y == 1, minlength=n_groups)
    pos_refused = np.bincount(codes, weights=(y == 1) & refused, minlength=n_groups)
    out = []
    for num, den in ((approved, count), (neg_approved, neg), (pos_refused, pos)):
        ok = eligible & (den > 0)
        rates = num[ok] / den[ok]
        out.append(float(rates.max() - rates.min()) if ok.sum() >= 2 else np.nan)
    return np.asarray(out)


def fairness_gaps(y, proba, groups, threshold: float, *, min_group_size: int = 30,
                  n_boot: int = 200, seed: int = 42) -> dict:
    """Gaps between groups with percentile bootstrap 95 % CIs (rows resampled with replacement)."""
    y = np.asarray(y).astype(int)
    refused = np.asarray(proba, dtype=np.float64) >= threshold
    values, codes = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    eligible = np.bincount(codes, minlength=len(values)) >= min_group_size
    point = _gaps(y, refused, codes, len(values), eligible)
    rng = np.random.default_rng(seed)
    boots = np.empty((n_boot, 3))
    for b in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        boots[b] = _gaps(y[idx], refused[idx], codes[idx], len(values), eligible)
    out = {"groups_compared": [str(v) for v in values[eligible]], "bootstrap": n_boot}
    for k, name in enumerate(("demographic_parity_difference", "equal_opportunity_difference", "tpr_difference")):
        finite = boots[:, k][np.isfinite(boots[:, k])]
        value = None if np.isnan(point[k]) else float(point[k])
        low, high = (np.percentile(finite, [2.5, 97.5]).tolist() if len(finite) else (None, None))
        out[name] = {"value": value, "ci_low": low, "ci_high": high}
    return out


def fairness_report(y, proba, attributes: Mapping[str, np.ndarray], threshold: float, *,
                    min_group_size: int = 30, n_boot: int = 200, seed: int = 42) -> dict:
    """Per attribute: group table and gaps. ``attributes`` maps name -> group label per client."""
    report = {
        "threshold": float(threshold), "min_group_size": min_group_size, "bootstrap": n_boot,
        "positive": "default (refused when probability >= threshold)",
        "attributes": {},
    }
    for name, groups in attributes.items():
        report["attributes"][name] = {
            "groups": group_metrics(y, proba, groups, threshold),
            **fairness_gaps(y, proba, groups, threshold, min_group_size=min_group_size, n_boot=n_boot, seed=seed),
        }
    return report


def fairness_summary(report: dict) -> dict:
    """Compact per-attribute gaps for the bundle metadata."""
    keys = ("demographic_parity_difference", "equal_opportunity_difference", "tpr_difference")
    return {name: {k: attr[k] for k in keys} for name, attr in report["attributes"].items()}
