"""The fast-profile bundle trained once per session on the real sample (``fast_bundle``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from scoring.bundle import load_bundle
from scoring.features import build_features, categorical_features, feature_names, model_input
from scoring.protected import model_features

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle(fast_bundle):
    return load_bundle(fast_bundle)


def test_metadata_has_everything_the_service_and_reports_need(bundle):
    m = bundle.metadata
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{7}", m["version"])
    datetime.fromisoformat(m["created"])
    assert m["profile"] == "fast" and m["synthetic"] is False and len(m["data_fingerprint"]) == 16
    names = [f["name"] for f in m["features"]]
    assert names == model_features(feature_names()) and m["categorical"] == model_features(categorical_features())
    # no protected attribute is a model feature; it stays in the store's info, for fairness only
    assert "CODE_GENDER" not in names and "CODE_GENDER" not in m["categorical"]
    assert "CODE_GENDER" not in bundle.feature_names and "CODE_GENDER" not in bundle.model.feature_names_
    assert all({"name", "type", "label", "label_en", "unit"} <= set(f) for f in m["features"])
    assert {f["type"] for f in m["features"]} == {"numeric", "categorical"}
    assert 0 < m["threshold"] < 1 and m["costs"] == {"fn": 10.0, "fp": 1.0}
    for key in ("auc", "accuracy", "precision", "recall", "f1", "business_cost", "accept_all_cost",
                "confusion_matrix", "cv_auc", "brier_raw", "brier"):
        assert key in m["metrics"], key
    assert m["metrics"]["business_cost"] < m["metrics"]["accept_all_cost"]
    assert len(m["cost_curve"]["thresholds"]) == len(m["cost_curve"]["cost"]) >= 200
    assert len(m["roc"]["fpr"]) == len(m["roc"]["tpr"]) <= 200
    assert len(m["importance"]) == len(names)
    assert {"feature", "label", "importance", "mean_abs_shap"} <= set(m["importance"][0])
    for key in ("brier_raw", "brier", "predicted", "observed", "count"):
        assert key in m["calibration"]
    assert [r["variant"] for r in m["ablation"]] == ["smote", "none", "class_weights"]
    assert [r["variant"] for r in m["comparison"]] == ["dummy", "logistic", "catboost"]
    assert m["comparison"][0]["auc"] == pytest.approx(0.5)
    assert 0.1 <= m["search"]["smote_ratio"] <= 1.0 and "cv_auc" in m["search"]
    assert set(m["fairness"]["summary"]) == {"CODE_GENDER", "AGE_BAND", "NAME_FAMILY_STATUS", "NAME_INCOME_TYPE"}
    assert m["fairness"]["gender_variant"]["computed"] is False and "note" in m["fairness"]["gender_variant"]
    assert m["model"]["serving_check_max_abs_diff"] < 1e-9
    # the 7,000-applicant sample is below the subsampling threshold: every step used every row
    assert m["sampling"]["subsampled"] is False and m["sampling"]["cv_rows"] == m["n_labelled"]
    assert m["sampling"]["refit"]["labelled"] == m["n_labelled"]
    # ... so no holdout: calibration, threshold, metrics and honest estimate stay the out-of-fold ones
    assert m["sampling"]["holdout"] is None and "held_out" not in m["sampling"]["refit"]
    assert "steps_on_holdout" not in m["sampling"] and "final refit" in m["sampling"]["steps_on_all_rows"]
    assert m["metrics"]["source"] == "out-of-fold" and "fitted_on" not in m["calibration"]
    assert "source" not in m["honest_estimate"] and len(m["honest_estimate"]["folds"]) == m["search"]["folds"]
    assert "trained_on" not in m["model"] and bundle.extra("holdout") is None


def test_store_covers_every_client_with_final_model_probabilities(bundle):
    store = bundle.store
    assert len(store) == 7000 and int((store.target == 1).sum()) == 547
    rows = np.arange(0, len(store), 97)
    raw = bundle.model.predict_proba([store.model_row(i) for i in rows])[:, 1]
    np.testing.assert_allclose(bundle.calibrator.apply(raw), store.probability[rows], atol=1e-6)
    info = store.info
    for column in ("SK_ID_CURR", "AMT_INCOME_TOTAL", "DAYS_BIRTH", "CODE_GENDER", "EXT_SOURCE_3", "FLAG_DOCUMENT_3"):
        assert column in info.columns
    assert "TARGET" not in info.columns
    assert (info["SK_ID_CURR"].to_numpy() == store.ids).all()


def test_extras(bundle):
    nb = bundle.extra("neighbours")
    assert nb["matrix"].shape == (7000, len(nb["columns"])) and 10 <= len(nb["columns"]) <= 15
    assert not np.isnan(nb["matrix"]).any()
    assert np.allclose(nb["matrix"].mean(axis=0), 0, atol=1e-3)
    pop = bundle.extra("population")
    assert pop["n_default"] == 547 and len(pop["features"]) == len(bundle.feature_names)
    ext = pop["features"]["EXT_SOURCE_3"]
    assert ext["type"] == "numeric" and len(ext["edges"]) - 1 == len(ext["repaid"]) <= 30
    assert sum(ext["repaid"]) + sum(ext["default"]) + sum(ext["missing"].values()) == 7000
    contract = pop["features"]["NAME_CONTRACT_TYPE"]
    assert contract["type"] == "categorical" and sum(contract["repaid"]) + sum(contract["default"]) == 7000
    assert "CODE_GENDER" not in pop["features"]  # not a model feature: no comparison plot offers it
    oof = bundle.extra("oof")
    assert len(oof["ids"]) == len(oof["probability"]) == 7000
    fair = bundle.extra("fairness")
    groups = {g["group"] for g in fair["attributes"]["AGE_BAND"]["groups"]}
    assert groups <= {"<30", "30-40", "40-50", "50-60", "60+"} and len(groups) >= 4
    assert fair["attributes"]["CODE_GENDER"]["demographic_parity_difference"]["ci_low"] is not None


def test_evaluate_command_reproduces_in_sample_metrics(bundle, fast_bundle, real_data_dir, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "training.evaluate", "--data", str(real_data_dir), "--bundle", str(fast_bundle)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["n"] == 7000 and result["threshold"] == bundle.threshold
    # the same numbers computed directly from the bundle
    fs = build_features(real_data_dir)
    X = model_input(fs.frame, bundle.feature_names, bundle.categorical)
    p = bundle.calibrator.apply(bundle.model.predict_proba(X)[:, 1])
    y = fs.target.to_numpy()
    assert result["auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-9)
    refused = p >= bundle.threshold
    fn, fp = int((refused == 0)[y == 1].sum()), int(refused[y == 0].sum())
    assert result["business_cost"] == pytest.approx((10 * fn + fp) / len(y))
    assert result["confusion_matrix"] == [[int((y == 0).sum()) - fp, fp], [fn, int((y == 1).sum()) - fn]]
    assert result["accuracy"] == pytest.approx(((refused == 1) == (y == 1)).mean())


def test_evaluate_writes_predictions_for_unlabelled_clients(fast_bundle, real_data_dir, tmp_path):
    data = tmp_path / "unlabelled"
    data.mkdir()
    for f in real_data_dir.glob("*.csv.gz"):
        (data / f.name).symlink_to(f)
    (data / "application_test.csv.gz").unlink()
    (data / "application_train.csv.gz").unlink()
    train = pd.read_csv(real_data_dir / "application_train.csv.gz", nrows=40)
    train.drop(columns="TARGET").to_csv(data / "application_test.csv.gz", index=False)
    train.iloc[:0].to_csv(data / "application_train.csv.gz", index=False)
    out = tmp_path / "pred.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "training.evaluate", "--data", str(data), "--bundle", str(fast_bundle), "--out", str(out)],
        capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert str(out) in proc.stdout
    pred = pd.read_csv(out)
    assert list(pred.columns) == ["SK_ID_CURR", "probability", "score", "decision"] and len(pred) == 40
    assert pred["probability"].between(0, 1).all() and set(pred["decision"]) <= {"approve", "review", "decline"}
    # same probabilities as the store holds for these clients (same raw fields, same model)
    store = load_bundle(fast_bundle).store
    pos = np.searchsorted(store.ids, pred["SK_ID_CURR"].to_numpy())
    np.testing.assert_allclose(pred["probability"], store.probability[pos], atol=1e-6)


def test_mlflow_has_runs_and_champion(fast_bundle, bundle):
    from mlflow import MlflowClient

    uri = bundle.metadata["mlflow"]["tracking_uri"]
    client = MlflowClient(tracking_uri=uri)
    version = client.get_model_version_by_alias("credit-scoring", "champion")
    assert str(version.version) == bundle.metadata["mlflow"]["model_version"]
    experiment = client.get_experiment_by_name("credit-scoring")
    runs = client.search_runs([experiment.experiment_id])
    parent = client.get_run(bundle.metadata["mlflow"]["run_id"])
    assert parent.data.metrics["cv_auc"] == pytest.approx(bundle.metadata["metrics"]["cv_auc"])
    kinds = [r.data.tags.get("kind") for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert kinds.count("search") == bundle.metadata["search"]["n_candidates"]
    assert kinds.count("ablation") == 3 and kinds.count("comparison") == 3
    artifacts = {a.path for a in client.list_artifacts(parent.info.run_id, "report")}
    assert {"report/cost_curve.png", "report/ablation.csv", "report/reliability.png"} <= artifacts


def test_methodology_note_is_built_from_the_run(fast_bundle, bundle, tmp_path):
    from reports.methodology import main

    out = tmp_path / "methodology.md"
    assert main(["--bundle", str(fast_bundle), "--out", str(out)]) == 0
    text = out.read_text()
    m = bundle.metadata
    for heading in ("Training method", "ablation", "Business cost", "Results", "Interpretability", "Fairness",
                    "Limits", "drift"):
        assert heading.lower() in text.lower(), heading
    assert f"**{m['threshold']:.3f}**" in text
    assert f"{m['metrics']['cv_auc']:.4f}" in text
    assert f"client **{m['example']['id']}**" in text
    assert "holdout" not in text.lower() and "every step (search" in text
    html = out.with_suffix(".html").read_text()
    assert html.count("data:image/png;base64,") == 5


def test_calibrated_oof_probabilities_keep_the_ranking_and_never_reach_0_or_1(bundle):
    """Issue 17: isotonic collapsed 3,000 clients onto 29 probabilities with a minimum of exactly 0."""
    oof = bundle.extra("oof")
    raw, calibrated, y = oof["raw"], oof["probability"], oof["target"]
    assert bundle.calibrator.smooth and bundle.metadata["calibration"]["method"] == bundle.calibrator.kind
    assert len(np.unique(calibrated)) >= 0.95 * len(np.unique(raw))
    assert calibrated.min() > 0 and calibrated.max() < 1
    assert abs(roc_auc_score(y, calibrated) - roc_auc_score(y, raw)) <= 0.001
    np.testing.assert_allclose(bundle.calibrator.apply(raw), calibrated, atol=1e-12)
    # every client of the store too: strictly bounded, as many distinct probabilities as distinct raw scores
    p = np.asarray(bundle.store.probability)
    assert p.min() > 0 and p.max() < 1 and len(np.unique(p)) >= 0.95 * len(p)
    methods = [r["method"] for r in bundle.metadata["calibration"]["comparison"]]
    assert {"platt_logit", "beta", "pchip", "isotonic"} <= set(methods)
