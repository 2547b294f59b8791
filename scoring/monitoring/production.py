"""Production scores against training: per day or week, volumes, decision shares, the score
distribution and its PSI, and the features whose distribution moved most.

Input: the prediction log as a frame (one row per scored request: time, score, decision,
and optionally the model-input feature columns) and the training reference (the bundle's
out-of-fold scores, and a sample of training feature rows). The PSI of each period uses
the reference's quantile bins (:mod:`.psi`) and has the usual reading: below 0.1 stable,
0.1 to 0.25 watch, above 0.25 act.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.monitoring.psi import EPSILON, PSI_ACT, PSI_WATCH, psi_status, psi_table

DECISIONS = ("approve", "review", "decline")
HISTOGRAM_EDGES = [float(v) for v in range(0, 101, 10)]
#: A period with fewer scored requests gets no PSI (too few to read).
MIN_PSI_COUNT = 30
TOP_FEATURES = 10
FREQUENCIES = ("day", "week")


def period_of(times, freq: str = "day") -> np.ndarray:
    """"YYYY-MM-DD" per day, or the Monday "YYYY-MM-DD" of the ISO week per week."""
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {FREQUENCIES}")
    t = pd.to_datetime(pd.Series(times), utc=True, format="ISO8601")
    if freq == "week":
        t = (t.dt.normalize() - pd.to_timedelta(t.dt.weekday, unit="D"))
    return t.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)


def histogram(scores) -> list[int]:
    s = np.clip(np.asarray(scores, dtype=np.float64), 0.0, 100.0)
    counts, _ = np.histogram(s, bins=HISTOGRAM_EDGES)
    return [int(c) for c in counts]


def _psi(reference, current) -> tuple[float | None, str | None]:
    if reference is None or len(reference) == 0 or len(current) < MIN_PSI_COUNT:
        return None, None
    value = round(psi_table(reference, current)["psi"], 6)
    return value, psi_status(value)


def category_psi(reference, current, epsilon: float = EPSILON) -> float:
    """PSI of a categorical variable (missing is a category of its own)."""
    r = pd.Series(reference, dtype=object).fillna("<missing>").astype(str).value_counts(normalize=True)
    c = pd.Series(current, dtype=object).fillna("<missing>").astype(str).value_counts(normalize=True)
    keys = r.index.union(c.index)
    r = r.reindex(keys, fill_value=0.0).clip(lower=epsilon).to_numpy()
    c = c.reindex(keys, fill_value=0.0).clip(lower=epsilon).to_numpy()
    return float(((c - r) * np.log(c / r)).sum())


def feature_drift(reference: pd.DataFrame, current: pd.DataFrame, features: list[str] | None = None,
                  top: int = TOP_FEATURES, labels: dict[str, str] | None = None) -> list[dict]:
    """Features by decreasing PSI, production against reference (columns present on both sides).

    Numeric features use the reference's quantile bins; others their categories. A feature
    with fewer than :data:`MIN_PSI_COUNT` known values on either side is skipped.
    """
    names = [f for f in (features or list(current.columns)) if f in reference and f in current]
    rows = []
    for name in names:
        ref, cur = reference[name], current[name]
        numeric = pd.api.types.is_numeric_dtype(ref) and pd.api.types.is_numeric_dtype(cur)
        if numeric:
            r = pd.to_numeric(ref, errors="coerce").to_numpy(dtype=np.float64)
            c = pd.to_numeric(cur, errors="coerce").to_numpy(dtype=np.float64)
            r, c = r[np.isfinite(r)], c[np.isfinite(c)]
            if len(r) < MIN_PSI_COUNT or len(c) < MIN_PSI_COUNT:
                continue
            value = psi_table(r, c)["psi"]
        else:
            if ref.notna().sum() < MIN_PSI_COUNT or cur.notna().sum() < MIN_PSI_COUNT:
                continue
            value = category_psi(ref, cur)
        rows.append({"feature": name, "label": (labels or {}).get(name, name), "psi": round(float(value), 6),
                     "status": psi_status(value),
                     "n": int(cur.notna().sum())})
    rows.sort(key=lambda r: (-r["psi"], r["feature"]))
    return rows[:top]


def production_report(log: pd.DataFrame, reference_scores=None, freq: str = "day",
                      reference_features: pd.DataFrame | None = None, features: list[str] | None = None,
                      top: int = TOP_FEATURES, labels: dict[str, str] | None = None) -> dict:
    """Per-period volumes, decision shares, score histogram and PSI; overall PSI; top drifted features.

    ``log``: columns time, score, decision (+ the reference's feature columns, for the feature drift).
    ``reference_scores``: training scores (0-100) of the reference, or None (no PSI).
    ``labels``: the features' names in plain words (the bundle's), shown instead of the column names.
    """
    ref = None if reference_scores is None else np.asarray(reference_scores, dtype=np.float64)
    ref = None if ref is None else ref[np.isfinite(ref)]
    base = {"freq": freq, "edges": HISTOGRAM_EDGES, "thresholds": {"watch": PSI_WATCH, "act": PSI_ACT},
            "reference": None if ref is None or not len(ref) else {
                "n": int(len(ref)), "histogram": histogram(ref), "mean_score": float(ref.mean())}}
    log = log[log["score"].notna()] if not log.empty else log
    if log.empty:
        return {**base, "total": 0, "first_time": None, "last_time": None, "decision_shares": {},
                "psi": None, "psi_status": None, "periods": [], "top_features": []}
    scores = log["score"].to_numpy(dtype=np.float64)
    decisions = log["decision"].astype(str).to_numpy()
    period_keys = period_of(log["time"], freq)
    periods = []
    for key in sorted(set(period_keys)):
        mask = period_keys == key
        s, d = scores[mask], decisions[mask]
        value, status = _psi(ref, s)
        periods.append({"period": key, "count": int(mask.sum()), "mean_score": float(s.mean()),
                        **{k: float((d == k).mean()) for k in DECISIONS},
                        "histogram": histogram(s), "psi": value, "psi_status": status})
    value, status = _psi(ref, scores)
    times = pd.to_datetime(log["time"], utc=True, format="ISO8601")
    drift = []
    if reference_features is not None:
        feature_cols = [c for c in (features or list(reference_features.columns)) if c in log.columns]
        if feature_cols:
            drift = feature_drift(reference_features, log[feature_cols], features, top, labels)
    return {**base, "total": int(len(log)),
            "first_time": times.min().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "last_time": times.max().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "decision_shares": {k: float((decisions == k).mean()) for k in DECISIONS},
            "psi": value, "psi_status": status, "periods": periods, "top_features": drift}
