"""Model input from the bundle's memory-mapped store (no pandas on the single-row path)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from scoring import schema
from scoring.bundle import Bundle
from scoring.features import MISSING_CATEGORY, model_input
from scoring.features.application import raw_application_features

_INT_KINDS = {name for name, kind in schema.TABLES["application_test"] if kind == "int"}


class StoreInputs:
    """Rows of known clients as CatBoost takes them: a plain list (one row) or a frame (many)."""

    def __init__(self, bundle: Bundle):
        self.store = bundle.store
        self.features: list[str] = bundle.feature_names
        self.categorical: list[str] = bundle.categorical
        self.position = {name: j for j, name in enumerate(self.features)}
        self.cat_index: list[int] = [self.position[c] for c in self.categorical]
        self._dtypes: dict[str, tuple[pd.CategoricalDtype, int]] = {}
        for name in self.categorical:
            levels = list(self.store.categories.get(name, []))
            if MISSING_CATEGORY not in levels:
                levels.append(MISSING_CATEGORY)
            self._dtypes[name] = (pd.CategoricalDtype(levels), levels.index(MISSING_CATEGORY))
        self.raw_fields = [f for f in raw_application_features() if f in self.position]

    def index_of(self, client_id: int) -> int | None:
        return self.store.index_of(client_id)

    def row(self, i: int) -> list:
        return self.store.model_row(i)

    def frame(self, rows: np.ndarray) -> pd.DataFrame:
        """Model input frame for store positions ``rows`` (categoricals as pandas categories)."""
        matrix = np.asarray(self.store.matrix[np.asarray(rows, dtype=np.int64)])
        columns: dict[str, Any] = {}
        for j, name in enumerate(self.features):
            if name in self._dtypes:
                dtype, missing = self._dtypes[name]
                codes = matrix[:, j]
                idx = np.where(np.isnan(codes), missing, codes).astype(np.int32)
                columns[name] = pd.Categorical.from_codes(idx, dtype=dtype)
            else:
                columns[name] = matrix[:, j]
        return pd.DataFrame(columns, copy=False)

    def row_from_frame(self, frame: pd.DataFrame) -> list:
        """First row of a feature frame (as built by ``features_from_records``) as a model list row."""
        x = model_input(frame.iloc[:1], self.features, self.categorical)
        return rows_as_lists(x)[0]

    def raw_application(self, row: list) -> dict[str, Any]:
        """The raw application fields behind a model row (DAYS_EMPLOYED sentinel restored)."""
        out: dict[str, Any] = {}
        for name in self.raw_fields:
            value = row[self.position[name]]
            if value == MISSING_CATEGORY or (isinstance(value, float) and math.isnan(value)):
                value = None
            elif name in _INT_KINDS and isinstance(value, float) and value.is_integer():
                value = int(value)
            out[name] = value
        anomaly = self.position.get("APP_DAYS_EMPLOYED_ANOM")
        if anomaly is not None and row[anomaly] == 1.0 and out.get("DAYS_EMPLOYED") is None:
            out["DAYS_EMPLOYED"] = schema.DAYS_EMPLOYED_SENTINEL
        return out


def rows_as_lists(x: pd.DataFrame) -> list[list]:
    """A model-input frame as plain Python rows (floats and strings)."""
    columns = [x[c].tolist() for c in x.columns]
    return [list(r) for r in zip(*columns, strict=True)]
