"""The training data: core features of a data directory, its labelled subset and fingerprint."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.data import locate
from scoring.features import FeatureSet, build_features, categorical_features, feature_names, model_input
from scoring.protected import excluded_attributes, model_features

log = logging.getLogger(__name__)

_FULL_HASH_LIMIT = 64 * 1024 * 1024  # hash whole files up to 64 MiB, head + tail beyond


@dataclass
class TrainingData:
    featureset: FeatureSet
    features: list[str]
    categorical: list[str]
    X_all: pd.DataFrame  # model input of every client (index SK_ID_CURR)
    X: pd.DataFrame  # labelled rows only
    y: np.ndarray  # 0/1 of the labelled rows
    fingerprint: str
    #: protected attributes left out of ``features`` (kept in ``featureset`` for fairness only)
    excluded: tuple[str, ...] = ()
    #: feature groups left out because the CV ablation did not keep them (:mod:`training.feature_groups`)
    dropped_groups: tuple[str, ...] = ()

    @property
    def ids(self) -> np.ndarray:
        return self.X.index.to_numpy(dtype=np.int64)


def data_fingerprint(data_dir: str | Path) -> str:
    """sha256 over every table file's name, size and content (head + tail for huge files)."""
    source = locate(data_dir)
    h = hashlib.sha256()
    for table in sorted(source.files):
        path = source.files[table]
        size = path.stat().st_size
        h.update(f"{path.name}:{size}:".encode())
        with open(path, "rb") as handle:
            if size <= _FULL_HASH_LIMIT:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    h.update(chunk)
            else:
                h.update(handle.read(8 << 20))
                handle.seek(size - (8 << 20))
                h.update(handle.read())
    return h.hexdigest()[:16]


def load_training_data(data_dir: str | Path, progress=None, excluded=None, gated: bool = True) -> TrainingData:
    """Features of ``data_dir`` minus the excluded protected attributes (default: :mod:`scoring.protected`)
    and, when ``gated``, minus the feature groups the committed CV ablation did not keep."""
    from training import feature_groups

    fs = build_features(data_dir, progress=progress)
    excluded = excluded_attributes(excluded)
    features = model_features(feature_names(), excluded)
    dropped = tuple(feature_groups.dropped_groups()) if gated else ()
    if dropped:
        features = feature_groups.gate(features)
    categorical = [c for c in model_features(categorical_features(), excluded) if c in set(features)]
    X_all = model_input(fs.frame, features, categorical)
    labelled = fs.labelled.to_numpy()
    X = X_all.loc[labelled]
    y = fs.target.to_numpy()[labelled].astype(np.int64)
    if len(np.unique(y)) < 2:
        raise ValueError(f"{data_dir}: training needs labelled applicants of both classes")
    return TrainingData(featureset=fs, features=features, categorical=categorical, X_all=X_all, X=X, y=y,
                        fingerprint=data_fingerprint(data_dir), excluded=excluded, dropped_groups=dropped)


def with_attributes(data: TrainingData, attributes) -> tuple[list[str], list[str], pd.DataFrame]:
    """(features, categorical, labelled model input) with ``attributes`` added back: only to measure
    what excluding them costs, never for the shipped model."""
    extra = [a for a in attributes if a in data.featureset.frame.columns and a not in data.features]
    features = data.features + extra
    categorical = data.categorical + [a for a in extra if a in set(categorical_features())]
    X = model_input(data.featureset.frame.loc[data.X.index], features, categorical)
    return features, categorical, X
