"""Seed bagging (training.bagging): members differ only in their seeds, average in log-odds, merge exactly."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from catboost import CatBoostClassifier

from training.bagging import Bagged, bagged, mean_logit, member_seed, merge, reseeded
from training.budget import BAG_SHARE, Budget, bag_count, fit_counts, make_plan
from training.models import build_pipeline
from training.profiles import PROFILES, get_profile
from training.search import early_stopped


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                      "c": rng.choice(list("abcdefghijklmnop"), n)})
    y = ((X.a + 0.5 * (X.c < "f") + rng.normal(size=n)) > 1.2).astype(int).to_numpy()
    return X, y


def _members(one_hot_max_size, seeds=(0, 1, 2)):
    X, y = _data()
    return X, [CatBoostClassifier(iterations=40, depth=3, cat_features=["c"], one_hot_max_size=one_hot_max_size,
                                  random_seed=s, verbose=0, allow_writing_files=False).fit(X, y) for s in seeds]


def test_merged_model_is_exactly_the_members_average_in_log_odds():
    X, members = _members(one_hot_max_size=255)
    merged = merge(members)
    assert isinstance(merged, CatBoostClassifier) and merged.tree_count_ == 3 * 40
    expected = mean_logit([m.predict_proba(X)[:, 1] for m in members])
    assert np.max(np.abs(merged.predict_proba(X)[:, 1] - expected)) < 1e-12
    # the plain mean of probabilities is a different model: the test would see a wrong averaging rule
    assert np.max(np.abs(merged.predict_proba(X)[:, 1] - np.mean([m.predict_proba(X)[:, 1] for m in members], 0))) > 1e-4
    assert merge(members[:1]) is members[0]


def test_members_with_categorical_target_statistics_are_refused():
    _, members = _members(one_hot_max_size=2)  # 16 categories -> CatBoost builds CTR tables
    with pytest.raises(ValueError, match="target statistics"):
        merge(members)


def test_mean_logit_averages_log_odds():
    assert mean_logit([np.array([0.2]), np.array([0.8])])[0] == pytest.approx(0.5)
    p = np.array([0.01, 0.3, 0.97])
    np.testing.assert_allclose(mean_logit([p, p, p]), p)
    assert mean_logit([np.array([0.1]), np.array([0.5])])[0] == pytest.approx(1 / (1 + np.sqrt(9)))


def test_reseeded_sets_every_seed_of_the_pipeline_and_its_early_stopping():
    pipe = build_pipeline(["a", "b", "c"], ["c"], ratio=0.3, params={"iterations": 10}, seed=42)
    est = reseeded(early_stopped(pipe, seed=42), 1042)
    params = est.get_params(deep=True)
    assert params["seed"] == params["estimator__smote__random_state"] == params["estimator__model__random_seed"] == 1042
    bare = reseeded(pipe, 7).get_params(deep=True)
    assert bare["smote__random_state"] == bare["model__random_seed"] == 7
    assert pipe.get_params()["model__random_seed"] == 42  # a clone: the original keeps its seeds
    # the no-resampling variant has no SMOTE step to reseed
    none = reseeded(build_pipeline(["a", "b", "c"], ["c"], variant="none", params={"iterations": 10}), 5)
    assert none.get_params()["model__random_seed"] == 5 and none.get_params()["smote"] == "passthrough"


def test_bagged_members_differ_by_seed_and_average_in_log_odds():
    X, y = _data()
    pipe = build_pipeline(["a", "b", "c"], ["c"], ratio=0.5, params={"iterations": 30, "depth": 3,
                                                                       "one_hot_max_size": 255}, seed=3)
    model = Bagged(early_stopped(pipe, seed=3), bags=3, seed=3).fit(X, y)
    seeds = [m.get_params()["seed"] for m in model.members_]
    assert seeds == [member_seed(3, b) for b in range(3)] == [3, 1003, 2003]
    members = [m.predict_proba(X)[:, 1] for m in model.members_]
    assert not np.allclose(members[0], members[1])  # SMOTE's rows, CatBoost's seed and the stopping split differ
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], mean_logit(members))
    single = early_stopped(pipe, seed=3)
    assert bagged(single, 1, seed=3) is single and isinstance(bagged(single, 2, seed=3), Bagged)


def test_the_full_profile_ships_three_members_and_every_bagged_profile_one_hot_encodes():
    assert get_profile("full").bags == 3 and get_profile("fast").bags == 1
    assert get_profile("smoke").bags > 1  # the quick end-to-end run exercises bagging
    for name in PROFILES:
        prof = get_profile(name)
        if prof.bags > 1:  # the largest categorical of the Kaggle data has 58 levels
            assert prof.base_params.get("one_hot_max_size", 0) >= 58, name


def test_fit_counts_add_one_models_worth_of_member_fits():
    full = get_profile("full")
    one = {name: n for name, n, _ in fit_counts(full, 9, bags=1)}
    three = {name: n for name, n, _ in fit_counts(full, 9, bags=3)}
    # 3 members x 5 folds, each with 3x the learning rate (about a third of the trees): one model's worth per fold
    assert "bagging" not in one and three["bagging"] == full.folds
    assert three["honest estimate"] == one["honest estimate"] == full.folds * full.inner_folds


def test_bag_count_keeps_the_refits_within_their_share_of_the_time_left():
    assert bag_count(3, refit_seconds=100, left_seconds=1_000) == 3
    assert bag_count(3, refit_seconds=200, left_seconds=1_000) == 2  # 3 x 200 > 500
    assert bag_count(3, refit_seconds=400, left_seconds=1_000) == 1  # 2 x 400 > 500
    assert bag_count(3, refit_seconds=5_000, left_seconds=1_000) == 1  # never fewer than one
    assert bag_count(3, refit_seconds=BAG_SHARE * 1_000 / 3, left_seconds=1_000) == 3


def test_the_plan_keeps_the_profiles_members_on_the_sample_and_lowers_them_at_kaggle_size(monkeypatch):
    import training.budget as budget

    y = np.r_[np.zeros(6_440), np.ones(560)].astype(int)
    assert make_plan(SimpleNamespace(y=y, X=None), get_profile("full"), 9, seed=0).bags == 3
    # the first Kaggle-size run: the pilot predicted ~1,856 s for one refit on 307,511 rows
    pilot = {"rows": [2_000, 6_000], "seconds": [5.0, 12.0], "seconds_per_row": 1_856 / 307_511,
             "overhead_seconds": 0.0, "smote_ratio": 0.3, "params": {}}
    monkeypatch.setattr(budget, "run_pilot", lambda *a, **k: pilot)
    big = (np.arange(307_511) % 12 == 0).astype(int)
    plan = make_plan(SimpleNamespace(y=big, X=None), get_profile("full"), 9, seed=0, budget=Budget())
    assert plan.bags == 1 and "1 member of the profile's 3" in plan.reason
    assert plan.estimate["bags"] == 1 and "bagging" not in plan.estimate["fits"]
    # a quicker machine (a third of the time per row) affords two members
    quick = {**pilot, "seconds_per_row": pilot["seconds_per_row"] / 3}
    monkeypatch.setattr(budget, "run_pilot", lambda *a, **k: quick)
    plan = make_plan(SimpleNamespace(y=big, X=None), get_profile("full"), 9, seed=0, budget=Budget())
    assert plan.bags == 2 and plan.estimate["fits"]["bagging"] == get_profile("full").folds


def test_a_tree_without_splits_does_not_break_the_statistics_check(monkeypatch, tmp_path):
    """A real full-profile refit held a tree whose "splits" is null in CatBoost's JSON export."""
    import json

    from training.bagging import _uses_ctr

    _, (model, *_) = _members(one_hot_max_size=255, seeds=(0,))
    doc = {"oblivious_trees": [{"splits": None, "leaf_values": [0.1]}, {"splits": [{"split_type": "FloatFeature"}]}]}
    monkeypatch.setattr(model, "save_model", lambda path, format: open(path, "w").write(json.dumps(doc)))
    assert _uses_ctr(model) is False
    doc["oblivious_trees"].append({"splits": [{"split_type": "OnlineCtr"}]})
    assert _uses_ctr(model) is True


