"""reports.model_card: a pure Markdown rendering of bundle metadata, fairness and drift summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reports.model_card import main, render_model_card

REPO = Path(__file__).resolve().parents[2]

METADATA = {
    "version": "20260105-101010", "created": "2026-01-05T10:10:10Z", "threshold": 0.0912,
    "features": [{"name": "EXT_SOURCE_3"}, {"name": "AMT_CREDIT"}, {"name": "CODE_GENDER"}],
    "categorical": ["CODE_GENDER"], "costs": {"fn": 10, "fp": 1},
    "metrics": {"auc": 0.76543, "pr_auc": 0.2489, "brier": 0.0671, "business_cost": 12345.5,
                "cv": {"auc_mean": 0.7611, "auc_std": 0.0123}},
    "cost_curve": {"thresholds": [0.05, 0.0912, 0.2], "cost": [0.61, 0.52, 0.58]},
    "importance": [{"feature": "EXT_SOURCE_3", "label": "External score 3", "importance": 31.2}],
    "data_fingerprint": "abc123def4567890", "synthetic": False,
}


def test_card_has_every_section_and_the_real_figures():
    card = render_model_card(METADATA, None, None)
    for heading in ("## Intended use", "## Data", "## Metrics", "## Threshold and costs", "## Fairness",
                    "## Limits", "## Drift status", "## Version"):
        assert heading in card
    assert "version 20260105-101010" in card
    assert "| ROC AUC | 0.7654 |" in card
    assert "| PR AUC (average precision) | 0.2489 |" in card
    assert "| cv / auc_mean | 0.7611 |" in card
    assert "12,345.50" in card
    assert "0.0912" in card and "missed default (false negative) 10," in card and "10 times" in card
    assert "minimum cost 0.5200 at threshold 0.0912" in card
    assert "Model features: 3 (1 categorical)" in card
    assert "External score 3 (EXT_SOURCE_3)" in card
    assert "abc123def4567890" in card
    assert "No fairness table" in card
    assert "No drift report yet" in card
    assert "synthetic data**" not in card


def test_fairness_and_drift_are_rendered():
    fairness = {"CODE_GENDER": [{"group": "F", "n": 4000, "approval_rate": 0.81, "tpr": 0.62},
                                {"group": "M", "n": 3000, "approval_rate": 0.74, "tpr": 0.66}],
                "AGE_BAND": {"<30": {"n": 900, "approval_rate": 0.7}, "30+": {"n": 6100, "approval_rate": 0.8}},
                "max_gap": 0.07}
    drift = {"generated_at": "2026-01-06T00:00:00Z", "verdict": {"status": "watch", "reasons": ["2 of 80 drifted"]},
             "reference": {"kind": "application_train", "rows": 7000}, "current": {"kind": "prediction_log", "rows": 300},
             "n_columns": 80, "n_drifted": 2, "share_drifted": 0.025, "dataset_drift": False, "sampled": False,
             "drifted_columns": [{"column": "EXT_SOURCE_3", "method": "K-S p_value", "score": 1e-6}],
             "score_psi": {"value": 0.1234, "status": "watch"}, "model_version": "20260105-101010"}
    card = render_model_card({**METADATA, "synthetic": True}, fairness, drift)
    assert "### CODE_GENDER" in card and "| F | 4,000 | 0.8100 | 0.6200 |" in card
    assert "### AGE_BAND" in card and "| <30 | 900 | 0.7000 |" in card
    assert "max_gap: 0.0700" in card
    assert "**WATCH**" in card and "0.1234 (watch" in card and "EXT_SOURCE_3" in card
    assert "Trained on synthetic data" in card


def test_module_imports_nothing_heavy():
    code = ("import sys, reports.model_card; heavy = {'numpy', 'pandas', 'evidently', 'catboost', 'scoring'}; "
            "print(sorted(heavy & set(sys.modules)))")
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_cli_writes_the_card(tmp_path):
    bundle = tmp_path / "models" / "v1"
    (bundle / "extras").mkdir(parents=True)
    (bundle / "metadata.json").write_text(json.dumps(METADATA))
    (bundle / "extras" / "fairness.json").write_text(json.dumps([{"group": "F", "approval_rate": 0.8}]))
    (tmp_path / "models" / "CURRENT").write_text("v1\n")
    out = tmp_path / "card.md"
    assert main(["--bundle", str(tmp_path / "models"), "--out", str(out), "--drift", str(tmp_path / "none.json")]) == 0
    text = out.read_text()
    assert "0.7654" in text and "| F | 0.8000 |" in text
    assert main(["--bundle", str(tmp_path / "nowhere"), "--out", str(out)]) == 2


def test_training_fairness_report_shape():
    fairness = {"threshold": 0.09, "min_group_size": 30, "bootstrap": 200, "positive": "default",
                "attributes": {"CODE_GENDER": {
                    "groups": [{"group": "F", "count": 4500, "defaults": 300, "default_rate": 0.0667,
                                "approval_rate": 0.71, "tpr": 0.6, "fpr": 0.25, "auc": 0.74, "mean_score": 41.2}],
                    "groups_compared": ["F", "M"], "bootstrap": 200,
                    "demographic_parity_difference": {"value": 0.081, "ci_low": 0.05, "ci_high": 0.11},
                    "equal_opportunity_difference": {"value": None, "ci_low": None, "ci_high": None}}}}
    card = render_model_card({**METADATA, "model": {"type": "CatBoostClassifier", "pipeline": ["prep", "model"],
                                                    "params": {"depth": 6}}}, fairness, None)
    assert "| F | 4,500 | 300 | 0.0667 | 0.7100 | 0.6000 | 0.2500 | 0.7400 | 41.2000 |" in card
    assert "Demographic parity difference (approval-rate gap): 0.0810 (95% CI 0.0500 - 0.1100)" in card
    assert "Model: CatBoostClassifier (training pipeline: prep -> model)" in card
    summary_only = render_model_card({**METADATA, "fairness": {"summary": {"CODE_GENDER": {
        "demographic_parity_difference": {"value": 0.08, "ci_low": None, "ci_high": None}}}}}, None, None)
    assert "Demographic parity difference (approval-rate gap): 0.0800" in summary_only
