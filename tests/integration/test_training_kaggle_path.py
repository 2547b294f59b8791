"""The Kaggle-size code path on a small synthetic set: the threshold lowered so 3,000 labelled rows subsample."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scoring.bundle import load_bundle
from training.budget import Budget

pytestmark = pytest.mark.slow

SMALL = Budget(seconds=4.0, subsample_above=1_000, min_rows=800, pilot_rows=(300, 900))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from scoring.synthetic import generate
    from training.pipeline import train

    root = tmp_path_factory.mktemp("kaggle-path")
    generate(root / "data", n_clients=3_000, seed=11)
    result = train(root / "data", root / "models", profile="smoke", tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
                   seed=3, time_budget=SMALL)
    return result, load_bundle(result.bundle_path)


def test_cross_validated_steps_ran_on_the_budgeted_subsample(trained):
    result, bundle = trained
    sm = bundle.metadata["sampling"]
    assert sm["n_labelled"] == bundle.metadata["n_labelled"] == 3_000
    assert sm["subsampled"] is True and SMALL.min_rows <= sm["cv_rows"] < 3_000
    # the size is what the pilot-based estimate asked for, floored
    assert sm["cv_rows"] == max(min(sm["estimate"]["rows_for_budget"], 3_000), SMALL.min_rows)
    assert sm["pilot"]["rows"] == list(SMALL.pilot_rows) and all(t > 0 for t in sm["pilot"]["seconds"])
    assert "search" in sm["steps_on_subsample"] and "final refit" in sm["steps_on_all_rows_but_holdout"]
    assert "threshold (choose half)" in sm["steps_on_holdout"]
    # the out-of-fold predictions (search, nested-CV honest estimate) cover the subsample only
    oof = bundle.extra("oof")
    assert len(oof["ids"]) == sm["cv_rows"] and len(np.unique(oof["ids"])) == sm["cv_rows"]
    nested = bundle.metadata["honest_estimate"]["nested_cv_on_subsample"]
    assert sum(f["n"] for f in nested["folds"]) == sm["cv_rows"] and "subsample" in nested["label"]
    # stratified: the subsample keeps the default rate
    assert sm["cv_defaults"] == round(sm["cv_rows"] * bundle.metadata["default_rate"]) or \
        abs(sm["cv_defaults"] - sm["cv_rows"] * bundle.metadata["default_rate"]) <= 1


def test_the_refit_used_every_labelled_row_but_the_holdout(trained):
    result, bundle = trained
    sm = bundle.metadata["sampling"]
    refit, held = sm["refit"], sm["holdout"]
    target = np.asarray(bundle.store.target)
    labelled = target[target >= 0]
    assert len(labelled) == 3_000 and held["rows"] == 2_000  # min(max(2,000, 10 %), 40,000), 2,200 outside
    assert refit["labelled"] == len(labelled) - held["rows"] == held["refit_rows"] and refit["held_out"] == 2_000
    # read from the fitted SMOTE step: it saw every defaulter but the holdout's
    assert refit["defaults_seen_by_smote"] == refit["defaults"] == int(labelled.sum()) - held["defaults"]
    assert refit["defaults"] > sm["cv_defaults"]
    assert len(bundle.metadata["importance"]) > 0 and bundle.metadata["n_clients"] == len(target)


def test_the_methodology_note_says_what_was_subsampled(trained):
    from reports.methodology import render

    result, bundle = trained
    text, _ = render(result.bundle_path)
    cv_rows = bundle.metadata["sampling"]["cv_rows"]
    assert f"stratified subsample of {cv_rows:,} of the 3,000 labelled applicants" in text
    json.dumps(bundle.metadata["sampling"])  # plain JSON


def test_the_holdout_is_outside_the_subsample_and_the_refit(trained):
    result, bundle = trained
    sm = bundle.metadata["sampling"]
    held, oof = bundle.extra("holdout"), bundle.extra("oof")
    ids, report = held["ids"], held["report"].astype(bool)
    assert len(np.unique(ids)) == len(ids) == sm["holdout"]["rows"]
    assert not np.intersect1d(ids, oof["ids"]).size  # disjoint from the CV subsample
    assert report.sum() == sm["holdout"]["report"]["rows"] and (~report).sum() == sm["holdout"]["choose"]["rows"]
    # disjoint from the refit: the labelled rows it trained on and the defaulters its SMOTE saw add up to all
    target = np.asarray(bundle.store.target)
    assert sm["refit"]["labelled"] + len(ids) == int((target >= 0).sum())
    assert sm["refit"]["defaults_seen_by_smote"] + int(held["target"].sum()) == int((target == 1).sum())
    # the holdout rows are labelled clients of the store, with the shipped model's probabilities
    store_ids = np.asarray(bundle.store.ids)
    where = np.searchsorted(store_ids, ids)
    assert np.array_equal(store_ids[where], ids) and np.array_equal(target[where], held["target"])
    assert np.allclose(np.asarray(bundle.store.probability)[where], held["probability"])


def test_calibrator_threshold_and_figures_come_from_the_holdout_halves(trained):
    from sklearn.metrics import roc_auc_score

    from training.holdout import choose_and_report

    result, bundle = trained
    md, held = bundle.metadata, bundle.extra("holdout")
    report = held["report"].astype(bool)
    y, raw = held["target"], held["raw"]
    # the shipped model's raw scores: the bundle's model reproduces them
    again = choose_and_report(y[~report], raw[~report], y[report], raw[report], md["costs"]["fn"], md["costs"]["fp"],
                              seed=3, n_boot=md["honest_estimate"]["bootstrap"])
    assert again.threshold.threshold == md["threshold"] == md["honest_estimate"]["threshold"]
    assert again.calibration.calibrator == bundle.calibrator
    h = md["honest_estimate"]
    assert h["source"] == "holdout report half" and h["n"] == report.sum() and h["bootstrap"] == 200
    assert h["business_cost"] == pytest.approx(again.estimate["business_cost"]) == md["metrics"]["business_cost"]
    assert h["business_cost_std"] > 0 and "optimistic" in h["in_sample"]["label"]
    assert md["metrics"]["auc"] == pytest.approx(roc_auc_score(y[report], held["probability"][report]))
    assert md["metrics"]["n"] == report.sum() and md["metrics"]["source"].startswith("holdout report half")
    assert "never saw the holdout" in md["model"]["trained_on"]


def test_the_methodology_note_describes_the_holdout(trained):
    from reports.methodology import render

    result, bundle = trained
    text, _ = render(result.bundle_path)
    assert "holdout of 2,000 labelled applicants" in text and "refit on 1,000 labelled applicants" in text
    assert "Honest estimate on the holdout" in text and "nested cross-validation on the subsample" in text
    assert "## 4. Results (holdout's second half, 1,000 applicants, shipped model" in text


def test_the_model_card_describes_the_holdout_in_french_and_english(trained):
    from scoring.model_card import render as card
    from scoring.model_card_text import fmt

    result, bundle = trained
    md = json.loads((result.bundle_path / "metadata.json").read_text())
    fr, en = card(md, None, None, lang="fr"), card(md, None, None, lang="en")
    assert f"{fmt(2_000, 'fr')} demandeurs mis de côté" in fr and "plis externes" not in fr
    assert "2,000 applicants held out" in en and "outer folds" not in en