def test_a_bag_ships_within_the_explanation_budget_or_no_larger_than_the_single_model():
    from training.bagging import MAX_EXPLAIN_LEAVES, explains_in_time, leaves

    # the full winner on the sample: 264 trees of depth 6 alone; three members at the searched rate were 792
    assert leaves(264, 6) == 16_896 and leaves(264, 6, members=3) == 50_688
    assert not explains_in_time(leaves(264, 6, 3), leaves(264, 6))  # explained in 30 ms against 14 ms
    assert explains_in_time(leaves(63, 6, 3), leaves(264, 6))  # what ships: 3 x 63 trees at 3x the rate
    # a deep winner over the budget on its own: a bag no larger than it may ship, a larger one may not
    assert explains_in_time(leaves(80, 8, 3), leaves(264, 8)) and not explains_in_time(leaves(100, 8, 3), leaves(264, 8))
    assert MAX_EXPLAIN_LEAVES == 20_000


def _bag_run(monkeypatch, member_oof, trees, single_auc, single_trees=264, X=None, categorical=(), params=None):
    """steps.bag on 100 rows and 2 folds, the members' fits replaced by canned out-of-fold rows."""
    from training import steps

    y = np.r_[np.zeros(50), np.ones(50)].astype(int)
    folds = [(np.arange(1, 100, 2), np.arange(0, 100, 2)), (np.arange(0, 100, 2), np.arange(1, 100, 2))]
    calls = []

    def fake_evaluate(pipeline, X, y_, folds_, seed, name, tick):
        calls.append((pipeline, seed))
        return {"oof": member_oof(seed), "best_iterations": [trees, trees], "n_fit_rows": [40, 40]}

    monkeypatch.setattr(steps, "evaluate", fake_evaluate)
    monkeypatch.setattr(steps, "build_pipeline", lambda *a, **k: k["params"])
    monkeypatch.setattr(steps, "reseeded", lambda pipeline, seed: pipeline)
    result = SimpleNamespace(refit_iterations=single_trees, oof=np.linspace(0.1, 0.9, 100), cv_auc=single_auc,
                             cv_auc_std=0.01, best_iterations=[200, 200], n_fit_rows=[40, 40])
    params = params or {"depth": 6, "learning_rate": 0.05, "iterations": 3000, "one_hot_max_size": 255}
    s = steps.Searched(result=result, ratio=0.1, params=params)
    run = SimpleNamespace(bags=3, seed=42, folds=folds,
                          data=SimpleNamespace(features=[], categorical=list(categorical), X=X, y=y),
                          all_rows=SimpleNamespace(y=y), n_refit_rows=len(y))
    return steps.bag(run, s), calls, y


