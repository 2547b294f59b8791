"""Generalisation check: fast-profile settings trained on 75 % of the real sample, scored on the other 25 %."""

from __future__ import annotations

import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from training.dataset import load_training_data
from training.models import build_pipeline, export_model
from training.profiles import get_profile

pytestmark = pytest.mark.slow


def test_fast_model_generalises_to_held_out_quarter(real_data_dir):
    data = load_training_data(real_data_dir)
    X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, test_size=0.25, stratify=data.y,
                                                        random_state=42)
    profile = get_profile("fast")
    pipe = build_pipeline(data.features, data.categorical, variant="smote", ratio=profile.ratio,
                          params={**profile.base_params, "depth": 4}, seed=42)
    pipe.fit(X_train, y_train)
    # scored as the service does: the exported CatBoost model on model_input rows
    auc = roc_auc_score(y_test, export_model(pipe).predict_proba(X_test)[:, 1])
    assert auc > 0.70, auc
