"""Bundle round trip: what training writes is what scoring.bundle.load_bundle gives back."""

from pathlib import Path

import numpy as np
import pandas as pd

from scoring.bundle import load_bundle
from scoring.data import DataReport
from scoring.features import FeatureSet, model_input
from training.calibrate import fit_calibrator
from training.dataset import TrainingData
from training.export import make_version, write_bundle
from training.extras import neighbours, population
from training.labels import feature_entries
from training.models import build_pipeline, export_model

FEATURES = ["EXT_SOURCE_1", "AMT_CREDIT", "CNT_CHILDREN", "CODE_GENDER", "NAME_CONTRACT_TYPE"]
CATEGORICAL = ["CODE_GENDER", "NAME_CONTRACT_TYPE"]


def _featureset(n=300, seed=0) -> FeatureSet:
    rng = np.random.default_rng(seed)
    ids = rng.permutation(np.arange(200_000, 200_000 + n))  # unsorted on purpose
    target = np.where(rng.random(n) < 0.15, 1, 0).astype(np.int8)
    target[-20:] = -1  # application_test clients
    frame = pd.DataFrame({
        "EXT_SOURCE_1": np.where(rng.random(n) < 0.3, np.nan, rng.random(n) - 0.3 * (target == 1)).astype(np.float32),
        "AMT_CREDIT": rng.lognormal(12, 0.4, n).astype(np.float32),
        "CNT_CHILDREN": rng.integers(0, 4, n).astype(np.float32),
        "CODE_GENDER": pd.Categorical(rng.choice(["F", "M"], n)),
        "NAME_CONTRACT_TYPE": pd.Categorical(np.where(rng.random(n) < 0.1, None, "Cash loans")),
    }, index=pd.Index(ids, name="SK_ID_CURR"))
    apps = frame[["CODE_GENDER", "AMT_CREDIT"]].copy()
    apps.insert(0, "SK_ID_CURR", ids)
    apps["TARGET"] = target
    apps["DAYS_BIRTH"] = -rng.integers(8000, 25000, n)
    return FeatureSet(frame=frame, target=pd.Series(target, index=frame.index), applications=apps,
                      report=DataReport(), synthetic=True, data_dir=Path("."))


def test_written_bundle_loads_back_identically(tmp_path):
    fs = _featureset()
    X_all = model_input(fs.frame, FEATURES, CATEGORICAL)
    lab = fs.labelled.to_numpy()
    data = TrainingData(featureset=fs, features=FEATURES, categorical=CATEGORICAL, X_all=X_all, X=X_all[lab],
                        y=fs.target.to_numpy()[lab].astype(int), fingerprint="0" * 16)
    pipe = build_pipeline(FEATURES, CATEGORICAL, ratio=0.5, params={"iterations": 20, "depth": 2}).fit(data.X, data.y)
    model = export_model(pipe)
    raw = model.predict_proba(X_all)[:, 1]
    calibrator = fit_calibrator(data.y, raw[lab])
    probability = calibrator.apply(raw)
    version = make_version(data.fingerprint, {"a": 1}, 42)
    metadata = {"version": version, "created": "2026-01-01T00:00:00+00:00", "threshold": 0.2,
                "features": feature_entries(FEATURES, CATEGORICAL), "categorical": CATEGORICAL,
                "costs": {"fn": 10, "fp": 1}, "metrics": {"auc": 0.7}}
    extras = {"neighbours": neighbours(fs.frame, ["EXT_SOURCE_1", "AMT_CREDIT", "CNT_CHILDREN"]),
              "population": population(data.X, data.y, CATEGORICAL)}
    path = write_bundle(tmp_path, model=model, calibrator=calibrator, metadata=metadata, data=data,
                        probability=probability, extras=extras)

    bundle = load_bundle(tmp_path)  # through models/CURRENT
    assert bundle.path == path and bundle.version == version and bundle.threshold == 0.2
    store = bundle.store
    order = np.argsort(fs.frame.index.to_numpy())
    assert (store.ids == np.sort(fs.frame.index.to_numpy())).all()
    assert (store.target == fs.target.to_numpy()[order]).all() and (store.target == -1).sum() == 20
    np.testing.assert_allclose(store.probability, probability[order], atol=1e-6)
    rows = [store.model_row(i) for i in range(len(store))]
    rescored = bundle.calibrator.apply(bundle.model.predict_proba(rows)[:, 1])
    np.testing.assert_allclose(rescored, store.probability, atol=1e-6)
    decoded = store.frame(np.arange(len(store)))
    pd.testing.assert_series_equal(decoded["CODE_GENDER"].astype(str),
                                   fs.frame["CODE_GENDER"].iloc[order].astype(str), check_index=False, check_names=False)
    assert (store.info["SK_ID_CURR"].to_numpy() == store.ids).all() and "TARGET" not in store.info.columns
    nb = bundle.extra("neighbours")
    assert nb["matrix"].shape == (300, 3) and list(nb["columns"]) == ["EXT_SOURCE_1", "AMT_CREDIT", "CNT_CHILDREN"]
    pop = bundle.extra("population")
    assert pop["features"]["CNT_CHILDREN"]["type"] == "numeric"
    assert pop["features"]["NAME_CONTRACT_TYPE"]["levels"] == ["Cash loans", "NA"]


def test_only_the_first_bundle_of_a_models_root_becomes_champion_unless_asked(tmp_path):
    """A retrained model replaces the champion only through ``python -m training.promote`` (its check)."""
    from training.export import becomes_champion

    assert becomes_champion(tmp_path, None)  # a fresh models root serves what it trained
    (tmp_path / "CURRENT").write_text("20260101-000000-aaaaaaa\n")
    assert not becomes_champion(tmp_path, None)
    assert becomes_champion(tmp_path, True) and not becomes_champion(tmp_path, False)
    assert not becomes_champion(tmp_path / "elsewhere", False)


def test_a_bundle_written_as_non_champion_leaves_current_alone(tmp_path):
    fs = _featureset()
    X_all = model_input(fs.frame, FEATURES, CATEGORICAL)
    lab = fs.labelled.to_numpy()
    data = TrainingData(featureset=fs, features=FEATURES, categorical=CATEGORICAL, X_all=X_all, X=X_all[lab],
                        y=fs.target.to_numpy()[lab].astype(int), fingerprint="0" * 16)
    pipe = build_pipeline(FEATURES, CATEGORICAL, ratio=0.5, params={"iterations": 5, "depth": 2}).fit(data.X, data.y)
    raw = export_model(pipe).predict_proba(X_all)[:, 1]
    metadata = {"version": "20260102-000000-bbbbbbb", "created": "2026-01-02T00:00:00+00:00", "threshold": 0.2,
                "features": feature_entries(FEATURES, CATEGORICAL), "categorical": CATEGORICAL,
                "costs": {"fn": 10, "fp": 1}, "metrics": {"auc": 0.7}}
    (tmp_path / "CURRENT").write_text("20260101-000000-aaaaaaa\n")
    path = write_bundle(tmp_path, model=export_model(pipe), calibrator=fit_calibrator(data.y, raw[lab]),
                        metadata=metadata, data=data, probability=raw, extras={}, make_current=False)
    assert (path / "metadata.json").exists()
    assert (tmp_path / "CURRENT").read_text().strip() == "20260101-000000-aaaaaaa"
