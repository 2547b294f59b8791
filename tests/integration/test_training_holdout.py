"""Generalisation check: the fast profile's whole procedure (search with early stopping on inner splits, refit
with the scaled tree count) run on 75 % of the real sample, the exported model scored on the other 25 %."""

from __future__ import annotations

import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from training.dataset import load_training_data
from training.models import build_pipeline, export_model
from training.profiles import get_profile
from training.search import refit_iterations, run_search
from training.steps import split_params

pytestmark = pytest.mark.slow

SEED = 42


def test_fast_model_generalises_to_held_out_quarter(real_data_dir):
    data = load_training_data(real_data_dir)
    X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, test_size=0.25, stratify=data.y,
                                                        random_state=SEED)
    profile = get_profile("fast")
    # as training.pipeline does, but every choice (candidate, trees) made on the training quarters only
    folds = list(StratifiedKFold(profile.folds, shuffle=True, random_state=SEED).split(X_train, y_train))
    base = build_pipeline(data.features, data.categorical, ratio=profile.ratio, params=profile.base_params,
                          seed=SEED)
    result = run_search(base, X_train, y_train, folds, profile.distributions, profile.n_iter, SEED,
                        shares=profile.shares, factor=profile.factor)
    ratio, searched = split_params(result.best_params)
    trees = refit_iterations(result.best_iterations, result.n_fit_rows, len(y_train))
    final = build_pipeline(data.features, data.categorical, variant="smote", ratio=ratio,
                           params={**profile.base_params, **searched, "iterations": trees}, seed=SEED)
    final.fit(X_train, y_train)
    # scored as the service does: the exported CatBoost model on model_input rows
    auc = roc_auc_score(y_test, export_model(final).predict_proba(X_test)[:, 1])
    print(f"held-out AUC {auc:.4f} (CV on the training rows {result.cv_auc:.4f}, {trees} trees, {searched})")
    assert auc > 0.70, auc
    # the CV estimate made on the training rows is within its own noise of what the held-out rows give
    assert abs(auc - result.cv_auc) < 0.04, (auc, result.cv_auc)
