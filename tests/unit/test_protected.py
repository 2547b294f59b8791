"""Protected attributes are never model features: CODE_GENDER is excluded by default, kept for fairness only."""

import pytest

from scoring.features import categorical_features, feature_names
from scoring.protected import DEFAULT_EXCLUDED, excluded_attributes, model_features
from training.dataset import load_training_data, with_attributes


def test_gender_is_excluded_by_default(monkeypatch):
    monkeypatch.delenv("EXCLUDED_ATTRIBUTES", raising=False)
    assert "CODE_GENDER" in DEFAULT_EXCLUDED and excluded_attributes() == DEFAULT_EXCLUDED
    assert "CODE_GENDER" in feature_names()  # the core still builds it (fairness needs it) ...
    assert "CODE_GENDER" not in model_features(feature_names())  # ... but the model never sees it
    assert "CODE_GENDER" not in model_features(categorical_features())


def test_the_list_is_configurable(monkeypatch):
    monkeypatch.setenv("EXCLUDED_ATTRIBUTES", "CODE_GENDER, NAME_FAMILY_STATUS")
    assert excluded_attributes() == ("CODE_GENDER", "NAME_FAMILY_STATUS")
    assert excluded_attributes(["DAYS_BIRTH"]) == ("DAYS_BIRTH",)
    assert excluded_attributes("") == ()


@pytest.fixture(scope="module")
def data(synthetic_dir):
    return load_training_data(synthetic_dir)


def test_training_data_leave_gender_out_but_keep_it_for_fairness(data):
    assert "CODE_GENDER" not in data.features and "CODE_GENDER" not in data.categorical
    assert "CODE_GENDER" not in data.X.columns and "CODE_GENDER" not in data.X_all.columns
    assert data.excluded == ("CODE_GENDER",)
    assert "CODE_GENDER" in data.featureset.applications.columns  # fairness groups
    features, categorical, X = with_attributes(data, data.excluded)
    assert features == data.features + ["CODE_GENDER"] and "CODE_GENDER" in categorical
    assert list(X.columns) == features and len(X) == len(data.X)
