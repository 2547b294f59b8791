"""A bagged model end to end (the smoke profile: 2 members) on a small synthetic data set."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.bundle import load_bundle

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from scoring.synthetic import generate
    from training.pipeline import train

    root = tmp_path_factory.mktemp("bagged")
    generate(root / "data", n_clients=2_500, seed=5)
    result = train(root / "data", root / "models", profile="smoke", tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
                   seed=7)
    return result, load_bundle(result.bundle_path)


def test_the_shipped_model_is_the_members_merged_into_one_catboost_model(trained):
    _, bundle = trained
    m = bundle.metadata["model"]
    bagging = m["bagging"]
    # the members ship only when CV says they help: if this data stops showing it, the reason says why
    assert bagging["bags"] == 2, bagging.get("reason")
    assert bagging["seeds"] == [7, 1007] and bagging["learning_rate_scale"] == 2
    # one model holding every member's trees, which scores exactly as the members' log-odds average
    assert bundle.model.tree_count_ == m["trees"] == 2 * m["params"]["iterations"]
    assert m["serving_check_max_abs_diff"] < 1e-9
    assert bundle.metadata["sampling"]["refit"]["members"] == 2
    rows = np.arange(0, len(bundle.store), 53)
    raw = bundle.model.predict_proba([bundle.store.model_row(i) for i in rows])[:, 1]
    np.testing.assert_allclose(bundle.calibrator.apply(raw), bundle.store.probability[rows], atol=1e-6)


def test_every_figure_of_the_shipped_model_is_the_bagged_ones(trained):
    _, bundle = trained
    md = bundle.metadata
    bagging = md["model"]["bagging"]
    comparison = {r["variant"]: r for r in md["comparison"]}
    ablation = {r["variant"]: r for r in md["ablation"]}
    # the comparison row and the CV AUC are the shipped (bagged) model's; the ablation compares one model each
    assert comparison["catboost"]["auc"] == pytest.approx(bagging["cv_auc"])
    assert md["metrics"]["cv_auc"] == pytest.approx(bagging["cv_auc"])
    assert ablation["smote"]["auc"] == pytest.approx(bagging["single_cv_auc"]) == pytest.approx(md["search"]["cv_auc"])
    assert "2 seeds averaged" in comparison["catboost"]["description"]
    # calibration, threshold and the honest estimate were made on the bagged out-of-fold predictions
    oof = bundle.extra("oof")
    from sklearn.model_selection import StratifiedKFold

    from training.compare import fold_aucs  # the folds of the run, rebuilt

    target = np.asarray(oof["target"])
    folds = list(StratifiedKFold(2, shuffle=True, random_state=7).split(np.zeros(len(target)), target))
    assert np.mean(fold_aucs(target, np.asarray(oof["raw"]), folds)) == pytest.approx(bagging["cv_auc"])
    assert md["honest_estimate"]["bags"] == 2
    assert [f["auc"] for f in md["honest_estimate"]["folds"]] == pytest.approx(bagging["fold_auc"])
