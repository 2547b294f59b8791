"""Per-client explanations from CatBoost's native SHAP values (no shap package).

``base_value + sum(contributions) == raw_score``: the log-odds of the
uncalibrated model for that row. ``points`` gives the same explanation in points of the
0-100 score (``model_service.reasons``); protected attributes are never named.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from catboost import Pool

from scoring.bundle import Bundle
from scoring.decision import to_score
from scoring.features import MISSING_CATEGORY
from scoring.protected import of_bundle

from . import reasons, text
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
        self.calibrator = bundle.calibrator
        self.threshold = bundle.threshold
        self.inputs = inputs
        self.reference = reference
        self.protected = of_bundle(bundle.metadata)
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

    def score_of(self, log_odds: float) -> float:
        """The 0-100 score of a raw model output in log-odds (as ``Scorer.from_raw`` computes it)."""
        raw = 1.0 / (1.0 + math.exp(-log_odds))
        return float(to_score(float(self.calibrator.apply(raw)), self.threshold))

    def explain_index(self, i: int, top: int, score: float) -> dict[str, Any]:
        """``score``: the client's score as served everywhere (the points add up to it)."""
        return self.explain(self.inputs.row(i), top, self._shap_index(i), score=score)

    def explain(self, row: list, top: int, shap: np.ndarray | None = None, score: float | None = None
                ) -> dict[str, Any]:
        shap = self.shap_values(row) if shap is None else shap
        contributions, base = shap[:-1], float(shap[-1])
        raw = base + float(contributions.sum())
        chosen = reasons.named_order(contributions, self.inputs.features, self.protected)[:top]
        items = [self.contribution(j, row[j], float(contributions[j])) for j in chosen]
        rest = float(contributions.sum() - contributions[chosen].sum())
        return {
            "base_value": base,
            "raw_score": raw,
            "contributions": items,
            "other_contribution": rest,
            "other_count": len(contributions) - len(chosen),
            "points": self.points(row, contributions, base, self.score_of(raw) if score is None else score),
        }

    def points(self, row: list, contributions: np.ndarray, base: float, score: float) -> dict[str, Any]:
        base_score, chosen, other, other_count = reasons.in_points(
            contributions, base, score, self.score_of, self.inputs.features, self.protected)
        items = []
        for j, points in chosen:
            item = self.contribution(j, row[j], float(contributions[j]))
            del item["contribution"], item["unit"]
            items.append({**item, "points": points})
        return {"unit": "score points", "base": base_score, "score": score, "reasons": items,
                "other_points": other, "other_count": other_count}

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
