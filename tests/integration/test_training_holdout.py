"""Generalisation check: the fast profile's whole procedure (search with early stopping on inner splits, refit
with the scaled tree count) run on 75 % of the real sample, the exported model scored on the other 25 %."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from training import steps
from training.dataset import load_training_data
from training.models import build_pipeline, export_model
from training.profiles import get_profile

pytestmark = pytest.mark.slow

SEED = 42


def test_fast_model_generalises_to_held_out_quarter(real_data_dir):
    data = load_training_data(real_data_dir)
    X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, test_size=0.25, stratify=data.y,
                                                        random_state=SEED)
    profile = get_profile("fast")
    # training's own search step, every choice (candidate, trees) made on the training quarters only
    train = replace(data, X=X_train, y=y_train)
    folds = list(StratifiedKFold(profile.folds, shuffle=True, random_state=SEED).split(X_train, y_train))
    run = steps.Run(data=train, folds=folds, profile=profile, n_iter=profile.n_iter, seed=SEED, fn_cost=10.0,
                    fp_cost=1.0, data_dir=real_data_dir)
    searched = steps.search(run)
    final = build_pipeline(data.features, data.categorical, variant="smote", ratio=searched.ratio,
                           params=searched.refit_params, seed=SEED)
    final.fit(X_train, y_train)
    # scored as the service does: the exported CatBoost model on model_input rows
    auc = roc_auc_score(y_test, export_model(final).predict_proba(X_test)[:, 1])
    cv_auc = searched.result.cv_auc
    print(f"held-out AUC {auc:.4f} (CV on the training rows {cv_auc:.4f}, "
          f"{searched.refit_params['iterations']} trees, depth {searched.refit_params.get('depth')})")
    assert auc > 0.70, auc
    # the CV estimate made on the training rows is within its own noise of what the held-out rows give
    assert abs(auc - cv_auc) < 0.04, (auc, cv_auc)
