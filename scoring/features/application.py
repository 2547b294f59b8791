"""Features from the application row itself, computed on columns (1 row or 356k, same code).

The core function is :func:`application_columns`: it takes a mapping of column
name -> 1-D array (numeric fields as float32, categoricals as any array-like)
and returns a dict of the model's application columns: raw fields (the
``DAYS_EMPLOYED`` sentinel cleaned) then the engineered ratios, float32.
:func:`application_features` is the pandas wrapper a full build uses; the
service calls :func:`application_columns` directly on one-element arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

_CATEGORICALS = frozenset(schema.APPLICATION_CATEGORICALS)
_RAW: tuple[str, ...] = tuple(c for c, _ in schema.TABLES["application_test"] if c not in EXCLUDED_RAW)
_RAW_NUMERIC: tuple[str, ...] = tuple(c for c in _RAW if c not in _CATEGORICALS)
_DOCUMENTS = tuple(c for c in _RAW if c.startswith("FLAG_DOCUMENT_"))
_CONTACTS = ("FLAG_EMP_PHONE", "FLAG_WORK_PHONE", "FLAG_CONT_MOBILE", "FLAG_PHONE", "FLAG_EMAIL")
_REQUESTS = tuple(c for c in _RAW if c.startswith("AMT_REQ_CREDIT_BUREAU_"))

Columns = Mapping[str, Any]


def raw_application_features() -> list[str]:
    """Raw application columns kept as model features (schema order)."""
    return list(_RAW)


def raw_numeric_features() -> tuple[str, ...]:
    """The numeric ones among :func:`raw_application_features` (schema order)."""
    return _RAW_NUMERIC


def missing_column(n: int, dtype: Any) -> np.ndarray:
    """An all-missing column (NaN, or None for text), read-only: every absent field of one build
    shares it (one application has ~120 absent columns; making each costs more than the features)."""
    column = np.full(n, None if dtype is object else np.nan, dtype=dtype)
    column.flags.writeable = False
    return column


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(num, dtype=np.float64) / np.asarray(den, dtype=np.float64)
    out[~np.isfinite(out)] = np.nan
    return out


def _count(block: np.ndarray) -> np.ndarray:
    """Row sums of a 2-D float block, NaN where every value is missing (pandas' ``min_count=1``)."""
    present = ~np.isnan(block)
    total = np.where(present, block, 0.0).sum(axis=1, dtype=np.float64)
    return np.where(present.any(axis=1), total, np.nan)


def application_columns(columns: Columns, n: int) -> dict[str, Any]:
    """Raw application columns (sentinel cleaned) plus engineered ratios, as a dict of columns.

    ``columns`` maps application field names to 1-D arrays of length ``n``:
    numeric fields as float32 (the loader's type), categoricals as any
    array-like (passed through untouched). Absent fields count as missing:
    NaN for numbers, ``None`` in an object array for categories. Returns every
    column of :func:`raw_application_features` then :data:`APPLICATION_FEATURES`
    (float32), in that order.
    """
    out: dict[str, Any] = {}
    unknown_number, unknown_category = missing_column(n, np.float32), missing_column(n, object)
    for name in _RAW:
        value = columns.get(name)
        if value is None:
            value = unknown_category if name in _CATEGORICALS else unknown_number
        elif name not in _CATEGORICALS:
            value = np.asarray(value)
            if value.dtype != np.float32:
                value = value.astype(np.float64).astype(np.float32)
        out[name] = value
    days_employed = out["DAYS_EMPLOYED"]
    anomalous = days_employed == schema.DAYS_EMPLOYED_SENTINEL
    if anomalous.any():
        out["DAYS_EMPLOYED"] = days_employed = np.where(anomalous, np.float32(np.nan), days_employed)

    def f64(name: str) -> np.ndarray:
        return out[name].astype(np.float64)

    credit, annuity, income, goods = f64("AMT_CREDIT"), f64("AMT_ANNUITY"), f64("AMT_INCOME_TOTAL"), \
        f64("AMT_GOODS_PRICE")
    birth, family = f64("DAYS_BIRTH"), f64("CNT_FAM_MEMBERS")
    new: dict[str, np.ndarray] = {}
    new["APP_DAYS_EMPLOYED_ANOM"] = anomalous.astype(np.float64)
    new["APP_AGE_YEARS"] = -birth / 365.25
    new["APP_CREDIT_INCOME_RATIO"] = _ratio(credit, income)
    new["APP_ANNUITY_INCOME_RATIO"] = _ratio(annuity, income)
    new["APP_ANNUITY_CREDIT_RATIO"] = _ratio(annuity, credit)
    new["APP_CREDIT_TERM"] = _ratio(credit, annuity)
    new["APP_GOODS_CREDIT_RATIO"] = _ratio(goods, credit)
    new["APP_CREDIT_GOODS_DIFF"] = (out["AMT_CREDIT"] - out["AMT_GOODS_PRICE"]).astype(np.float64)
    new["APP_EMPLOYED_AGE_RATIO"] = _ratio(days_employed, birth)
    new["APP_INCOME_PER_PERSON"] = _ratio(income, family)
    new["APP_ANNUITY_PER_PERSON_RATIO"] = _ratio(annuity, new["APP_INCOME_PER_PERSON"])
    new["APP_CHILDREN_RATIO"] = _ratio(f64("CNT_CHILDREN"), family)
    new["APP_REGISTRATION_AGE_RATIO"] = _ratio(f64("DAYS_REGISTRATION"), birth)
    new["APP_ID_PUBLISH_AGE_RATIO"] = _ratio(f64("DAYS_ID_PUBLISH"), birth)
    new["APP_PHONE_CHANGE_AGE_RATIO"] = _ratio(f64("DAYS_LAST_PHONE_CHANGE"), birth)
    new["APP_CAR_AGE_RATIO"] = _ratio(f64("OWN_CAR_AGE"), new["APP_AGE_YEARS"])

    ext = np.stack([out["EXT_SOURCE_1"], out["EXT_SOURCE_2"], out["EXT_SOURCE_3"]], axis=1).astype(np.float64)
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

    def block(names: tuple[str, ...]) -> np.ndarray:
        return np.stack([out[c] for c in names], axis=1).astype(np.float64)

    new["APP_DOCUMENT_COUNT"] = _count(block(_DOCUMENTS))
    new["APP_CONTACT_COUNT"] = _count(block(_CONTACTS))
    new["APP_BUREAU_REQ_TOTAL"] = _count(block(_REQUESTS))
    for name in APPLICATION_FEATURES:
        out[name] = new[name].astype(np.float32)
    return out


def frame_columns(app: pd.DataFrame) -> dict[str, Any]:
    """A frame's application columns as the columns :func:`application_columns` takes (no copy of
    float32 data; other numbers parsed strictly, text in a numeric column raises)."""
    columns: dict[str, Any] = {}
    for name in _RAW:
        if name not in app.columns:
            continue
        column = app[name]
        if name in _CATEGORICALS:
            columns[name] = column.array if isinstance(column.dtype, pd.CategoricalDtype) else \
                column.astype("category").array
        elif column.dtype == np.float32:
            columns[name] = column.to_numpy()
        else:
            columns[name] = pd.to_numeric(column, errors="raise").astype(np.float32).to_numpy()
    return columns


def application_features(app: pd.DataFrame) -> pd.DataFrame:
    """:func:`application_columns` of a frame, as a frame indexed by SK_ID_CURR.

    ``app`` holds application columns (any subset; absent ones count as missing)
    with SK_ID_CURR. Categoricals come out as pandas categories.
    """
    index = pd.Index(app["SK_ID_CURR"].to_numpy(dtype=np.int64), name="SK_ID_CURR")
    out = application_columns(frame_columns(app), len(app))
    for name in _CATEGORICALS & out.keys():
        if not isinstance(out[name], pd.Categorical | pd.arrays.Categorical):
            out[name] = pd.Categorical(out[name])
    return pd.DataFrame(out, index=index, columns=list(out))
