"""Feature groups: each group measured by removing it on the same folds (synthetic data, tiny models)."""

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold

from training.dataset import load_training_data
from training.feature_groups import GROUPS, group_ablation, members

pytestmark = pytest.mark.slow  # 14 small fits: ~30 s alone, minutes on a busy machine


def test_every_group_is_measured_on_the_same_folds(synthetic_dir):
    data = load_training_data(synthetic_dir)
    groups = members(data.features)
    assert set(groups) == set(GROUPS) and all(groups.values()), "a group matches no model feature"
    assert not any("CODE_GENDER" in g for g in groups.values())
    folds = list(StratifiedKFold(2, shuffle=True, random_state=0).split(data.X, data.y))
    rows = group_ablation(data, folds, {"iterations": 15, "depth": 3}, ratio=0.2, seed=0)
    assert rows[0]["variant"] == "all features" and rows[0]["features_removed"] == 0
    assert [r["variant"] for r in rows[1:]] == [f"without {g}" for g in GROUPS]
    for row in rows[1:]:
        name = row["variant"].removeprefix("without ")
        assert row["features_removed"] == len(groups[name])
        if row["auc"] is not None:
            assert np.isclose(row["auc_gain_of_group"], rows[0]["auc"] - row["auc"])
            assert row["kept"] == (row["auc_gain_of_group"] > 0 or row["cost_gain_of_group"] > 0)
