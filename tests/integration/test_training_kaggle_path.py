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
    assert "search" in sm["steps_on_subsample"] and "final refit" in sm["steps_on_all_rows"]
    # the out-of-fold predictions (search, calibration, threshold, honest estimate) cover the subsample only
    oof = bundle.extra("oof")
    assert len(oof["ids"]) == sm["cv_rows"] and len(np.unique(oof["ids"])) == sm["cv_rows"]
    assert sum(f["n"] for f in bundle.metadata["honest_estimate"]["folds"]) == sm["cv_rows"]
    # stratified: the subsample keeps the default rate
    assert sm["cv_defaults"] == round(sm["cv_rows"] * bundle.metadata["default_rate"]) or \
        abs(sm["cv_defaults"] - sm["cv_rows"] * bundle.metadata["default_rate"]) <= 1


def test_the_refit_used_every_labelled_row(trained):
    result, bundle = trained
    refit = bundle.metadata["sampling"]["refit"]
    target = np.asarray(bundle.store.target)
    labelled = target[target >= 0]
    assert refit["labelled"] == len(labelled) == 3_000
    # read from the fitted SMOTE step: it saw every defaulter of the full set, not the subsample's
    assert refit["defaults_seen_by_smote"] == refit["defaults"] == int(labelled.sum())
    assert refit["defaults"] > bundle.metadata["sampling"]["cv_defaults"]
    assert len(bundle.metadata["importance"]) > 0 and bundle.metadata["n_clients"] == len(target)


def test_the_methodology_note_says_what_was_subsampled(trained):
    from reports.methodology import render

    result, bundle = trained
    text, _ = render(result.bundle_path)
    cv_rows = bundle.metadata["sampling"]["cv_rows"]
    assert f"stratified subsample of {cv_rows:,} of the 3,000 labelled applicants" in text
    assert "refit on all 3,000 labelled applicants" in text
    json.dumps(bundle.metadata["sampling"])  # plain JSON
