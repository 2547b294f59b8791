"""The honest estimate: the threshold (and calibrator) of each fold are chosen without that fold's rows."""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.model_selection import StratifiedKFold

from training.honest import honest_estimate
from training.threshold import choose_threshold


def _data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.09).astype(int)
    score = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.5 * y - 2.5)))
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(score, y))
    return y, score, folds


def test_the_threshold_never_sees_the_rows_it_is_evaluated_on():
    y, score, folds = _data()
    seen_by_inner, seen_by_threshold = [], []

    def inner_predict(rows):
        seen_by_inner.append(np.asarray(rows))
        return score[rows] + 1e-6 * np.arange(len(rows)) / len(rows)  # the inner model's scores of those rows

    def spy_choose(y_rows, proba, fn_cost, fp_cost):
        seen_by_threshold.append((np.asarray(y_rows), np.asarray(proba)))
        return choose_threshold(y_rows, proba, fn_cost, fp_cost)

    est = honest_estimate(y, score, folds, inner_predict, 10.0, 1.0, choose=spy_choose)
    assert len(seen_by_inner) == len(seen_by_threshold) == len(folds) == len(est["folds"])
    for (train, test), rows, (y_rows, proba) in zip(folds, seen_by_inner, seen_by_threshold, strict=True):
        assert np.intersect1d(rows, test).size == 0, "inner predictions include evaluated rows"
        assert set(rows) == set(train)
        # the threshold is chosen on exactly those rows' labels and (calibrated) inner predictions
        assert len(y_rows) == len(proba) == len(train) and np.array_equal(y_rows, y[rows])
        assert spearmanr(proba, score[rows]).statistic > 0.999
    for row, (_, test) in zip(est["folds"], folds, strict=True):
        assert row["n"] == len(test) and 0 < row["threshold"] < 1
    assert est["business_cost_std"] > 0 and est["auc"] == pytest.approx(np.mean([r["auc"] for r in est["folds"]]))


def test_overlapping_folds_are_refused():
    y, score, folds = _data()
    leaky = [(np.arange(len(y)), test) for _, test in folds]
    with pytest.raises(ValueError, match="overlap"):
        honest_estimate(y, score, leaky, lambda rows: score[rows], 10.0, 1.0)


def test_honest_cost_is_not_better_than_the_in_sample_one_on_average():
    """The in-sample figure chooses the threshold on the scored rows: it is optimistic by construction."""
    gaps = []
    for seed in range(4):
        y, score, folds = _data(n=2000, seed=seed)
        est = honest_estimate(y, score, folds, lambda rows, s=score: s[rows], 10.0, 1.0)
        optimistic = choose_threshold(y, score, 10.0, 1.0).cost
        gaps.append(est["business_cost"] - optimistic)
    assert np.mean(gaps) > 0
