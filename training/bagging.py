"""Seed bagging: the same early-stopped SMOTE + CatBoost pipeline fitted with several seeds, averaged.

One fitted pipeline depends on its seeds: SMOTE's synthetic defaulters, CatBoost's random choices and the
early-stopping split. Averaging members that differ only in those seeds removes part of that variance. On
the real 7,000-applicant sample (same 5 folds, the full profile's searched parameters, CatBoost's target
statistics for categoricals, the searched learning rate) 3 seeds raised the CV AUC from 0.7280 +- 0.0199 to
0.7369 +- 0.0159, 5 seeds to 0.7372; what ships differs (one-hot, faster members: below).

Members are averaged in log-odds (CatBoost's raw formula value), which is exactly what
:func:`merge` does with ``catboost.sum_models`` and weights ``1/n``: the shipped bundle stays one CatBoost
model, so serving and ``ShapValues`` are unchanged. It holds every member's trees, and an explanation costs
in proportion to them, so members learn ``bags`` times faster (learning rate x ``bags``): each stops after
about ``1/bags`` of the trees and the merged model explains a client about as fast as one model
(:data:`MAX_EXPLAIN_LEAVES` bounds it). Same 5 folds, full profile's winner: one model CV AUC 0.7286 +- 0.0177,
best cost 0.5624; three members at 3x the learning rate 0.7305 +- 0.0170, 0.5380, with fewer trees in all.
:func:`training.steps.bag` ships the members only when cross-validation says they help.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, sum_models
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin, clone

#: Seed of member ``b`` = run seed + SEED_STEP * b (member 0 has the run's seed).
SEED_STEP = 1000

#: Most leaves (trees x 2^depth) the shipped model may have: CatBoost's ``ShapValues`` on one row costs about
#: that many units, and ``POST /predict`` with its explanation must answer in p50 <= 15 ms (issue 13).
#: Measured under gunicorn (bench/service.py, 2026-12-03, the full profile's winner, depth 6): one member of
#: 264 trees (16,896 leaves) p50 14.15 ms; three merged (792 trees, 50,688 leaves) p50 30.20 ms.
#: Since 2026-12-04 the service explains a one-hot model from a leaf table (``scoring.leaf_shap``: the cost no
#: longer grows with the leaves; 4.1-5.2 ms with the explanation), so the bound binds only a model with CTR
#: splits. Members at the searched rate were then measured on the same 5 folds (real sample, the shipped
#: parameters): 3 x 264 trees CV AUC 0.7337 +- 0.0150, best cost 0.5470, against 0.7331 +- 0.0183, 0.5439 for
#: 3 x 63 trees at 3x the rate (what ships): no gain, so the faster members stay.
MAX_EXPLAIN_LEAVES = 20_000


def leaves(trees: int, depth: int, members: int = 1) -> int:
    """Leaves of a merged model: ``members`` x ``trees`` x 2^``depth`` (what an explanation costs)."""
    return int(members) * max(1, int(trees)) * 2 ** max(0, int(depth))


def explains_in_time(bag_leaves: int, single_leaves: int) -> bool:
    """May a bagged model of ``bag_leaves`` ship instead of the single model of ``single_leaves``? Within
    :data:`MAX_EXPLAIN_LEAVES`, or no larger than the single model (which ships anyway)."""
    return bag_leaves <= max(MAX_EXPLAIN_LEAVES, single_leaves)


def widest_categorical(X: pd.DataFrame, categorical: list[str]) -> int:
    """Most distinct values (the missing level included) of any categorical column."""
    return max((int(X[c].nunique(dropna=False)) for c in categorical), default=0)


def member_seed(seed: int, member: int) -> int:
    return int(seed) + SEED_STEP * int(member)


def reseeded(estimator, seed: int):
    """A clone of an :class:`~training.search.EarlyStopped` pipeline or a bare pipeline with every seed set:
    the early-stopping split, SMOTE's sampling and CatBoost's ``random_seed``."""
    est = clone(estimator)
    names = est.get_params(deep=True)
    settings = {}
    for key in ("seed", "estimator__smote__random_state", "smote__random_state",
                "estimator__model__random_seed", "model__random_seed"):
        if key in names and not (key.endswith("random_state") and names[key.removesuffix("__random_state")]
                                 == "passthrough"):
            settings[key] = seed
    return est.set_params(**settings)


def mean_logit(probabilities: list[np.ndarray]) -> np.ndarray:
    """P(default) of the log-odds average of members' probabilities."""
    stacked = np.clip(np.vstack([np.asarray(p, dtype=np.float64) for p in probabilities]), 1e-15, 1 - 1e-15)
    return expit(logit(stacked).mean(axis=0))


class Bagged(ClassifierMixin, BaseEstimator):
    """``bags`` reseeded clones of ``estimator`` (member 0 keeps ``seed``), averaged in log-odds."""

    def __init__(self, estimator=None, bags: int = 3, seed: int = 42):
        self.estimator = estimator
        self.bags = bags
        self.seed = seed

    def fit(self, X: pd.DataFrame, y):
        self.members_ = [reseeded(self.estimator, member_seed(self.seed, b)).fit(X, y) for b in range(self.bags)]
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X) -> np.ndarray:
        p = mean_logit([m.predict_proba(X)[:, 1] for m in self.members_])
        return np.column_stack([1 - p, p])


def bagged(estimator, bags: int, seed: int):
    """``estimator`` itself for one bag (no wrapper, today's single model), else :class:`Bagged`."""
    return estimator if bags <= 1 else Bagged(estimator, bags=bags, seed=seed)


def merge(models: list[CatBoostClassifier]) -> CatBoostClassifier:
    """One CatBoost model whose raw value is the members' mean (``sum_models`` with weights 1/n); with one
    member, that member. Exact only when the members hold no categorical target statistics (CTR tables,
    which differ from member to member and which ``sum_models`` cannot keep apart): bagged profiles one-hot
    encode every categorical (``one_hot_max_size``), and the refit checks the merged model against the
    members' average (``serving_check_max_abs_diff``)."""
    if len(models) == 1:
        return models[0]
    with_ctr = [i for i, m in enumerate(models) if _uses_ctr(m)]
    if with_ctr:
        raise ValueError(f"members {with_ctr} use categorical target statistics: merging them would change "
                         "their predictions (set one_hot_max_size above the largest number of categories)")
    merged = sum_models(models, weights=[1.0 / len(models)] * len(models))
    out = CatBoostClassifier()
    out.load_model(blob=merged._serialize_model())
    return out


def _uses_ctr(model: CatBoostClassifier) -> bool:
    """Does any split of the fitted model test a categorical target statistic (CTR)?"""
    import json
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.json"
        model.save_model(str(path), format="json")
        doc = json.loads(path.read_text())
    trees = doc.get("oblivious_trees") or []  # a tree without any split has "splits": null
    return bool(doc.get("ctr_data") or (doc.get("features_info") or {}).get("ctrs")) or any(
        split.get("split_type") == "OnlineCtr" for tree in trees for split in tree.get("splits") or [])
