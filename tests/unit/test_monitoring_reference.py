"""Drift and monitoring take as reference the shipped model's probabilities of applicants it did not train on:
the holdout of a subsampled run first, then the out-of-fold probabilities, then the store (in-sample)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from reports.drift.scores import reference_scores
from scoring.monitoring.reference import reference_probability


def bundle(**extras):
    store = SimpleNamespace(target=np.array([0, 1, -1]), probability=np.array([0.1, 0.2, 0.3]))
    return SimpleNamespace(extra=lambda name: extras.get(name), store=store)


def test_the_holdout_of_a_subsampled_run_comes_before_the_subsamples_out_of_fold_scores():
    held = {"probability": np.array([0.05, 0.5])}
    oof = {"probability": np.array([0.9, 0.8, 0.7])}
    probability, source = reference_probability(bundle(holdout=held, oof=oof))
    assert probability.tolist() == [0.05, 0.5] and "held out" in source
    probability, source = reference_probability(bundle(oof=oof))
    assert probability.tolist() == [0.9, 0.8, 0.7] and "out-of-fold" in source
    probability, source = reference_probability(bundle())
    assert probability.tolist() == [0.1, 0.2] and "in-sample" in source  # the labelled clients only
    assert reference_scores(bundle(holdout=held, oof=oof))[0].tolist() == [0.05, 0.5]  # the drift report's


def test_a_bundle_without_labelled_clients_has_no_reference():
    b = SimpleNamespace(extra=lambda name: None, store=SimpleNamespace(target=np.array([-1]), probability=np.ones(1)))
    assert reference_probability(b)[0] is None
