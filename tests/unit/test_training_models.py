"""The SMOTE + CatBoost pipeline: resampling only in training folds, faithful synthetic rows,
and an exported CatBoost model that scores model_input() exactly like the pipeline."""

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neighbors import NearestNeighbors

from training.compare import oof_predictions
from training.models import (
    SENTINEL,
    MissingAwareSMOTENC,
    MissingRestorer,
    ScaledNeighbors,
    SmoteEncoder,
    build_pipeline,
    export_model,
    make_smote,
)

FEATURES = ["AMOUNT", "RATIO", "COUNT", "FLAG", "GENDER", "CITY"]
CATEGORICAL = ["GENDER", "CITY"]


def toy(n=600, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.12).astype(int)
    X = pd.DataFrame({
        "AMOUNT": (rng.lognormal(11, 0.5, n) + 50_000 * y).astype(np.float32),
        "RATIO": rng.random(n).astype(np.float32) + 0.2 * y,
        "COUNT": rng.integers(0, 6, n).astype(np.float32),
        "FLAG": rng.integers(0, 2, n).astype(np.float32),
        "GENDER": rng.choice(["F", "M"], n),
        "CITY": rng.choice(["Paris", "Lyon", "Nice", "NA"], n, p=[0.5, 0.3, 0.15, 0.05]),
    }, index=pd.Index(np.arange(100_000, 100_000 + n), name="SK_ID_CURR"))
    X.loc[rng.random(n) < 0.3, "RATIO"] = np.nan
    X["GENDER"] = X["GENDER"].astype(str)
    X["CITY"] = X["CITY"].astype(str)
    return X, y


class SpyClassifier(ClassifierMixin, BaseEstimator):
    """Records the rows it was fitted on and asked to predict."""

    fitted: list = []
    predicted: list = []

    def fit(self, X, y):
        SpyClassifier.fitted.append((len(X), int(np.sum(y))))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        SpyClassifier.predicted.append(X.copy())
        return np.tile([0.5, 0.5], (len(X), 1))


def test_resampling_happens_in_training_folds_only():
    X, y = toy()
    SpyClassifier.fitted, SpyClassifier.predicted = [], []
    pipe = Pipeline([("prep", SmoteEncoder(FEATURES, CATEGORICAL)), ("smote", make_smote(FEATURES, CATEGORICAL, 0.5)),
                     ("restore", MissingRestorer(FEATURES, CATEGORICAL)), ("model", SpyClassifier())])
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    oof_predictions(pipe, X, y, folds)
    for (train, test), (n_fit, n_pos), seen in zip(folds, SpyClassifier.fitted, SpyClassifier.predicted, strict=True):
        n_neg = int((y[train] == 0).sum())
        # training rows were over-sampled to a 1:2 minority/majority ratio ...
        assert n_fit > len(train) and n_pos == int(round(0.5 * n_neg)) and n_fit == n_neg + n_pos
        # ... validation rows reached the model as they are: same count, same values, no synthetic rows
        assert len(seen) == len(test)
        expected = MissingRestorer(FEATURES, CATEGORICAL).fit_transform(X.iloc[test])
        pd.testing.assert_frame_equal(seen.reset_index(drop=True), expected.reset_index(drop=True))


def test_synthetic_rows_look_like_real_ones():
    X, y = toy(seed=1)
    enc = SmoteEncoder(FEATURES, CATEGORICAL).fit(X)
    Xe = enc.transform(X)
    sampler = make_smote(FEATURES, CATEGORICAL, ratio=1.0, seed=0)
    Xr, yr = sampler.fit_resample(Xe, y)
    synthetic = MissingRestorer(FEATURES, CATEGORICAL).fit_transform(Xr.iloc[len(X):])
    assert len(synthetic) == (y == 0).sum() - (y == 1).sum()
    assert (yr[len(X):] == 1).all()
    # integer-valued features stay integers, flags stay 0/1
    assert np.all(synthetic["COUNT"] == np.round(synthetic["COUNT"]))
    assert set(np.unique(synthetic["FLAG"])) <= {0.0, 1.0}
    # no sentinel leaks, missing values come back as NaN at a rate close to the minority's
    assert synthetic["RATIO"].min() >= 0
    minority_missing = X.loc[y == 1, "RATIO"].isna().mean()
    assert abs(synthetic["RATIO"].isna().mean() - minority_missing) < 0.12
    # categoricals are real levels of the minority class
    assert set(synthetic["CITY"]) <= set(X.loc[y == 1, "CITY"])
    # numbers are interpolations: inside the minority range
    amounts = X.loc[y == 1, "AMOUNT"]
    assert synthetic["AMOUNT"].between(amounts.min() - 1, amounts.max() + 1).all()


def test_encoder_and_restorer_round_trip_real_rows():
    X, _ = toy()
    enc = SmoteEncoder(FEATURES, CATEGORICAL).fit(X)
    Xe = enc.transform(X)
    assert (Xe["RATIO"] == SENTINEL).sum() == X["RATIO"].isna().sum()
    back = MissingRestorer(FEATURES, CATEGORICAL).fit_transform(Xe)
    pd.testing.assert_frame_equal(back.reset_index(drop=True), X.reset_index(drop=True), check_dtype=False)
    assert back["AMOUNT"].dtype == np.float32


def test_exported_model_scores_model_input_like_the_pipeline():
    X, y = toy()
    pipe = build_pipeline(FEATURES, CATEGORICAL, variant="smote", ratio=0.4,
                          params={"iterations": 30, "depth": 3}, seed=0).fit(X, y)
    model = export_model(pipe)
    assert model.get_params()["allow_writing_files"] is False and model.get_params()["thread_count"] == 2
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], pipe.predict_proba(X)[:, 1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("variant", ["none", "class_weights"])
def test_ablation_variants_do_not_resample(variant):
    pipe = build_pipeline(FEATURES, CATEGORICAL, variant=variant, params={"iterations": 10, "depth": 2})
    assert pipe.named_steps["smote"] == "passthrough"
    X, y = toy()
    proba = cross_val_predict(pipe, X, y, cv=3, method="predict_proba")[:, 1]
    assert proba.shape == (len(X),)
    weights = pipe.named_steps["model"].get_params().get("auto_class_weights")
    assert weights == ("Balanced" if variant == "class_weights" else None)


def test_scaled_neighbours_standardise_numbers_and_ignore_missing():
    rng = np.random.default_rng(0)
    numeric = np.column_stack([rng.normal(0, 1e6, 50), rng.normal(0, 1, 50)])
    numeric[::7, 1] = SENTINEL  # missing
    onehot = np.eye(3)[rng.integers(0, 3, 50)] * 123.0  # SMOTENC's scaled one-hot block
    X = np.hstack([numeric, onehot])
    got = ScaledNeighbors(n_neighbors=4, n_continuous=2).fit(X).kneighbors(X, return_distance=False)
    present = numeric[:, 1] != SENTINEL
    z = np.column_stack([numeric[:, 0] / numeric[:, 0].std(), numeric[:, 1]])
    z[:, 0] -= numeric[:, 0].mean() / numeric[:, 0].std()
    z[:, 1] = np.where(present, (numeric[:, 1] - numeric[present, 1].mean()) / numeric[present, 1].std(), 0.0)
    expected = NearestNeighbors(n_neighbors=4).fit(np.hstack([z, onehot / 123 / np.sqrt(2)]))
    np.testing.assert_array_equal(got, expected.kneighbors(return_distance=False, X=np.hstack([z, onehot / 123 / np.sqrt(2)])))
    assert isinstance(make_smote(FEATURES, CATEGORICAL), MissingAwareSMOTENC)
