"""Hyper-parameter search: RandomizedSearchCV over the SMOTE + CatBoost pipeline, AUC on stratified folds.

The scorer records every candidate's validation-fold probabilities, so the
out-of-fold predictions of the winner come for free (no second CV pass).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RandomizedSearchCV

log = logging.getLogger(__name__)


class OOFRecorder:
    """AUC scorer that also stores each candidate's validation-fold probabilities by row position."""

    def __init__(self, index: pd.Index, param_names: list[str], n_candidates: int, n_folds: int, tick=None):
        self.tick = tick
        self.index = index
        self.param_names = param_names
        self.n_candidates = n_candidates
        self.n_folds = n_folds
        self.oof: dict[tuple, np.ndarray] = {}
        self.calls = 0
        self.started = time.perf_counter()

    def key(self, estimator) -> tuple:
        params = estimator.get_params()
        return tuple((name, repr(params[name])) for name in self.param_names)

    def __call__(self, estimator, X, y) -> float:
        proba = estimator.predict_proba(X)[:, 1]
        key = self.key(estimator)
        store = self.oof.setdefault(key, np.full(len(self.index), np.nan))
        store[self.index.get_indexer(X.index)] = proba
        auc = float(roc_auc_score(y, proba))
        self.calls += 1
        candidate, fold = divmod(self.calls - 1, self.n_folds)
        log.info("search: candidate %d/%d fold %d/%d AUC %.4f (%.0fs)", candidate + 1, self.n_candidates,
                 fold + 1, self.n_folds, auc, time.perf_counter() - self.started)
        if self.tick is not None:
            self.tick()
        return auc


@dataclass
class SearchResult:
    best_params: dict  # pipeline parameter names (smote__/model__ prefixes)
    best_index: int
    cv_auc: float  # mean fold AUC of the winner
    cv_auc_std: float
    oof: np.ndarray  # winner's out-of-fold probabilities (raw)
    candidates: list[dict] = field(default_factory=list)  # params, mean/std AUC, fold AUCs, OOF, fit time


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def run_search(pipeline, X: pd.DataFrame, y: np.ndarray, folds: list, distributions: dict, n_iter: int,
               seed: int, on_candidate: Callable[[int, dict], None] | None = None, tick=None) -> SearchResult:
    """``tick()`` after each candidate x fold fit (a progress bar)."""
    names = sorted(distributions)
    recorder = OOFRecorder(X.index, names, n_iter, len(folds), tick)
    search = RandomizedSearchCV(
        pipeline, distributions, n_iter=n_iter, scoring=recorder, cv=folds, refit=False,
        random_state=seed, n_jobs=1, error_score="raise", return_train_score=False,
    )
    search.fit(X, y)
    res = search.cv_results_
    candidates = []
    for i, params in enumerate(res["params"]):
        key = tuple((name, repr(params[name])) for name in names)
        candidates.append({
            "index": i,
            "params": {k: _plain(v) for k, v in params.items()},
            "auc_mean": float(res["mean_test_score"][i]),
            "auc_std": float(res["std_test_score"][i]),
            "fold_auc": [float(res[f"split{k}_test_score"][i]) for k in range(len(folds))],
            "fit_seconds": float(res["mean_fit_time"][i]) * len(folds),
            "oof": recorder.oof[key],
        })
        if on_candidate:
            on_candidate(i, candidates[-1])
    best = int(np.argmax(res["mean_test_score"]))
    return SearchResult(
        best_params=candidates[best]["params"], best_index=best, cv_auc=candidates[best]["auc_mean"],
        cv_auc_std=candidates[best]["auc_std"], oof=candidates[best]["oof"], candidates=candidates,
    )
