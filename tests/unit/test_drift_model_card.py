"""The model card: scoring.model_card renders bundle metadata, fairness and drift summary (en/fr);
reports.model_card (CLI) and the service's GET /model/card both use that one renderer."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reports.model_card import main
from scoring.model_card import render

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
    card = render(METADATA, None, None, lang="en")
    for heading in ("## Intended use", "## Data", "## Metrics", "## Threshold and costs", "## Fairness",
                    "## Limits", "## Drift status", "## Version"):
        assert heading in card
    assert "version 20260105-101010" in card
    assert "| ROC AUC | 0.7654 |" in card
    assert "| PR AUC (average precision) | 0.2489 |" in card
    assert "| cv / auc_mean | 0.7611 |" in card
    assert "12,345.50" in card
    assert "0.0912" in card and "missed default (false negative) 10," in card and "10 times" in card
    assert "Cost curve: 0.5200 per applicant at the threshold in use, the lowest of the 3" in card
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
    card = render({**METADATA, "synthetic": True}, fairness, drift, lang="en")
    assert "### CODE_GENDER" in card and "| F | 4,000 | 0.8100 | 0.6200 |" in card
    assert "### AGE_BAND" in card and "| <30 | 900 | 0.7000 |" in card
    assert "max_gap: 0.0700" in card
    assert "**WATCH**" in card and "0.1234 (watch" in card and "EXT_SOURCE_3" in card
    assert "Trained on synthetic data" in card


@pytest.mark.parametrize(("module", "heavy"), [
    # the core renderer: standard library, numpy and scoring only (the service imports it)
    ("scoring.model_card", ["pandas", "evidently", "catboost", "sklearn", "mlflow", "shap", "imblearn", "reports",
                            "training", "model_service"]),
    # the CLI only reads JSON and numpy files: no model, no training or drift stack
    ("reports.model_card", ["evidently", "catboost", "sklearn", "mlflow", "shap", "imblearn", "training",
                            "model_service", "reports.drift"]),
])
def test_module_imports_nothing_heavy(module, heavy):
    code = f"import sys, {module}; print(sorted({set(heavy)!r} & set(sys.modules)))"
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
    card = render({**METADATA, "model": {"type": "CatBoostClassifier", "pipeline": ["prep", "model"],
                                         "params": {"depth": 6}}}, fairness, None, lang="en")
    assert "| Female | 4,500 | 300 | 0.0667 | 0.7100 | 0.6000 | 0.2500 | 0.7400 | 41.2000 |" in card
    assert "Demographic parity difference (approval-rate gap): 0.0810 (95% CI 0.0500 - 0.1100)" in card
    assert "Model: CatBoostClassifier (training pipeline: prep -> model)" in card
    summary_only = render({**METADATA, "fairness": {"summary": {"CODE_GENDER": {
        "demographic_parity_difference": {"value": 0.08, "ci_low": None, "ci_high": None}}}}}, None, None, lang="en")
    assert "Demographic parity difference (approval-rate gap): 0.0800" in summary_only


def test_french_card_has_every_section_and_the_real_figures():
    card = render(METADATA, None, None, lang="fr")
    for heading in ("## Usage prévu", "## Données", "## Modèle", "## Performances (validation)", "## Seuil et coûts",
                    "## Équité", "## Limites", "## Dérive des données", "## Version"):
        assert heading in card
    assert "version 20260105-101010" in card
    assert "| AUC ROC | 0,7654 |" in card and "| AUC PR (précision moyenne) | 0,2489 |" in card
    assert "12\u202f345,50" in card
    assert "0,0912" in card and "défaut accepté (faux négatif) 10," in card and "10 fois" in card
    assert "Courbe de coût : 0,5200 par demandeur au seuil en vigueur" in card
    assert "Variables du modèle : 3 (dont 1 catégorielles)" in card
    assert "abc123def4567890" in card and "Aucune table d'équité" in card and "Aucun rapport de dérive" in card
    assert render(METADATA, lang="fr-FR") == card and render(METADATA, lang="EN") == render(METADATA)
    with pytest.raises(ValueError, match="language"):
        render(METADATA, lang="de")


def test_store_outcomes_gender_variant_and_free_form_drift():
    gender_variant = {"auc": 0.7301, "business_cost": 0.5577, "auc_with": 0.7309, "business_cost_with": 0.54,
                      "auc_change": -0.0008, "business_cost_change": 0.0177, "computed": True}
    meta = {**METADATA, "fairness": {"summary": {}, "gender_variant": gender_variant}}
    target = np.array([0, 0, 1, 0, -1], dtype=np.int8)  # -1: unknown outcome
    card = render(meta, None, {"share_drifted": 0.1, "drifted": ["AMT_CREDIT"]}, lang="en", target=target)
    assert "- Applicants in the client store: 5" in card and "- Labelled applicants (training): 4" in card
    assert "- Observed default rate (labelled applicants): 25.00%" in card
    assert "The model does not use CODE_GENDER" in card
    assert ("CV AUC 0.7301 without vs 0.7309 with (-0.0008); business cost per client 0.5577 without vs 0.5400 with "
            "(+0.0177)") in card
    assert "| share_drifted | 0.1000 |" in card
    # figures recorded in the metadata win over the store's
    assert "- Applicants in the client store: 9" in render({**meta, "n_clients": 9}, target=target)
    skipped = render({**METADATA, "fairness": {"gender_variant": {"computed": False, "note": "fast profile"}}},
                     lang="fr")
    assert "Le modèle n'utilise pas le sexe" in skipped
    assert "variante avec le sexe : non calculée." in skipped  # training's English note is not shown in French


def test_cli_writes_the_requested_language(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "metadata.json").write_text(json.dumps(METADATA))
    out = tmp_path / "card.md"
    assert main(["--bundle", str(tmp_path / "b"), "--out", str(out), "--drift", str(tmp_path / "none.json"),
                 "--lang", "fr"]) == 0
    assert out.read_text() == render(METADATA, None, None, lang="fr")
    assert main(["--bundle", str(tmp_path / "b"), "--out", str(out), "--drift", str(tmp_path / "none.json")]) == 0
    assert out.read_text() == render(METADATA, None, None, lang="en")  # --lang defaults to en


def test_service_and_cli_share_the_core_renderer():
    import reports.model_card as cli
    import scoring.model_card as core
    from model_service import services

    assert importlib.util.find_spec("model_service.model_card") is None
    assert services.render_bundle is core.render_bundle and cli.render is core.render
    for path in (REPO / "model_service").rglob("*.py"):  # architecture: the service never imports reports
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            assert not any(n.split(".")[0] in ("reports", "training") for n in names), f"{path}: {names}"


def test_card_shows_the_honest_estimate_beside_the_optimistic_cost():
    honest = {"auc": 0.7301, "auc_std": 0.012, "business_cost": 0.5612, "business_cost_std": 0.021,
              "in_sample": {"auc": 0.7368, "business_cost": 0.5399}}
    card = render({**METADATA, "honest_estimate": honest}, lang="en")
    assert "business cost per client 0.5612 ± 0.0210, AUC 0.7301 ± 0.0120" in card
    assert "optimistic" in card and "0.5399" in card
    fr = render({**METADATA, "honest_estimate": honest}, lang="fr")
    assert "coût métier par client 0,5612 ± 0,0210" in fr and "optimiste" in fr
    assert "Estimation honnête" not in render(METADATA, lang="fr")
