"""Features from the application row itself (vectorised, works for 1 or 356k rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring import schema

#: Engineered application features, in output order.
APPLICATION_FEATURES: tuple[str, ...] = (
    "APP_DAYS_EMPLOYED_ANOM",
    "APP_AGE_YEARS",
    "APP_CREDIT_INCOME_RATIO",
    "APP_ANNUITY_INCOME_RATIO",
    "APP_ANNUITY_CREDIT_RATIO",
    "APP_CREDIT_TERM",
    "APP_GOODS_CREDIT_RATIO",
    "APP_CREDIT_GOODS_DIFF",
    "APP_EMPLOYED_AGE_RATIO",
    "APP_INCOME_PER_PERSON",
    "APP_ANNUITY_PER_PERSON_RATIO",
    "APP_CHILDREN_RATIO",
    "APP_REGISTRATION_AGE_RATIO",
    "APP_ID_PUBLISH_AGE_RATIO",
    "APP_PHONE_CHANGE_AGE_RATIO",
    "APP_CAR_AGE_RATIO",
    "APP_EXT_SOURCE_MEAN",
    "APP_EXT_SOURCE_PROD",
    "APP_EXT_SOURCE_WEIGHTED",
    "APP_EXT_SOURCE_MIN",
    "APP_EXT_SOURCE_MAX",
    "APP_EXT_SOURCE_STD",
    "APP_EXT_SOURCE_NAN_COUNT",
    "APP_DOCUMENT_COUNT",
    "APP_CONTACT_COUNT",
    "APP_BUREAU_REQ_TOTAL",
)

#: Raw application columns that never enter the model (identifiers, label, near-constant flags).
EXCLUDED_RAW = frozenset({"SK_ID_CURR", "TARGET", "FLAG_MOBIL"})

#: Weights of the weighted EXT_SOURCE combination (fixed a priori, not fitted).
EXT_WEIGHTS = (2.0, 1.0, 3.0)


def _ratio(num: pd.Series, den: pd.Series) -> np.ndarray:
    num = num.to_numpy(dtype=np.float64)
    den = den.to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    out[~np.isfinite(out)] = np.nan
    return out


_CATEGORICALS = frozenset(schema.APPLICATION_CATEGORICALS)


def raw_application_features() -> list[str]:
    """Raw application columns kept as model features (schema order)."""
    return [c for c, _ in schema.TABLES["application_test"] if c not in EXCLUDED_RAW]


def application_features(app: pd.DataFrame) -> pd.DataFrame:
    """Raw application columns (sentinel cleaned) plus engineered ratios.

    ``app`` holds application columns (any subset; absent ones count as missing)
    with SK_ID_CURR. Returns one row per input row, indexed by SK_ID_CURR.
    """
    raw = raw_application_features()
    index = pd.Index(app["SK_ID_CURR"].to_numpy(dtype=np.int64), name="SK_ID_CURR")
    columns: dict[str, object] = {}
    for name in raw:
        if name not in app.columns:
            columns[name] = np.full(len(app), np.nan, dtype=np.float32) if name not in _CATEGORICALS \
                else pd.Categorical([None] * len(app))
            continue
        column = app[name]
        if name in _CATEGORICALS:
            columns[name] = column.array if isinstance(column.dtype, pd.CategoricalDtype) else \
                column.astype("category").array
            continue
        if column.dtype != np.float32:  # already typed by the loader: no copy
            column = pd.to_numeric(column, errors="raise").astype(np.float32)
        columns[name] = column.to_numpy()
    out = pd.DataFrame(columns, index=index, columns=raw)

    anomalous = out["DAYS_EMPLOYED"] == schema.DAYS_EMPLOYED_SENTINEL
    out.loc[anomalous, "DAYS_EMPLOYED"] = np.nan
    new: dict[str, np.ndarray] = {}
    new["APP_DAYS_EMPLOYED_ANOM"] = anomalous.to_numpy(dtype=np.float64)
    new["APP_AGE_YEARS"] = -out["DAYS_BIRTH"].to_numpy(dtype=np.float64) / 365.25
    new["APP_CREDIT_INCOME_RATIO"] = _ratio(out["AMT_CREDIT"], out["AMT_INCOME_TOTAL"])
    new["APP_ANNUITY_INCOME_RATIO"] = _ratio(out["AMT_ANNUITY"], out["AMT_INCOME_TOTAL"])
    new["APP_ANNUITY_CREDIT_RATIO"] = _ratio(out["AMT_ANNUITY"], out["AMT_CREDIT"])
    new["APP_CREDIT_TERM"] = _ratio(out["AMT_CREDIT"], out["AMT_ANNUITY"])
    new["APP_GOODS_CREDIT_RATIO"] = _ratio(out["AMT_GOODS_PRICE"], out["AMT_CREDIT"])
    new["APP_CREDIT_GOODS_DIFF"] = (out["AMT_CREDIT"] - out["AMT_GOODS_PRICE"]).to_numpy(dtype=np.float64)
    new["APP_EMPLOYED_AGE_RATIO"] = _ratio(out["DAYS_EMPLOYED"], out["DAYS_BIRTH"])
    new["APP_INCOME_PER_PERSON"] = _ratio(out["AMT_INCOME_TOTAL"], out["CNT_FAM_MEMBERS"])
    new["APP_ANNUITY_PER_PERSON_RATIO"] = _ratio(
        out["AMT_ANNUITY"], pd.Series(new["APP_INCOME_PER_PERSON"], index=out.index)
    )
    new["APP_CHILDREN_RATIO"] = _ratio(out["CNT_CHILDREN"], out["CNT_FAM_MEMBERS"])
    new["APP_REGISTRATION_AGE_RATIO"] = _ratio(out["DAYS_REGISTRATION"], out["DAYS_BIRTH"])
    new["APP_ID_PUBLISH_AGE_RATIO"] = _ratio(out["DAYS_ID_PUBLISH"], out["DAYS_BIRTH"])
    new["APP_PHONE_CHANGE_AGE_RATIO"] = _ratio(out["DAYS_LAST_PHONE_CHANGE"], out["DAYS_BIRTH"])
    new["APP_CAR_AGE_RATIO"] = _ratio(out["OWN_CAR_AGE"], pd.Series(new["APP_AGE_YEARS"], index=out.index))

    ext = out[["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]].to_numpy(dtype=np.float64)
    present = ~np.isnan(ext)
    count = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        filled = np.where(present, ext, 0.0)
        new["APP_EXT_SOURCE_MEAN"] = np.where(count > 0, filled.sum(axis=1) / count, np.nan)
        new["APP_EXT_SOURCE_PROD"] = np.where(count == 3, np.prod(filled, axis=1), np.nan)
        weights = np.asarray(EXT_WEIGHTS)
        wsum = (present * weights).sum(axis=1)
        new["APP_EXT_SOURCE_WEIGHTED"] = np.where(wsum > 0, (filled * weights).sum(axis=1) / wsum, np.nan)
        new["APP_EXT_SOURCE_MIN"] = np.where(count > 0, np.where(present, ext, np.inf).min(axis=1), np.nan)
        new["APP_EXT_SOURCE_MAX"] = np.where(count > 0, np.where(present, ext, -np.inf).max(axis=1), np.nan)
        mean = new["APP_EXT_SOURCE_MEAN"][:, None]
        var = np.where(present, (ext - mean) ** 2, 0.0).sum(axis=1) / count
        new["APP_EXT_SOURCE_STD"] = np.where(count > 1, np.sqrt(var), np.nan)
    new["APP_EXT_SOURCE_NAN_COUNT"] = (3 - count).astype(np.float64)

    docs = [c for c in out.columns if c.startswith("FLAG_DOCUMENT_")]
    new["APP_DOCUMENT_COUNT"] = out[docs].sum(axis=1, min_count=1).to_numpy(dtype=np.float64)
    contacts = ["FLAG_EMP_PHONE", "FLAG_WORK_PHONE", "FLAG_CONT_MOBILE", "FLAG_PHONE", "FLAG_EMAIL"]
    new["APP_CONTACT_COUNT"] = out[contacts].sum(axis=1, min_count=1).to_numpy(dtype=np.float64)
    req = [c for c in out.columns if c.startswith("AMT_REQ_CREDIT_BUREAU_")]
    new["APP_BUREAU_REQ_TOTAL"] = out[req].sum(axis=1, min_count=1).to_numpy(dtype=np.float64)

    engineered = pd.DataFrame({k: new[k].astype(np.float32) for k in APPLICATION_FEATURES}, index=out.index)
    return pd.concat([out, engineered], axis=1)
