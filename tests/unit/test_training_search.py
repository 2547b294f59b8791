"""The search: early stopping on an inner split of each training fold (never the evaluated fold), successive
halving on rows, and the refit's iteration count."""

import numpy as np
import pandas as pd
import pytest
from catboost import CatBoostClassifier
from scipy.stats import loguniform
from sklearn.model_selection import StratifiedKFold

from training.compare import oof_predictions
from training.models import build_pipeline
from training.search import VALIDATION_SHARE, EarlyStopped, halving_fits, refit_iterations, run_search

FEATURES = ["ROW", "AMOUNT", "RATIO", "CITY"]
CATEGORICAL = ["CITY"]
TINY = {"iterations": 400, "depth": 2, "learning_rate": 0.3, "max_ctr_complexity": 1, "boosting_type": "Plain"}


def toy(n=500, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    X = pd.DataFrame({
        "ROW": np.arange(n, dtype=np.float32),  # identifies a real row wherever it goes
        "AMOUNT": (rng.lognormal(11, 0.5, n) + 30_000 * y).astype(np.float32),
        "RATIO": (rng.random(n) + 0.3 * y).astype(np.float32),
        "CITY": rng.choice(["Paris", "Lyon", "NA"], n).astype(str),
    }, index=pd.Index(np.arange(100_000, 100_000 + n), name="SK_ID_CURR"))
    return X, y


@pytest.fixture
def eval_sets(monkeypatch):
    """Every eval_set CatBoost is given (its ROW values), and the trees it kept."""
    seen = []
    original = CatBoostClassifier.fit

    def spy(self, X, y=None, **kwargs):
        out = original(self, X, y, **kwargs)
        eval_set = kwargs.get("eval_set")
        seen.append({"rows": None if eval_set is None else set(eval_set[0]["ROW"].astype(int)),
                     "fit_rows": len(X), "trees": self.tree_count_})
        return out

    monkeypatch.setattr(CatBoostClassifier, "fit", spy)
    return seen


def test_early_stopping_uses_an_inner_split_of_the_training_fold(eval_sets):
    X, y = toy()
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    est = EarlyStopped(build_pipeline(FEATURES, CATEGORICAL, ratio=0.3, params=TINY, seed=0), seed=0)
    oof = oof_predictions(est, X, y, folds)
    assert not np.isnan(oof).any()
    assert len(eval_sets) == len(folds)
    for (train, test), fit in zip(folds, eval_sets, strict=True):
        rows = fit["rows"]
        assert rows, "no early-stopping validation set"
        assert rows <= set(train), "early stopping saw rows outside the training fold"
        assert not rows & set(test), "early stopping saw the evaluated fold"
        assert len(rows) == pytest.approx(VALIDATION_SHARE * len(train), abs=1)
        assert fit["trees"] < TINY["iterations"], "stopping never happened: the cap chose the trees"


def test_fitted_model_keeps_the_best_iteration_and_smote_sees_only_the_fitting_part(eval_sets):
    X, y = toy(seed=1)
    est = EarlyStopped(build_pipeline(FEATURES, CATEGORICAL, ratio=0.5, params=TINY, seed=0), seed=0).fit(X, y)
    assert est.best_iteration_ == est.pipeline_.named_steps["model"].tree_count_
    assert est.n_fit_rows_ == len(X) - len(est.validation_index_)
    neg = int((y[~X.index.isin(est.validation_index_)] == 0).sum())
    assert eval_sets[0]["fit_rows"] == neg + int(round(0.5 * neg))  # resampled fitting part only


def test_successive_halving_keeps_the_best_third_and_scores_the_winner_on_all_rows():
    X, y = toy(n=400, seed=2)
    folds = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    base = build_pipeline(FEATURES, CATEGORICAL, ratio=0.3, params=TINY, seed=0)
    res = run_search(base, X, y, folds, {"model__l2_leaf_reg": loguniform(1, 30)}, n_candidates=6, seed=0,
                     shares=(0.5, 1.0), factor=3)
    first = [c for c in res.candidates if c["rung"] == 0]
    second = [c for c in res.candidates if c["rung"] == 1]
    assert len(first) == 6 and len(second) == 2
    best_two = sorted(first, key=lambda c: -c["auc_mean"])[:2]
    assert {c["index"] for c in second} == {c["index"] for c in best_two}
    assert res.best_index == max(second, key=lambda c: c["auc_mean"])["index"]
    assert not np.isnan(res.oof).any() and res.cv_auc == max(c["auc_mean"] for c in second)
    assert [r["candidates"] for r in res.rungs] == [6, 2]
    with pytest.raises(ValueError):
        run_search(base, X, y, folds, {}, 1, 0, shares=(0.5,))


def test_refit_iterations_scale_with_the_rows():
    assert refit_iterations([100, 200], [500, 500], 1000) == 300
    assert refit_iterations([10], [800], 800) == 10
    assert refit_iterations([100], [1000], 300_000) == 200  # a subsampled search: the scale is capped at 2


def test_halving_fits_counts_every_rung():
    assert halving_fits(9, (1 / 3, 1.0), 3) == 12
    assert halving_fits(2, (1.0,), 3) == 2
    assert halving_fits(10, (0.25, 0.5, 1.0), 3) == 10 + 4 + 2
