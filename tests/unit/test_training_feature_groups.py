"""Feature groups: each group measured by removing it on the same folds (synthetic data, tiny models), and
the gate that keeps only the groups that helped CV AUC or CV cost."""

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold

from scoring.features import feature_names
from scoring.features.history import CREDIT_CARD_RECENT_AGGS
from training import feature_groups
from training.dataset import load_training_data
from training.feature_groups import GROUPS, dropped_groups, gate, group_ablation, helps, members


@pytest.mark.slow  # 2 folds x 10 small fits: ~30 s alone, minutes on a busy machine
def test_every_group_is_measured_on_the_same_folds(synthetic_dir):
    data = load_training_data(synthetic_dir, gated=False)
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
            assert row["kept"] == helps(row["auc_gain_of_group"], row["cost_gain_of_group"])


def test_groups_do_not_overlap_and_instalments_belong_to_the_history_group():
    groups = members(feature_names())
    seen = [f for g in groups.values() for f in g]
    assert len(seen) == len(set(seen)), "a feature in two groups"
    assert any(f.startswith("INSTAL_") for f in groups["previous applications / POS / instalments"])


def test_a_group_is_kept_only_if_it_helps_auc_or_cost():
    assert helps(0.002, -0.01) and helps(-0.001, 0.003)
    assert not helps(0.0, 0.0) and not helps(-0.002, -0.001)


def _row(group, auc_gain, cost_gain, auc=0.7):
    return {"variant": f"without {group}", "auc": auc, "auc_gain_of_group": auc_gain, "cost_gain_of_group": cost_gain}


def test_gate_drops_exactly_the_groups_that_did_not_help():
    table = {"rows": [
        {"variant": "all features", "auc": 0.72},
        _row("bureau by credit type", -0.001, -0.002),  # removing it helped: dropped
        _row("credit-card recent windows (3 / 12 months)", 0.003, -0.001),  # AUC gain: kept
        _row("bureau by status (active / closed)", -0.001, 0.004),  # cost gain: kept
        {"variant": "without previous applications / POS / instalments", "auc": None},  # no data: kept
    ]}
    assert dropped_groups(table) == ["bureau by credit type"]
    features = feature_names()
    kept = gate(features, table)
    type_group = members(features)["bureau by credit type"]
    assert type_group and not set(type_group) & set(kept)
    assert set(features) - set(kept) == set(type_group)


def test_training_data_leaves_out_the_dropped_groups(synthetic_dir, monkeypatch):
    table = {"rows": [_row("credit-card recent windows (3 / 12 months)", -0.01, -0.01)]}
    monkeypatch.setattr(feature_groups, "measured", lambda path=None: table)
    data = load_training_data(synthetic_dir)
    assert data.dropped_groups == ("credit-card recent windows (3 / 12 months)",)
    recent = {name for name, _ in CREDIT_CARD_RECENT_AGGS}
    assert not recent & set(data.features) and list(data.X.columns) == data.features
    assert "CC_RECENT_UTILISATION_MEAN" in data.features  # the all-months card group stays
    assert set(data.categorical) <= set(data.features)
    full = load_training_data(synthetic_dir, gated=False)
    assert any(f.startswith("CC_R3_") for f in full.features) and full.dropped_groups == ()
