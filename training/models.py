"""Model builders: the SMOTE + CatBoost pipeline, its ablation variants and the baselines.

The production pipeline is an imbalanced-learn ``Pipeline``::

    prep (SmoteEncoder) -> smote (SMOTENC) -> restore (MissingRestorer) -> model (CatBoostClassifier)

SMOTE cannot interpolate missing values, so ``prep`` encodes a missing number
as a huge negative sentinel; ``restore`` turns anything still in sentinel
territory back into NaN (a synthetic value is missing when either parent was)
and casts to exactly what :func:`scoring.features.model_input` produces.
CatBoost therefore trains on the service's own input format: the fitted
``model`` step is exported as is and applied by the service to
``model_input(features)`` with no sklearn at all. Samplers only act in
``fit``: ``predict_proba`` never resamples, so validation rows are scored as
they are.

Neighbours for SMOTE are searched on standardised numbers (missing = mean)
plus one-hot categoricals (:class:`ScaledNeighbors`); interpolation itself is
per-feature affine, so it is the same in raw or standardised units.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier
from imblearn.over_sampling import SMOTENC
from imblearn.pipeline import Pipeline
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from scoring.features import MISSING_CATEGORY

#: Stand-in for a missing number while SMOTE runs (far below any real value).
SENTINEL = -1.0e12
#: Anything below this after resampling is missing again.
SENTINEL_CUTOFF = SENTINEL / 2

#: Default CatBoost settings (the search overrides depth, learning_rate, l2_leaf_reg, iterations...).
CATBOOST_DEFAULTS: dict[str, Any] = {
    "iterations": 500,
    "learning_rate": 0.05,
    "depth": 5,
    "l2_leaf_reg": 10.0,
}


class SmoteEncoder(TransformerMixin, BaseEstimator):
    """model_input frame -> numbers as float64 with NaN = SENTINEL, categoricals as text."""

    def __init__(self, features: list[str] | None = None, categorical: list[str] | None = None):
        self.features = features
        self.categorical = categorical

    def fit(self, X: pd.DataFrame, y=None):
        self.features_ = list(self.features if self.features is not None else X.columns)
        self.categorical_ = list(self.categorical or [])
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        frame = X.reindex(columns=self.features_)
        cat = set(self.categorical_)
        out = {}
        for name in self.features_:
            column = frame[name]
            if name in cat:
                out[name] = column.astype(object).where(column.notna(), MISSING_CATEGORY).astype(str).to_numpy(object)
            else:
                values = column.to_numpy(dtype=np.float64, na_value=np.nan)
                out[name] = np.where(np.isnan(values), SENTINEL, values)
        return pd.DataFrame(out, index=frame.index, columns=self.features_)


class MissingRestorer(TransformerMixin, BaseEstimator):
    """After SMOTE: sentinel-range numbers -> NaN, float32 numbers and text categoricals (model_input's format).
    """

    def __init__(self, features: list[str] | None = None, categorical: list[str] | None = None):
        self.features = features
        self.categorical = categorical

    def fit(self, X, y=None):
        self.features_ = list(self.features if self.features is not None else X.columns)
        self.categorical_ = list(self.categorical or [])
        return self

    def transform(self, X) -> pd.DataFrame:
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X, columns=self.features_)
        cat = set(self.categorical_)
        out = {}
        for name in self.features_:
            column = frame[name]
            if name in cat:
                out[name] = column.astype(str).to_numpy(object)
            else:
                values = pd.to_numeric(column, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
                values = np.where(values < SENTINEL_CUTOFF, np.nan, values)
                out[name] = values.astype(np.float32)
        return pd.DataFrame(out, columns=self.features_)


class MissingAwareSMOTENC(SMOTENC):
    """SMOTENC whose synthetic rows look like real rows, feature by feature.

    - numbers are interpolated between the two parents as usual, then rounded
      when the feature only takes integer values among the minority rows
      (counts, flags, ratings): fractional counts would be a "synthetic row"
      signature that the trees learn instead of default risk. (Snapping every
      feature to observed values, or recomputing the engineered ratios from
      the interpolated amounts, measured worse on the real sample.)
    - a number missing in either parent, and every categorical value, is
      copied from the nearer parent (step < 0.5: the base row, else the
      neighbour), so missing rates and category frequencies of synthetic rows
      match the minority class (the stock majority vote over-produces the
      most frequent level, and interpolating towards the sentinel would make
      a value missing whenever either parent's is).
    """

    def _generate_samples(self, X, nn_data, nn_num, rows, cols, steps, y_type, y=None):
        k = self.continuous_features_.size
        dense = lambda m: m.toarray() if sparse.issparse(m) else np.asarray(m, dtype=np.float64)  # noqa: E731
        base = dense(X[rows])
        neighbour = dense(nn_data[nn_num[rows, cols]])
        step = np.asarray(steps, dtype=np.float64).reshape(-1, 1)
        nearer = np.where(step < 0.5, base, neighbour)

        cont = base[:, :k] + step * (neighbour[:, :k] - base[:, :k])
        missing = (base[:, :k] < SENTINEL_CUTOFF) | (neighbour[:, :k] < SENTINEL_CUTOFF)
        reference = dense(X[:, :k])
        present = reference >= SENTINEL_CUTOFF
        integral = np.all(np.where(present, reference == np.round(reference), True), axis=0)
        cont[:, integral] = np.round(cont[:, integral])
        cont[missing] = nearer[:, :k][missing]

        if math.isclose(self.median_std_[y_type], 0):  # one-hot block was zeroed: use the stored encoding
            encoded = self._X_categorical_minority_encoded
            cat = np.where(step < 0.5, encoded[rows], encoded[nn_num[rows, cols]])
        else:
            cat = nearer[:, k:]
        out = np.hstack([cont, cat]).astype(X.dtype)
        return sparse.csr_matrix(out) if sparse.issparse(X) else out


class DenseInverseOneHot(OneHotEncoder):
    """SMOTENC's one-hot encoder, decoding the resampled rows from a dense block: scipy's sparse row-wise
    argmax loops in Python and took 40 % of a fit on 30,000 rows; the decoded values are the same."""

    def inverse_transform(self, X):
        return super().inverse_transform(X.toarray() if sparse.issparse(X) else X)


class ScaledNeighbors(NearestNeighbors):
    """k-NN for SMOTENC on standardised numbers (missing -> 0) and 0/1 one-hot columns.

    SMOTENC hands over ``[numeric | one-hot * median_std]``; the first
    ``n_continuous`` columns are standardised with statistics of present
    values only, the one-hot block is reset to 0/1 (a category mismatch then
    weighs like one standard deviation).
    """

    def __init__(self, n_neighbors: int = 6, n_continuous: int = 0):
        super().__init__(n_neighbors=n_neighbors)
        self.n_continuous = n_continuous

    def _scale(self, X, fit: bool) -> np.ndarray:
        dense = X.toarray() if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
        dense = np.array(dense, dtype=np.float64)
        k = self.n_continuous
        numeric = dense[:, :k]
        missing = numeric < SENTINEL_CUTOFF
        if fit:
            present = np.where(missing, np.nan, numeric)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns
                center = np.nanmean(present, axis=0) if len(present) else np.zeros(k)
                scale = np.nanstd(present, axis=0) if len(present) else np.ones(k)
            self.center_ = np.nan_to_num(center, nan=0.0)
            self.scale_ = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        z = (numeric - self.center_) / self.scale_
        z[missing] = 0.0
        onehot = (dense[:, k:] != 0).astype(np.float64) / np.sqrt(2.0)
        return np.hstack([z, onehot])

    def fit(self, X, y=None):
        return super().fit(self._scale(X, fit=True))

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        return super().kneighbors(None if X is None else self._scale(X, fit=False), n_neighbors, return_distance)


def make_catboost(
    categorical: list[str], params: dict[str, Any] | None = None, seed: int = 42, **extra: Any
) -> CatBoostClassifier:
    settings = {**CATBOOST_DEFAULTS, **(params or {}), **extra}
    return CatBoostClassifier(
        cat_features=tuple(categorical), allow_writing_files=False, thread_count=2, random_seed=seed,
        verbose=0, **settings,
    )


def make_smote(features: list[str], categorical: list[str], ratio: float = 0.25, seed: int = 42,
               k_neighbors: int = 5) -> SMOTENC:
    numeric = [f for f in features if f not in set(categorical)]
    return MissingAwareSMOTENC(
        categorical_features=list(categorical), sampling_strategy=ratio, random_state=seed,
        categorical_encoder=DenseInverseOneHot(handle_unknown="ignore", dtype=np.float64),
        k_neighbors=ScaledNeighbors(n_neighbors=k_neighbors + 1, n_continuous=len(numeric)),
    )


def build_pipeline(
    features: list[str],
    categorical: list[str],
    *,
    variant: str = "smote",
    ratio: float = 0.25,
    params: dict[str, Any] | None = None,
    seed: int = 42,
) -> Pipeline:
    """The production pipeline (``variant="smote"``) or an ablation variant:
    ``"none"`` (no resampling) or ``"class_weights"`` (CatBoost auto_class_weights='Balanced')."""
    if variant not in {"smote", "none", "class_weights"}:
        raise ValueError(f"unknown variant {variant!r}")
    sampler = make_smote(features, categorical, ratio, seed) if variant == "smote" else "passthrough"
    extra = {"auto_class_weights": "Balanced"} if variant == "class_weights" else {}
    return Pipeline([
        ("prep", SmoteEncoder(features, categorical)),
        ("smote", sampler),
        ("restore", MissingRestorer(features, categorical)),
        ("model", make_catboost(categorical, params, seed, **extra)),
    ])


def build_logistic(features: list[str], categorical: list[str], C: float = 0.05, seed: int = 42):
    """Regularised logistic regression: median imputation + scaling, one-hot categoricals.

    All-empty columns (history tables without rows) are kept as constant zeros: no signal, no warning."""
    numeric = [f for f in features if f not in set(categorical)]
    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True), StandardScaler()), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=20), list(categorical)),
    ])
    return make_pipeline(
        prep, LogisticRegression(C=C, l1_ratio=0, max_iter=3000, random_state=seed)
    )


def build_dummy(seed: int = 42) -> DummyClassifier:
    return DummyClassifier(strategy="prior", random_state=seed)


def export_model(pipeline: Pipeline) -> CatBoostClassifier:
    """The CatBoost step, which scores ``model_input(features)`` directly (what the bundle stores)."""
    return pipeline.named_steps["model"]
