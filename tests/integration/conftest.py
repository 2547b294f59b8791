"""Fixtures of the integration tests: one in-process service per test module (``service_app``) and its test
client (``client``); the helpers they share are in service_support.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.integration.service_support import bundle_dir, make_app


@pytest.fixture(scope="module")
def service_app(fast_bundle, tmp_path_factory):
    app = make_app(fast_bundle, tmp_path_factory.mktemp("service"))
    yield app
    app.extensions["model_service"].predictions.close()


@pytest.fixture
def client(service_app):
    return service_app.test_client()


@pytest.fixture(scope="session")
def onehot_bundle(fast_bundle, tmp_path_factory) -> Path:
    """The fast bundle with its model refitted on the store's own rows and labels with every categorical
    one-hot encoded, as the shipped (bagged) profiles train it: no CTR, so explanations use the leaf table
    of SHAP values (scoring/leaf_shap.py), which the fast profile's CTR model cannot have.
    store/probability.npy is rewritten from the new model and the bundle's calibrator."""
    from catboost import CatBoostClassifier

    from model_service.inputs import StoreInputs
    from scoring.bundle import load_bundle

    target = tmp_path_factory.mktemp("onehot") / "bundle"
    shutil.copytree(bundle_dir(fast_bundle), target)
    bundle = load_bundle(target)
    inputs = StoreInputs(bundle)
    frame = inputs.frame(np.arange(len(inputs.store)))
    labels = np.load(target / "store" / "target.npy")
    model = CatBoostClassifier(iterations=150, depth=6, learning_rate=0.08, one_hot_max_size=255, border_count=64,
                               boosting_type="Plain", random_seed=0, thread_count=1, verbose=False,
                               allow_writing_files=False)
    model.fit(frame, labels, cat_features=inputs.categorical)
    model.save_model(str(target / "model.cbm"))
    raw = model.predict(frame, prediction_type="Probability", thread_count=1)[:, 1]
    np.save(target / "store" / "probability.npy", np.asarray(bundle.calibrator.apply(raw), dtype=np.float64))
    return target