def test_bagging_is_shipped_when_cv_says_it_helps_with_a_faster_learning_rate(monkeypatch):
    rng = np.random.default_rng(0)
    good = lambda seed: np.clip(np.r_[np.zeros(50), np.ones(50)] * 0.6 + rng.uniform(0.1, 0.3, 100), 0, 1)  # noqa: E731
    s, calls, y = _bag_run(monkeypatch, good, trees=30, single_auc=0.7)
    assert s.members == 3 and [seed for _, seed in calls] == [42, 1042, 2042]
    # every member has 3x the searched learning rate, so the merged model keeps about one model's trees
    assert all(params["learning_rate"] == pytest.approx(0.15) for params, _ in calls)
    assert s.member_params["learning_rate"] == pytest.approx(0.15) == s.refit_params["learning_rate"]
    assert s.refit_params["iterations"] == s.bagging["refit_iterations"] == 60  # 30 trees x 100/40 rows, capped at 2x
    assert s.bagging["cv_auc"] > 0.7 and s.oof is not s.result.oof


def test_bagging_is_dropped_when_cv_says_it_does_not_help(monkeypatch):
    rng = np.random.default_rng(1)
    s, _, _ = _bag_run(monkeypatch, lambda seed: rng.uniform(0, 1, 100), trees=30, single_auc=0.7)
    assert s.members == 1 and "below the single model's 0.7000" in s.bagging["reason"]
    assert s.oof is s.result.oof and s.refit_params["iterations"] == 264 and s.member_params == s.params
    assert s.bagging["measured"]["cv_auc"] < 0.7  # what was measured stays in the metadata


def test_bagging_is_dropped_when_the_merged_model_would_explain_too_slowly(monkeypatch):
    rng = np.random.default_rng(2)
    good = lambda seed: np.clip(np.r_[np.zeros(50), np.ones(50)] * 0.6 + rng.uniform(0.1, 0.3, 100), 0, 1)  # noqa: E731
    s, _, _ = _bag_run(monkeypatch, good, trees=100, single_auc=0.7)  # 3 x 200 refit trees of depth 6
    assert s.members == 1 and "more slowly" in s.bagging["reason"] and s.refit_params["iterations"] == 264


def test_a_bag_larger_than_the_budget_ships_when_the_single_model_is_no_smaller(monkeypatch):
    rng = np.random.default_rng(3)
    good = lambda seed: np.clip(np.r_[np.zeros(50), np.ones(50)] * 0.6 + rng.uniform(0.1, 0.3, 100), 0, 1)  # noqa: E731
    s, _, _ = _bag_run(monkeypatch, good, trees=100, single_auc=0.7, single_trees=700)  # 38,400 vs 44,800 leaves
    assert s.members == 3 and s.bagging["leaves"] == 38_400 and s.bagging["single_leaves"] == 44_800


def test_no_bag_is_tried_when_a_categorical_is_wider_than_one_hot_encodes(monkeypatch):
    X = pd.DataFrame({"c": [f"level {i % 300}" for i in range(100)] * 3})
    s, calls, _ = _bag_run(monkeypatch, lambda seed: None, trees=30, single_auc=0.7, X=X, categorical=["c"],
                           params={"depth": 6, "learning_rate": 0.05, "one_hot_max_size": 50})
    assert calls == [] and s.members == 1 and "100 levels, more than one-hot encodes (50)" in s.bagging["reason"]
