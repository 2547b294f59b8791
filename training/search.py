"""Hyper-parameter search: successive halving over the SMOTE + CatBoost pipeline, each fit early-stopped.

- :class:`EarlyStopped` fits a pipeline on a training fold with CatBoost early
  stopping on an *inner* validation split of that fold's rows (real rows, never
  resampled; SMOTE is fitted on the rest only). The evaluated fold is never
  seen: the number of trees is chosen inside the training rows.
- :func:`run_search` samples candidates (sklearn ``ParameterSampler``) and runs
  successive halving with training rows as the resource: every candidate is
  fitted on a stratified share of each training fold (the inner validation
  split stays whole, so stopping is as reliable as at full size) and scored on
  the whole evaluated folds; the best ``1/factor`` go on to the next share, the
  last share being all rows. Scores of the last rung are on all rows, so the
  winner's out-of-fold predictions come for free.
- The final refit has no validation split: it uses the winner's mean best
  iteration scaled by the ratio of rows (all labelled rows vs the rows an
  early-stopped fold model was trained on), see :func:`refit_iterations`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import ParameterSampler, train_test_split

log = logging.getLogger(__name__)

#: Share of a training fold held out for early stopping.
VALIDATION_SHARE = 0.2
#: Rounds without improvement = PATIENCE_UNITS / learning rate (at least 20). Chosen by CV on the sample
#: (compact profile): 4 units grew more trees for no gain (CV AUC 0.7141 vs 0.7147); stopping on AUC
#: instead of log-loss stopped far too early (17-58 trees, CV AUC 0.7091).
PATIENCE_UNITS = 2.0


def patience_for(learning_rate: float) -> int:
    """Rounds without improvement before stopping: ~2 units of learning rate x trees (40 at 0.05, 100 at 0.02)."""
    return max(20, int(round(PATIENCE_UNITS / max(float(learning_rate), 1e-3))))


class EarlyStopped(ClassifierMixin, BaseEstimator):
    """An imblearn pipeline (``prep -> smote -> restore -> model``) fitted with early stopping.

    ``fit(X, y)`` splits its rows (stratified, seeded) into a fitting part and a
    validation part (``validation`` share); the pipeline (SMOTE included) is
    fitted on the fitting part only, optionally subsampled to ``subsample`` of
    it, and CatBoost stops when the validation log-loss (its default metric: smoother than AUC on ~1,000
    rows) has not improved for ``patience`` rounds (default :func:`patience_for` the learning rate), keeping
    the best iteration. Fitted attributes: ``pipeline_``, ``best_iteration_``
    (number of trees kept), ``n_fit_rows_``, ``validation_index_`` (row labels
    used for stopping).
    """

    def __init__(self, estimator=None, validation: float = VALIDATION_SHARE, patience: int | None = None,
                 subsample: float = 1.0, seed: int = 42, metric: str | None = None):
        self.estimator = estimator
        self.metric = metric
        self.validation = validation
        self.patience = patience
        self.subsample = subsample
        self.seed = seed

    def fit(self, X: pd.DataFrame, y):
        y = np.asarray(y)
        rows = np.arange(len(y))
        fit_rows, val_rows = train_test_split(rows, test_size=self.validation, stratify=y, random_state=self.seed)
        if self.subsample < 1.0:
            fit_rows, _ = train_test_split(fit_rows, train_size=self.subsample, stratify=y[fit_rows],
                                           random_state=self.seed + 1)
        est = clone(self.estimator)
        if self.metric:
            est.set_params(model__eval_metric=self.metric)
        model = est.named_steps["model"]
        patience = self.patience or patience_for(model.get_params().get("learning_rate") or 0.05)
        X_val = _model_frame(est, X.iloc[val_rows])
        est.fit(X.iloc[fit_rows], y[fit_rows], model__eval_set=(X_val, y[val_rows]),
                model__early_stopping_rounds=patience, model__use_best_model=True)
        fitted = est.named_steps["model"]
        self.pipeline_ = est
        self.best_iteration_ = int(fitted.get_best_iteration()) + 1
        self.n_fit_rows_ = int(len(fit_rows))
        self.validation_index_ = X.index[val_rows]
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        return self.pipeline_.predict_proba(X)


def _model_frame(pipeline, X: pd.DataFrame) -> pd.DataFrame:
    """Rows as the CatBoost step sees them without resampling (``prep`` then ``restore``; both stateless)."""
    prep = clone(pipeline.named_steps["prep"]).fit(X)
    restore = clone(pipeline.named_steps["restore"])
    encoded = prep.transform(X)
    return restore.fit(encoded).transform(encoded)


def early_stopped(pipeline, seed: int = 42, subsample: float = 1.0) -> EarlyStopped:
    return EarlyStopped(pipeline, subsample=subsample, seed=seed)


#: Largest factor between a fold model's trees and the final model's (a refit on all rows of a Kaggle-size run
#: after a search on a small subsample would otherwise extrapolate the rule far beyond where it was checked).
MAX_REFIT_SCALE = 2.0


def refit_iterations(best_iterations: list[int], n_fit_rows: list[int], n_rows: int) -> int:
    """Trees of the final model (all ``n_rows``, no validation split): the mean best iteration of the fold
    models times the ratio of rows (boosting on more rows of the same kind needs about proportionally more
    trees before it overfits: the usual rule when refitting without early stopping), the ratio capped at
    :data:`MAX_REFIT_SCALE`."""
    scale = min(n_rows / float(np.mean(n_fit_rows)), MAX_REFIT_SCALE)
    return max(1, int(round(float(np.mean(best_iterations)) * scale)))


def halving_fits(n_candidates: int, shares: tuple[float, ...], factor: int) -> int:
    """Candidates evaluated over all rungs of :func:`run_search` (times the folds = fits)."""
    total, alive = 0, n_candidates
    for r in range(len(shares)):
        if r:
            alive = max(1, math.ceil(alive / factor))
        total += alive
    return total


@dataclass
class SearchResult:
    best_params: dict  # pipeline parameter names (smote__/model__ prefixes)
    best_index: int
    cv_auc: float  # mean fold AUC of the winner (last rung: all rows)
    cv_auc_std: float
    oof: np.ndarray  # winner's out-of-fold probabilities (raw)
    best_iterations: list[int]  # trees kept by early stopping in each fold
    n_fit_rows: list[int]  # rows each fold model was fitted on (before SMOTE)
    refit_iterations: int  # trees of the final model (on the searched rows; see steps.search for all rows)
    candidates: list[dict] = field(default_factory=list)  # one row per (candidate, rung)
    rungs: list[dict] = field(default_factory=list)  # share of rows, candidates, seconds per rung


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def evaluate(pipeline, X: pd.DataFrame, y: np.ndarray, folds: list, seed: int, subsample: float = 1.0,
             name: str = "candidate", tick=None) -> dict:
    """Early-stopped fits on each training fold, scored on the whole evaluated fold (``tick()`` after each)."""
    oof = np.full(len(y), np.nan)
    aucs, iters, n_fit = [], [], []
    started = time.perf_counter()
    for k, (train, test) in enumerate(folds):
        est = early_stopped(pipeline, seed=seed, subsample=subsample).fit(X.iloc[train], y[train])
        oof[test] = est.predict_proba(X.iloc[test])[:, 1]
        aucs.append(float(roc_auc_score(y[test], oof[test])))
        iters.append(est.best_iteration_)
        n_fit.append(est.n_fit_rows_)
        log.info("%s: fold %d/%d AUC %.4f, %d trees (%.0fs)", name, k + 1, len(folds), aucs[-1], iters[-1],
                 time.perf_counter() - started)
        if tick is not None:
            tick()
    return {"oof": oof, "fold_auc": aucs, "auc_mean": float(np.mean(aucs)), "auc_std": float(np.std(aucs)),
            "best_iterations": iters, "n_fit_rows": n_fit, "fit_seconds": time.perf_counter() - started}


def run_search(pipeline, X: pd.DataFrame, y: np.ndarray, folds: list, distributions: dict, n_candidates: int,
               seed: int, shares: tuple[float, ...] = (1.0,), factor: int = 3,
               on_candidate: Callable[[int, dict], None] | None = None, tick=None) -> SearchResult:
    """Successive halving: ``n_candidates`` sampled, ``shares`` of training rows per rung (last = 1.0);
    ``tick()`` after each candidate x fold fit (a progress bar)."""
    if not shares or shares[-1] != 1.0:
        raise ValueError("the last rung must use all training rows (share 1.0)")
    sampled = list(ParameterSampler(distributions, n_iter=n_candidates, random_state=seed)) if distributions \
        else [{}]
    sampled = [{k: _plain(v) for k, v in p.items()} for p in sampled]
    alive = list(range(len(sampled)))
    candidates, rungs, last = [], [], {}
    for r, share in enumerate(shares):
        if r:
            keep = max(1, math.ceil(len(alive) / factor))
            alive = sorted(alive, key=lambda i: -last[i]["auc_mean"])[:keep]
        t0 = time.perf_counter()
        scores = {}
        for i in alive:
            est = clone(pipeline).set_params(**sampled[i])
            row = evaluate(est, X, y, folds, seed, subsample=share,
                           name=f"search rung {r + 1}/{len(shares)} candidate {i + 1}", tick=tick)
            row.update({"index": i, "rung": r, "share": share, "params": sampled[i]})
            scores[i] = row
            candidates.append(row)
            log.info("search: rung %d (%.0f%% of rows) candidate %d AUC %.4f ± %.4f %s", r + 1, share * 100, i + 1,
                     row["auc_mean"], row["auc_std"], sampled[i])
            if on_candidate:
                on_candidate(len(candidates) - 1, row)
        last = scores
        rungs.append({"rung": r, "share": share, "candidates": len(alive),
                      "seconds": round(time.perf_counter() - t0, 1)})
    best = max(last, key=lambda i: last[i]["auc_mean"])
    win = last[best]
    return SearchResult(
        best_params=sampled[best], best_index=best, cv_auc=win["auc_mean"], cv_auc_std=win["auc_std"],
        oof=win["oof"], best_iterations=win["best_iterations"], n_fit_rows=win["n_fit_rows"],
        refit_iterations=refit_iterations(win["best_iterations"], win["n_fit_rows"], len(y)),
        candidates=candidates, rungs=rungs,
    )
