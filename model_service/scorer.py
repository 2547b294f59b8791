"""Calibrated probability, 0-100 score, decision and band, for one client or many.

The single-client path is one store row read as a plain list -> ``model.predict([row])``
(a plain list, no pandas), cached per client; batches go through one
vectorised CatBoost call.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from scoring.bundle import Bundle
from scoring.decision import decide, decide_many, to_score

from .inputs import StoreInputs

BANDS = {"approve": "green", "review": "orange", "decline": "red"}


@dataclass(frozen=True)
class Score:
    probability: float
    score: float
    decision: str
    raw_probability: float

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
        self._by_index = lru_cache(maxsize=cache_size)(self._score_index) if cache_size else self._score_index

    # --- one row ---------------------------------------------------------------------------------
    def from_raw(self, raw_probability: float) -> Score:
        probability = float(self.calibrator.apply(raw_probability))
        score = float(to_score(probability, self.threshold))
        return Score(probability=probability, score=score, decision=decide(score),
                     raw_probability=float(raw_probability))

    def score_row(self, row: list) -> Score:
        raw = self.model.predict([row], prediction_type="Probability", thread_count=1)[0][1]
        return self.from_raw(float(raw))

    def _score_index(self, i: int) -> Score:
        return self.score_row(self.inputs.row(i))

    def score_index(self, i: int) -> Score:
        return self._by_index(i)

    def log_odds(self, row: list) -> float:
        return float(self.model.predict([row], prediction_type="RawFormulaVal", thread_count=1)[0])

    # --- many rows -------------------------------------------------------------------------------
    def scores_from_raw(self, raw: np.ndarray) -> Scores:
        probability = np.asarray(self.calibrator.apply(np.asarray(raw, dtype=np.float64)), dtype=np.float64)
        score = np.asarray(to_score(probability, self.threshold), dtype=np.float64)
        return Scores(probability=probability, score=score, decision=decide_many(score))

    def raw_frame(self, x: pd.DataFrame) -> np.ndarray:
        """Raw (uncalibrated) P(default) of every row of a model-input frame."""
        if len(x) == 0:
            return np.empty(0, dtype=np.float64)
        return self.model.predict(x, prediction_type="Probability")[:, 1]

    def score_frame(self, x: pd.DataFrame) -> Scores:
        return self.scores_from_raw(self.raw_frame(x))

    def score_indices(self, rows: np.ndarray) -> Scores:
        return self.score_frame(self.inputs.frame(rows))
