"""reports.drift logic that needs no evidently run: column choice, tests, ranking, verdict, inputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from reports import drift


def test_plan_without_bundle_is_application_columns():
    plan = drift.plan_columns(None)
    assert plan.basis == "application"
    assert "AMT_CREDIT" in plan.columns and "APP_EXT_SOURCE_MEAN" in plan.columns
    assert not plan.needs_history
    assert all(not c.startswith(("BUREAU_", "PREV_")) for c in plan.columns)


def test_plan_with_bundle_takes_the_most_important_features():
    metadata = {
        "version": "v1",
        "features": [{"name": "EXT_SOURCE_3", "label": "Score externe 3"}, {"name": "AMT_CREDIT"},
                     {"name": "BUREAU_X"}, {"name": "CODE_GENDER"}],
        "importance": [{"feature": "AMT_CREDIT", "importance": 5.0},
                       {"feature": "EXT_SOURCE_3", "importance": 30.0, "label": "ignored"},
                       {"feature": "BUREAU_X", "importance": 10.0},
                       {"feature": "CODE_GENDER", "importance": 0.0},
                       {"feature": "NOT_A_FEATURE", "importance": 99.0}],
    }
    plan = drift.plan_columns(metadata, top=3)
    assert plan.basis == "bundle_importance"
    assert plan.columns == ["EXT_SOURCE_3", "BUREAU_X", "AMT_CREDIT"]
    assert plan.labels["EXT_SOURCE_3"] == "Score externe 3"
    assert plan.importance_rank["EXT_SOURCE_3"] == 1
    assert plan.needs_history  # BUREAU_X is not an application column
    assert "3 most important" in plan.description


def test_tests_are_distances_for_large_samples_and_corrected_tests_for_small():
    rng = np.random.default_rng(0)
    big = pd.DataFrame({"x": rng.normal(size=6000), "flag": rng.integers(0, 2, 6000).astype(float),
                        "cat": pd.Categorical(rng.choice(list("abc"), 6000))})
    tests = {t.column: t for t in drift.choose_tests(big, big.copy(), ["x", "flag", "cat"], {"cat"})}
    assert (tests["x"].method, tests["x"].threshold, tests["x"].as_categorical) == ("wasserstein", 0.1, False)
    assert (tests["flag"].method, tests["flag"].as_categorical) == ("jensenshannon", True)  # <= 5 values
    assert tests["cat"].method == "jensenshannon"

    small = big.iloc[:400]
    tests = {t.column: t for t in drift.choose_tests(big, small, ["x", "flag", "cat"], {"cat"})}
    assert tests["x"].method == "ks"
    assert tests["x"].threshold == pytest.approx(0.05 / 3)  # Bonferroni over the compared columns
    assert tests["flag"].method == "z"
    assert tests["cat"].method == drift.CHI2_TWO_SAMPLE


def test_many_levels_need_more_rows_for_the_distance():
    rng = np.random.default_rng(1)
    levels = [f"L{i}" for i in range(40)]
    ref = pd.DataFrame({"c": rng.choice(levels, 8000)})
    cur = pd.DataFrame({"c": rng.choice(levels, 3000)})
    (test,) = drift.choose_tests(ref, cur, ["c"], {"c"})
    assert test.n_eff > drift.LARGE_SAMPLE and test.method == drift.CHI2_TWO_SAMPLE  # 41 levels x 100 rows > n_eff


def test_read_snapshot_and_ranking():
    snapshot = {
        "metrics": [
            {"config": {"type": "evidently:metric_v2:DriftedColumnsCount"}, "value": {"count": 2, "share": 0.5}},
            {"config": {"type": "evidently:metric_v2:ValueDrift", "column": "a", "method": "wasserstein",
                        "threshold": 0.1}, "value": 0.35},
            {"config": {"type": "evidently:metric_v2:ValueDrift", "column": "b", "method": "ks",
                        "threshold": 0.01}, "value": 1e-30},
            {"config": {"type": "evidently:metric_v2:ValueDrift", "column": "c", "method": "wasserstein",
                        "threshold": 0.1}, "value": 0.02},
            {"config": {"type": "evidently:metric_v2:ValueDrift", "column": "d", "method": "ks",
                        "threshold": 0.01}, "value": 0.4},
        ],
        "tests": [],
    }
    results = drift.read_snapshot(snapshot)
    by = {r["column"]: r for r in results}
    assert by["a"]["drifted"] and by["b"]["drifted"] and not by["c"]["drifted"] and not by["d"]["drifted"]
    assert by["b"]["method"] == "K-S p_value" and not by["b"]["higher_is_drift"]
    ranked = drift.rank(results)
    assert [r["column"] for r in ranked] == ["b", "a", "c", "d"]  # p=1e-30 is stronger than 3.5x threshold
    assert [r["rank"] for r in ranked] == [1, 2, 3, 4]
    assert ranked[0]["strength"] == pytest.approx(15.0)  # log(1e-30) / log(0.01)


def test_test_status_wins_over_recomputation():
    snapshot = {"metrics": [{"config": {"type": "evidently:metric_v2:ValueDrift", "column": "a",
                                        "method": "wasserstein", "threshold": 0.1}, "value": 0.05}],
                "tests": [{"metric_config": {"params": {"type": "evidently:metric_v2:ValueDrift", "column": "a"}},
                           "status": "FAIL"}]}
    assert drift.read_snapshot(snapshot)[0]["drifted"] is True


def test_verdict_levels():
    cols = [{"column": "a", "drifted": False, "label": "a", "missing_reference": 0.1, "missing_current": 0.1}]
    psi = {"value": 0.05, "status": "stable"}
    assert drift.verdict(cols, False, psi, 0.5)["status"] == "stable"
    assert drift.verdict([{**cols[0], "drifted": True}], False, psi, 0.5)["status"] == "watch"
    assert drift.verdict(cols, True, psi, 0.5)["status"] == "act"
    assert drift.verdict(cols, False, {"value": 0.2, "status": "watch"}, 0.5)["status"] == "watch"
    high = drift.verdict(cols, False, {"value": 0.3, "status": "act"}, 0.5)
    assert high["status"] == "act" and "0.300" in high["reasons"][0]
    moved = [{**cols[0], "missing_current": 0.9}]
    assert drift.missing_shifts(moved)[0]["column"] == "a"
    assert drift.verdict(moved, False, psi, 0.5, drift.missing_shifts(moved))["status"] == "watch"


def test_sampling_is_seeded_and_bounded():
    frame = pd.DataFrame({"x": np.arange(1000)})
    a = drift.sample_rows(frame, 100, seed=3)
    b = drift.sample_rows(frame, 100, seed=3)
    assert len(a) == 100 and a.equals(b) and a["x"].is_monotonic_increasing
    assert not a.equals(drift.sample_rows(frame, 100, seed=4))
    assert drift.sample_rows(frame, 5000, seed=3) is frame
    assert drift.sample_rows(frame, None, seed=3) is frame


def test_prediction_log_is_read_into_model_features(tmp_path):
    log = tmp_path / "predictions.jsonl"
    lines = [
        {"time": "2026-01-02T10:00:00Z", "probability": 0.12, "score": 40.0, "model_version": "v1",
         "features": {"AMT_INCOME_TOTAL": 100000, "AMT_CREDIT": 250000, "CODE_GENDER": "F",
                      "DAYS_BIRTH": -12000, "BUREAU_X_NOT_A_FEATURE": 3}},
        {"time": "2026-01-01T09:00:00Z", "probability": 0.3, "score": 60.0, "model_version": "v0",
         "features": {"AMT_INCOME_TOTAL": 50000, "AMT_CREDIT": 100000, "CODE_GENDER": None, "DAYS_BIRTH": -20000}},
    ]
    log.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n{\"time\": 1}\n")
    pop = drift.load_log(log)
    assert pop.kind == "prediction_log" and pop.rows == 2
    assert pop.probability.tolist() == [0.12, 0.3]
    assert pop.info["skipped_lines"] == 2
    assert pop.info["first_time"] == "2026-01-01T09:00:00Z"
    assert pop.info["model_versions"] == {"v1": 1, "v0": 1}
    frame = pop.frame
    assert frame["APP_CREDIT_INCOME_RATIO"].tolist() == pytest.approx([2.5, 2.0])
    assert frame["APP_AGE_YEARS"].iloc[0] == pytest.approx(12000 / 365.25, rel=1e-5)
    assert frame["CODE_GENDER"].iloc[0] == "F" and pd.isna(frame["CODE_GENDER"].iloc[1])


def test_empty_log_is_a_clear_error(tmp_path):
    log = tmp_path / "empty.jsonl"
    log.write_text("")
    with pytest.raises(drift.DriftInputError, match="empty.jsonl") as info:
        drift.load_log(log)
    assert info.value.file == str(log)
    with pytest.raises(drift.DriftInputError, match="does not exist"):
        drift.load_log(tmp_path / "missing.jsonl")


def test_cli_empty_current_exits_2_and_writes_nothing(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "application_train.csv").write_text("SK_ID_CURR,TARGET\n1,0\n")
    (data / "application_test.csv").write_text("SK_ID_CURR\n")
    out = tmp_path / "out" / "drift.html"
    status = drift.main(["--reference", str(data), "--out", str(out), "--no-bundle"])
    err = capsys.readouterr().err
    assert status == 2
    assert "application_test.csv" in err and "empty" in err
    assert not out.parent.exists()


def test_cli_empty_log_exits_2(tmp_path, capsys, monkeypatch):
    log = tmp_path / "predictions.jsonl"
    log.write_text("\n")
    monkeypatch.setenv("PREDICTION_LOG", str(log))
    status = drift.main(["--reference", str(tmp_path), "--current", "log", "--out", str(tmp_path / "d.html"),
                         "--no-bundle"])
    assert status == 2
    assert str(log) in capsys.readouterr().err
    assert not (tmp_path / "d.html").exists()


def test_cli_refuses_fail_on_psi_without_bundle(tmp_path, capsys):
    status = drift.main(["--reference", str(tmp_path), "--no-bundle", "--fail-on-psi", "0.25"])
    assert status == 2
    assert "--fail-on-psi" in capsys.readouterr().err
