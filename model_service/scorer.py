"""Calibrated probability, 0-100 score, decision and band, for one client or many.

Known clients are scored from the bundle's precomputed probabilities (``store/probability.npy``:
the final model and calibrator applied to the very rows of the store at export time). At start-up
a sample of store rows is rescored with the model; if any differs (a store exported by other code,
or an old float32 file) the precomputed values are ignored and every known client is scored
with the model instead: one store row read as a plain list -> ``model.predict([row])`` (no
pandas), cached per client. New applications and batches of records go through the model
(one vectorised CatBoost call for a batch).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from catboost import FeaturesData, Pool

from scoring.bundle import Bundle
from scoring.decision import BANDS, decide, to_score

from .inputs import StoreInputs

log = logging.getLogger("model_service")

#: Store rows rescored at start-up to check the precomputed probabilities, and the tolerance.
CHECK_ROWS = 64
CHECK_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Score:
    probability: float
    score: float
    decision: str

    @property
    def band(self) -> str:
        return BANDS[self.decision]

    def as_dict(self) -> dict[str, Any]:
        return {"probability": self.probability, "score": self.score, "decision": self.decision,
                "band": self.band}


@dataclass(frozen=True)
class Scores:
    """Vectorised scores of many rows."""

    probability: np.ndarray
    score: np.ndarray
    decision: np.ndarray

    def item(self, k: int) -> dict[str, Any]:
        decision = str(self.decision[k])
        return {"probability": float(self.probability[k]), "score": float(self.score[k]),
                "decision": decision, "band": BANDS[decision]}


class Scorer:
    def __init__(self, bundle: Bundle, inputs: StoreInputs, cache_size: int = 50_000):
        self.model = bundle.model
        self.calibrator = bundle.calibrator
        self.threshold = bundle.threshold
        self.version = bundle.version
        self.inputs = inputs
        categorical = set(inputs.categorical)
        self._numeric = [name for name in inputs.features if name not in categorical]
        self._by_index = lru_cache(maxsize=cache_size)(self._score_index) if cache_size else self._score_index
        self.precomputed: np.ndarray | None = self._checked_precomputed(bundle.store.probability)

    def _checked_precomputed(self, stored: np.ndarray) -> np.ndarray | None:
        """The store's probabilities when the model reproduces them on a spread sample of rows, else None."""
        n = len(stored)
        if n == 0 or stored.dtype != np.float64:
            return None
        sample = np.unique(np.linspace(0, n - 1, num=min(CHECK_ROWS, n)).astype(np.int64))
        # One thread: this runs in gunicorn's master before the fork (--preload), and a CatBoost thread
        # pool created there is inherited broken by the workers (they crashed on exit with SIGSEGV).
        expected = self.scores_from_raw(self.raw_frame(self.inputs.frame(sample), thread_count=1)).probability
        worst = float(np.max(np.abs(expected - stored[sample])))
        if not worst <= CHECK_TOLERANCE:
            log.warning("store/probability.npy differs from the model by up to %.3g on %d sampled clients: "
                        "known clients will be scored with the model", worst, len(sample))
            return None
        return np.asarray(stored)

    @property
    def uses_precomputed(self) -> bool:
        return self.precomputed is not None

    # --- one row ---------------------------------------------------------------------------------
    def from_raw(self, raw_probability: float) -> Score:
        return self.from_probability(float(self.calibrator.apply(raw_probability)))

    def from_probability(self, probability: float) -> Score:
        score = float(to_score(probability, self.threshold))
        return Score(probability=probability, score=score, decision=decide(score))

    def score_row(self, row: list) -> Score:
        raw = self.model.predict([row], prediction_type="Probability", thread_count=1)[0][1]
        return self.from_raw(float(raw))

    def _score_index(self, i: int) -> Score:
        return self.score_row(self.inputs.row(i))

    def score_index(self, i: int) -> Score:
        """Score of the known client at store position ``i``."""
        if self.precomputed is not None:
            return self.from_probability(float(self.precomputed[i]))
        return self._by_index(i)

    def log_odds(self, row: list) -> float:
        return float(self.model.predict([row], prediction_type="RawFormulaVal", thread_count=1)[0])

    # --- many rows -------------------------------------------------------------------------------
    def scores_from_raw(self, raw: np.ndarray) -> Scores:
        return self.scores_from_probability(self.calibrator.apply(np.asarray(raw, dtype=np.float64)))

    def scores_from_probability(self, probability: np.ndarray) -> Scores:
        probability = np.asarray(probability, dtype=np.float64)
        score = np.asarray(to_score(probability, self.threshold), dtype=np.float64)
        return Scores(probability=probability, score=score, decision=decide(score))

    def raw_frame(self, x: pd.DataFrame, thread_count: int = -1) -> np.ndarray:
        """Raw (uncalibrated) P(default) of every row of a model-input frame."""
        if len(x) == 0:
            return np.empty(0, dtype=np.float64)
        return self.model.predict(x, prediction_type="Probability", thread_count=thread_count)[:, 1]

    def score_frame(self, x: pd.DataFrame) -> Scores:
        return self.scores_from_raw(self.raw_frame(x))

    def raw_columns(self, columns: Mapping[str, np.ndarray], thread_count: int = -1) -> np.ndarray:
        """Raw P(default) of model columns (``scoring.features.model_columns``), given to CatBoost as one
        float32 matrix and one text matrix (``FeaturesData``, named features): about half the cost of
        a frame with text columns."""
        n = len(next(iter(columns.values()))) if columns else 0
        if n == 0:
            return np.empty(0, dtype=np.float64)
        data = FeaturesData(
            num_feature_data=np.stack([columns[name] for name in self._numeric], axis=1).astype(np.float32, copy=False),
            num_feature_names=self._numeric,
            cat_feature_data=np.stack([columns[name] for name in self.inputs.categorical], axis=1).astype(object),
            cat_feature_names=list(self.inputs.categorical))
        return self.model.predict(Pool(data), prediction_type="Probability", thread_count=thread_count)[:, 1]

    def score_columns(self, columns: Mapping[str, np.ndarray]) -> Scores:
        return self.scores_from_raw(self.raw_columns(columns))

    def score_indices(self, rows: np.ndarray) -> Scores:
        """Scores of the known clients at store positions ``rows``."""
        if self.precomputed is not None:
            return self.scores_from_probability(self.precomputed[np.asarray(rows, dtype=np.int64)])
        return self.score_frame(self.inputs.frame(rows))
