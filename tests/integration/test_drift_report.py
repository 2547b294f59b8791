"""The drift report end to end: evidently runs on synthetic data and on data built here.

- a deliberate shift in a few columns is flagged, with exactly those columns on top;
- a random split of one population is not flagged (small-sample and large-sample regimes);
- with a model bundle: score PSI from the model's scores, prediction log as current set,
  ``--fail-on-psi`` exit 3;
- the real sample (header-only application_test) gives the clear exit-2 error;
- the model card of a really trained bundle carries its figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reports import drift

REPO = Path(__file__).resolve().parents[2]

SHIFTED = ["AMT_INCOME_TOTAL", "EXT_SOURCE_3", "NAME_EDUCATION_TYPE"]
STABLE = ["AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "DAYS_BIRTH", "DAYS_EMPLOYED", "DAYS_REGISTRATION",
          "DAYS_ID_PUBLISH", "EXT_SOURCE_1", "EXT_SOURCE_2", "CNT_CHILDREN", "CNT_FAM_MEMBERS",
          "REGION_POPULATION_RELATIVE", "REGION_RATING_CLIENT", "FLAG_OWN_CAR", "FLAG_OWN_REALTY", "CODE_GENDER",
          "NAME_CONTRACT_TYPE", "NAME_INCOME_TYPE", "NAME_FAMILY_STATUS", "NAME_HOUSING_TYPE", "OCCUPATION_TYPE",
          "FLAG_EMAIL", "HOUR_APPR_PROCESS_START"]


@pytest.fixture(scope="module")
def halves(synthetic_dir, tmp_path_factory):
    """Two random halves of the synthetic training applicants, plus the second half with a shift."""
    apps = pd.read_csv(synthetic_dir / "application_train.csv.gz")
    perm = np.random.default_rng(0).permutation(len(apps))
    first, second = apps.iloc[perm[: len(apps) // 2]], apps.iloc[perm[len(apps) // 2:]].copy()
    out = tmp_path_factory.mktemp("halves")
    first.to_csv(out / "first.csv", index=False)
    second.to_csv(out / "second.csv", index=False)
    shifted = second.copy()
    rng = np.random.default_rng(1)
    shifted["AMT_INCOME_TOTAL"] = shifted["AMT_INCOME_TOTAL"] * 1.8
    shifted["EXT_SOURCE_3"] = (shifted["EXT_SOURCE_3"] - 0.25).clip(lower=0.0005)
    change = rng.random(len(shifted)) < 0.7
    shifted.loc[change, "NAME_EDUCATION_TYPE"] = "Higher education"
    shifted.to_csv(out / "shifted.csv", index=False)
    return out


def _run(args: list[str], out: Path) -> tuple[int, dict]:
    status = drift.main([*args, "--out", str(out / "drift.html")])
    summary_path = out / "drift_summary.json"
    return status, (json.loads(summary_path.read_text()) if summary_path.exists() else {})


def test_random_split_is_not_flagged(halves, tmp_path):
    status, summary = _run(["--reference", str(halves / "first.csv"), "--current", str(halves / "second.csv"),
                            "--no-bundle", "--columns", ",".join(SHIFTED + STABLE)], tmp_path)
    assert status == 0
    assert summary["n_columns"] == len(SHIFTED + STABLE)
    assert summary["n_drifted"] == 0, [c for c in summary["columns"] if c["drifted"]]
    assert summary["dataset_drift"] is False and summary["verdict"]["status"] == "stable"
    assert summary["drifted_columns"] == [] and summary["missing_shift_columns"] == []
    assert summary["sampled"] is False
    assert summary["score_psi"]["value"] is None and "bundle" in summary["score_psi"]["reason"]
    html = (tmp_path / "drift.html").read_text()
    assert "credit-drift-banner" in html and "STABLE" in html


def test_shift_in_a_few_columns_is_flagged_with_those_on_top(halves, tmp_path):
    status, summary = _run(["--reference", str(halves / "first.csv"), "--current", str(halves / "shifted.csv"),
                            "--no-bundle", "--columns", ",".join(STABLE + SHIFTED)], tmp_path)
    assert status == 0
    top = [c["column"] for c in summary["columns"][: len(SHIFTED)]]
    assert set(top) == set(SHIFTED)
    assert [c["column"] for c in summary["drifted_columns"]] == top
    assert summary["n_drifted"] == 3
    assert summary["share_drifted"] == pytest.approx(3 / len(STABLE + SHIFTED), abs=1e-6)
    assert summary["verdict"]["status"] == "watch" and summary["dataset_drift"] is False
    first = summary["columns"][0]
    assert set(first) >= {"column", "label", "score", "method", "drifted", "threshold", "rank"}
    assert first["label"] != first["column"]  # human label from scoring.labels
    html = (tmp_path / "drift.html").read_text()
    assert "WATCH" in html and "AMT_INCOME_TOTAL" in html


def test_large_samples_use_distances_and_see_a_shift():
    rng = np.random.default_rng(5)

    def frame(n, shift=0.0):
        return pd.DataFrame({
            "EXT_SOURCE_2": np.clip(rng.normal(0.5 + shift, 0.2, n), 0, 1),
            "AMT_CREDIT": rng.lognormal(13, 0.5, n),
            "FLAG_EMAIL": (rng.random(n) < 0.06).astype(float),
            "NAME_CONTRACT_TYPE": rng.choice(["Cash loans", "Revolving loans"], n, p=[0.9 - shift, 0.1 + shift]),
        })

    ref, same, moved = frame(8000), frame(6000), frame(6000, shift=0.2)
    cols = list(ref.columns)
    _, results, skipped = drift.compare(ref, same, cols, {"NAME_CONTRACT_TYPE"})
    assert skipped == [] and not any(r["drifted"] for r in results)
    assert {r["method_id"] for r in results} == {"wasserstein", "jensenshannon"}
    _, results, _ = drift.compare(ref, moved, cols, {"NAME_CONTRACT_TYPE"})
    ranked = drift.rank(results)
    assert {r["column"] for r in ranked if r["drifted"]} == {"EXT_SOURCE_2", "NAME_CONTRACT_TYPE"}
    assert {r["column"] for r in ranked[:2]} == {"EXT_SOURCE_2", "NAME_CONTRACT_TYPE"}


def test_sampling_is_said(halves, tmp_path):
    status, summary = _run(["--reference", str(halves / "first.csv"), "--current", str(halves / "second.csv"),
                            "--no-bundle", "--columns", "AMT_CREDIT,CODE_GENDER", "--max-rows", "300",
                            "--seed", "11"], tmp_path)
    assert status == 0
    assert summary["sampled"] is True
    assert summary["sampling"]["reference_rows"] == 300 and summary["sampling"]["current_rows"] == 300
    assert summary["reference"]["rows"] > 300 and summary["reference"]["rows_compared"] == 300
    assert "seed 11" in summary["sampling"]["note"]
    assert "sampled from" in (tmp_path / "drift.html").read_text()


def test_real_sample_has_no_current_set(real_data_dir, tmp_path):
    out = tmp_path / "drift.html"
    run = subprocess.run([sys.executable, "-m", "reports.drift", "--reference", str(real_data_dir), "--no-bundle",
                          "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert run.returncode == 2, run.stderr
    assert "application_test.csv" in run.stderr and "empty" in run.stderr
    assert not out.exists() and not (tmp_path / "drift_summary.json").exists()


# --------------------------------------------------------------------------- with a model bundle


@pytest.fixture(scope="module")
def tiny_bundle(synthetic_dir, tmp_path_factory):
    """A small CatBoost bundle trained here on the synthetic data (seconds, not the real training)."""
    from catboost import CatBoostClassifier

    from scoring.bundle import save_bundle
    from scoring.calibration import Calibrator
    from scoring.features import build_features, categorical_features, feature_names, model_input

    fs = build_features(synthetic_dir)
    names, cats = feature_names(), categorical_features()
    labelled = fs.labelled.to_numpy()
    model = CatBoostClassifier(iterations=60, depth=4, random_seed=0, verbose=False, thread_count=2,
                               allow_writing_files=False,
                               cat_features=cats)
    model.fit(model_input(fs.frame[labelled], names, cats), fs.target[labelled].to_numpy())
    proba = model.predict_proba(model_input(fs.frame, names, cats))[:, 1]
    importance = sorted(zip(names, model.get_feature_importance(), strict=True), key=lambda kv: -kv[1])
    metadata = {"version": "tiny-1", "created": "2026-01-01T00:00:00Z", "threshold": 0.1,
                "features": [{"name": n} for n in names], "categorical": cats, "costs": {"fn": 10, "fp": 1},
                "metrics": {"auc": 0.7}, "importance": [{"feature": f, "importance": float(v)} for f, v in importance]}
    root = tmp_path_factory.mktemp("models")
    oof = {"ids": fs.frame.index.to_numpy()[labelled], "probability": proba[labelled]}
    save_bundle(root, model=model, calibrator=Calibrator(), metadata=metadata, features=fs.frame,
                target=fs.target, probability=proba, info=fs.applications[["SK_ID_CURR", "AMT_CREDIT"]],
                extras={"oof": oof})
    return root, fs


def test_bundle_columns_and_score_psi_of_the_current_applicants(tiny_bundle, synthetic_dir, tmp_path):
    root, fs = tiny_bundle
    status, summary = _run(["--reference", str(synthetic_dir), "--bundle", str(root), "--top", "12",
                            "--fail-on-psi", "0.25"], tmp_path)
    assert status == 0
    assert summary["columns_basis"]["kind"] == "bundle_importance" and summary["n_columns"] <= 12
    assert summary["model_version"] == "tiny-1"
    assert summary["reference"]["kind"] == "application_train" and summary["current"]["kind"] == "application_test"
    assert summary["reference"]["rows"] == int(fs.labelled.sum())
    assert summary["current"]["rows"] == int((~fs.labelled).sum())
    psi = summary["score_psi"]
    assert psi["reference"]["source"].startswith("bundle extra oof")
    assert "bundle model tiny-1" in psi["current"]["source"]
    assert psi["current"]["n"] == summary["current"]["rows"]
    assert 0 <= psi["value"] < 0.25 and psi["status"] in ("stable", "watch")  # same population, same model
    assert summary["columns"][0]["importance_rank"] is not None


def test_prediction_log_with_shifted_scores_fails_on_psi(tiny_bundle, synthetic_dir, tmp_path):
    root, fs = tiny_bundle
    test_rows = fs.frame.loc[~fs.labelled.to_numpy()].head(200)
    log = tmp_path / "predictions.jsonl"
    with log.open("w") as handle:
        for i, (_, row) in enumerate(test_rows.iterrows()):
            features = {k: (None if pd.isna(v) else (v if isinstance(v, str) else float(v))) for k, v in row.items()}
            handle.write(json.dumps({"time": f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}Z", "probability": 0.9,
                                     "score": 95.0, "model_version": "tiny-1", "features": features}) + "\n")
    status, summary = _run(["--reference", str(synthetic_dir), "--bundle", str(root), "--top", "12",
                            "--current", "log", "--log", str(log), "--fail-on-psi", "0.25"], tmp_path)
    assert status == 3
    assert summary["current"]["kind"] == "prediction_log" and summary["current"]["rows"] == 200
    assert summary["score_psi"]["value"] > 0.25 and summary["score_psi"]["status"] == "act"
    assert summary["verdict"]["status"] == "act"
    assert "prediction log probabilities" in summary["score_psi"]["current"]["source"]
    assert (tmp_path / "drift.html").exists()  # the report is still written for the investigation


def test_prediction_log_in_the_database_over_a_window(tiny_bundle, synthetic_dir, tmp_path):
    """--current log reads the service database's prediction_log (the storage schema), only inside --since/--until."""
    from datetime import UTC, datetime

    from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, Text, create_engine, insert

    root, fs = tiny_bundle
    meta = MetaData()
    table = Table("prediction_log", meta, Column("id", Integer, primary_key=True), Column("logged_at", DateTime(timezone=True)),
                  Column("endpoint", String(32)), Column("client_id", Integer), Column("probability", Float),
                  Column("score", Float), Column("decision", String(16)), Column("model_version", String(100)),
                  Column("role", String(16)), Column("features", Text))
    url = f"sqlite:///{tmp_path / 'service.db'}"
    engine = create_engine(url)
    meta.create_all(engine)
    rows = []
    for i, (_, row) in enumerate(fs.frame.loc[~fs.labelled.to_numpy()].head(300).iterrows()):
        features = {k: (None if pd.isna(v) else (v if isinstance(v, str) else float(v))) for k, v in row.items()}
        month = 1 if i < 200 else 3  # 200 in January (high scores), 100 in March
        rows.append({"logged_at": datetime(2026, month, 5, 10, i % 60, tzinfo=UTC), "endpoint": "predict",
                     "client_id": None, "probability": 0.9, "score": 95.0, "decision": "decline",
                     "model_version": "tiny-1", "role": "champion", "features": json.dumps(features)})
        rows.append({**rows[-1], "role": "challenger", "probability": 0.01, "model_version": "tiny-2"})
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
    status, summary = _run(["--reference", str(synthetic_dir), "--bundle", str(root), "--top", "12",
                            "--current", "log", "--database-url", url, "--since", "2026-01-01",
                            "--until", "2026-02-01", "--fail-on-psi", "0.25"], tmp_path)
    assert status == 3  # all the January scores are high: PSI past the action level
    assert summary["current"]["rows"] == 200 and summary["current"]["model_versions"] == {"tiny-1": 200}
    assert summary["current"]["source"].startswith("prediction log database")
    status, _ = _run(["--reference", str(synthetic_dir), "--bundle", str(root), "--current", "log",
                      "--database-url", url, "--since", "2027-01-01"], tmp_path)
    assert status == 2  # nothing in that window: a clear error, no report


