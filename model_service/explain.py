"""Per-client explanations from CatBoost's native SHAP values (no shap package).

``base_value + sum(contributions) == raw_score``: the log-odds of the
uncalibrated model for that row.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from catboost import Pool

from scoring.bundle import Bundle
from scoring.features import MISSING_CATEGORY

from . import text
from .inputs import StoreInputs

REFERENCE_SAMPLE = 5000


def reference_terciles(inputs: StoreInputs, sample: int = REFERENCE_SAMPLE) -> dict[str, tuple[float, float]]:
    """Population terciles of every numeric feature, from an evenly spaced sample of the store."""
    n = len(inputs.store)
    if n == 0:
        return {}
    rows = np.unique(np.linspace(0, n - 1, num=min(n, sample)).astype(np.int64))
    matrix = inputs.matrix(rows).astype(np.float64)
    out: dict[str, tuple[float, float]] = {}
    categorical = set(inputs.categorical)
    for j, name in enumerate(inputs.features):
        column = matrix[:, j]
        if name in categorical or np.isnan(column).all():
            continue
        low, high = np.nanquantile(column, [1 / 3, 2 / 3])
        out[name] = (float(low), float(high))
    return out


def json_value(value: Any) -> Any:
    if value is None or value == MISSING_CATEGORY:
        return None
    if isinstance(value, float | np.floating):
        x = float(value)
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(value, np.integer):
        return int(value)
    return value


class Explainer:
    def __init__(self, bundle: Bundle, inputs: StoreInputs, reference: dict[str, tuple[float, float]],
                 cache_size: int = 4096):
        self.model = bundle.model
        self.inputs = inputs
        self.reference = reference
        self._shap_index = lru_cache(maxsize=cache_size)(self._shap_of_index) if cache_size else self._shap_of_index

    def shap_values(self, row: list) -> np.ndarray:
        """SHAP values of one row: n_features contributions then the base value (log-odds)."""
        pool = Pool([row], cat_features=self.inputs.cat_index, feature_names=self.inputs.features)
        values = self.model.get_feature_importance(pool, type="ShapValues", thread_count=1)
        return np.asarray(values[0], dtype=np.float64)

    def _shap_of_index(self, i: int) -> np.ndarray:
        values = self.shap_values(self.inputs.row(i))
        values.setflags(write=False)
        return values

    def explain_index(self, i: int, top: int) -> dict[str, Any]:
        return self.explain(self.inputs.row(i), top, self._shap_index(i))

    def explain(self, row: list, top: int, shap: np.ndarray | None = None) -> dict[str, Any]:
        shap = self.shap_values(row) if shap is None else shap
        contributions, base = shap[:-1], float(shap[-1])
        order = np.argsort(-np.abs(contributions), kind="stable")
        chosen = order[:top]
        items = [self.contribution(int(j), row[int(j)], float(contributions[j])) for j in chosen]
        rest = float(contributions[order[top:]].sum()) if len(order) > top else 0.0
        return {
            "base_value": base,
            "raw_score": base + float(contributions.sum()),
            "contributions": items,
            "other_contribution": rest,
            "other_count": max(0, len(order) - top),
        }

    def contribution(self, j: int, value: Any, contribution: float) -> dict[str, Any]:
        name = self.inputs.features[j]
        value = json_value(value)
        sentence_fr, sentence_en = text.sentences(name, value, contribution, self.reference.get(name))
        return {
            "feature": name,
            "label": text.label(name, "fr"),
            "label_en": text.label(name, "en"),
            "value": value,
            "display_value": text.format_value(name, value, "fr"),
            "display_value_en": text.format_value(name, value, "en"),
            "unit": text.unit(name),
            "contribution": contribution,
            "direction": "raises" if contribution > 0 else "lowers",
            "sentence": sentence_fr,
            "sentence_en": sentence_en,
        }
