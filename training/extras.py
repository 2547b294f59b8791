"""Bundle extras the service serves: client info, similar-client matrix, population histograms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring import schema
from scoring.features import MISSING_CATEGORY

#: Descriptive application columns the UI lists first (all raw fields follow).
INFO_COLUMNS = (
    "SK_ID_CURR", "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "DAYS_BIRTH",
    "DAYS_EMPLOYED", "CODE_GENDER", "NAME_CONTRACT_TYPE", "NAME_FAMILY_STATUS", "CNT_CHILDREN",
    "CNT_FAM_MEMBERS", "NAME_INCOME_TYPE", "NAME_EDUCATION_TYPE", "OCCUPATION_TYPE", "NAME_HOUSING_TYPE",
    "FLAG_OWN_CAR", "FLAG_OWN_REALTY", "ORGANIZATION_TYPE", "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3",
)

#: Key features of the "similar clients" k-NN (model feature names).
NEIGHBOUR_FEATURES = (
    "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "APP_CREDIT_INCOME_RATIO", "APP_ANNUITY_INCOME_RATIO",
    "APP_CREDIT_TERM", "APP_AGE_YEARS", "DAYS_EMPLOYED", "AMT_INCOME_TOTAL", "AMT_CREDIT",
    "BURO_DEBT_CREDIT_RATIO", "BURO_ACTIVE_COUNT", "BB_LATE_SHARE", "CC_UTILISATION_MEAN",
)

POPULATION_BINS = 30


def client_info(applications: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """Descriptive columns first, then every other raw application field (no TARGET), one row per id."""
    raw = [c for c in schema.columns("application_test") if c not in INFO_COLUMNS]
    columns = list(INFO_COLUMNS) + raw
    info = applications.reindex(index=ids, columns=columns).copy()
    info["SK_ID_CURR"] = np.asarray(ids, dtype=np.int64)
    info.index = pd.Index(np.asarray(ids, dtype=np.int64), name="SK_ID_CURR")
    return info


def neighbours(frame: pd.DataFrame, columns=NEIGHBOUR_FEATURES) -> dict[str, np.ndarray]:
    """Standardised matrix for brute-force k-NN: z = (x filled with median - mean) / scale."""
    cols = [c for c in columns if c in frame.columns]
    values = frame[cols].to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(all="ignore"):
        median = np.nanmedian(values, axis=0) if values.size else np.zeros(len(cols))
    median = np.where(np.isfinite(median), median, 0.0)
    filled = np.where(np.isnan(values), median, values)
    mean = filled.mean(axis=0)
    scale = filled.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return {
        "matrix": ((filled - mean) / scale).astype(np.float32),
        "columns": np.asarray(cols, dtype=str),
        "median": median.astype(np.float64),
        "mean": mean.astype(np.float64),
        "scale": scale.astype(np.float64),
        "ids": frame.index.to_numpy(dtype=np.int64),
    }


def _numeric_histogram(values: np.ndarray, y: np.ndarray, bins: int) -> dict:
    present = ~np.isnan(values)
    out: dict = {"type": "numeric",
                 "missing": {"repaid": int((~present & (y == 0)).sum()), "default": int((~present & (y == 1)).sum())}}
    if not present.any():
        return {**out, "edges": [], "repaid": [], "default": [], "quantiles": {}}
    v = values[present]
    edges = np.unique(np.quantile(v, np.linspace(0, 1, bins + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0] + 1e-9])
    counts = {}
    for name, cls in (("repaid", 0), ("default", 1)):
        counts[name] = np.histogram(v[y[present] == cls], bins=edges)[0].astype(int).tolist()
    q = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {**out, "edges": [float(e) for e in edges], **counts,
            "quantiles": dict(zip(("p05", "p25", "p50", "p75", "p95"), map(float, q), strict=True))}


def population(frame: pd.DataFrame, y: np.ndarray, categorical: list[str], labels: dict[str, str] | None = None,
               bins: int = POPULATION_BINS) -> dict:
    """Per model feature histogram by outcome, computed on labelled clients (``frame`` = their model input)."""
    y = np.asarray(y).astype(int)
    cat = set(categorical)
    out: dict = {"n_repaid": int((y == 0).sum()), "n_default": int((y == 1).sum()), "bins": bins, "features": {}}
    for name in frame.columns:
        if name in cat:
            text = frame[name].astype(object).where(frame[name].notna(), MISSING_CATEGORY).astype(str)
            levels = sorted(text.unique().tolist())
            entry = {"type": "categorical", "levels": levels,
                     "repaid": [int(((text == lv) & (y == 0)).sum()) for lv in levels],
                     "default": [int(((text == lv) & (y == 1)).sum()) for lv in levels]}
        else:
            entry = _numeric_histogram(frame[name].to_numpy(dtype=np.float64, na_value=np.nan), y, bins)
        entry["label"] = (labels or {}).get(name, name)
        out["features"][name] = entry
    return out