@pytest.mark.slow
def test_model_card_of_a_trained_bundle(fast_bundle, tmp_path):
    from reports.model_card import main
    from scoring.bundle import resolve
    from scoring.model_card_text import flatten, fmt, plain

    out = tmp_path / "model_card.md"
    assert main(["--bundle", str(fast_bundle), "--out", str(out), "--drift", str(tmp_path / "none.json")]) == 0
    card = out.read_text()
    metadata = json.loads((resolve(fast_bundle) / "metadata.json").read_text())
    assert f"version {metadata['version']}" in card
    assert fmt(float(metadata["threshold"])) in card
    figures = [(k, v) for k, v in flatten(metadata["metrics"]) if isinstance(v, float)]
    assert figures, metadata["metrics"]
    for key, value in figures:
        assert f"| {fmt(value)} |" in card, key
    assert f"missed default (false negative) {plain(metadata['costs']['fn'])}" in card
    fairness = json.loads((resolve(fast_bundle) / "extras" / "fairness.json").read_text())
    from scoring.labels import category_label
    from scoring.model_card import _attribute_label

    for name, attribute in fairness["attributes"].items():  # attributes and groups in words (issue 17)
        first = attribute["groups"][0]
        group = category_label(name, first["group"], "en")
        assert f"### {_attribute_label(name, 'en')}" in card and f"| {fmt(group)} | {fmt(first['count'])} |" in card, \
            name
    assert "No drift report yet" in card
