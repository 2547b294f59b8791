"""Group metrics and fairness gaps on a toy whose numbers are known by hand."""

import numpy as np
import pandas as pd
import pytest

from training.fairness import age_band, fairness_gaps, fairness_report, group_columns, group_metrics

# group A: 4 clients (2 defaulters), group B: 4 clients (1 defaulter); threshold 0.5
Y = np.array([1, 1, 0, 0, 1, 0, 0, 0])
P = np.array([0.9, 0.2, 0.6, 0.1, 0.7, 0.8, 0.3, 0.2])
G = np.array(["A"] * 4 + ["B"] * 4, dtype=object)


def test_group_metrics_known_values():
    rows = {r["group"]: r for r in group_metrics(Y, P, G, 0.5)}
    a, b = rows["A"], rows["B"]
    assert a["count"] == 4 and a["default_rate"] == 0.5
    assert a["approval_rate"] == 0.5  # refused: 0.9, 0.6
    assert a["tpr"] == 0.5 and a["fpr"] == 0.5
    assert a["auc"] == pytest.approx(0.75)  # pairs (0.9>0.6, 0.9>0.1, 0.2<0.6, 0.2>0.1) -> 3/4
    assert b["approval_rate"] == 0.5  # refused: 0.7, 0.8
    assert b["tpr"] == 1.0 and b["fpr"] == pytest.approx(1 / 3)
    assert b["auc"] == pytest.approx(2 / 3)
    assert a["mean_probability"] == pytest.approx(0.45)


def test_auc_is_none_without_both_classes():
    rows = group_metrics(np.array([0, 0, 1]), np.array([0.1, 0.2, 0.3]), np.array(["x", "x", "y"]), 0.5)
    assert all(r["auc"] is None for r in rows)
    assert {r["group"]: r["tpr"] for r in rows}["x"] is None


def test_gaps_known_values_and_ci_contains_point():
    gaps = fairness_gaps(Y, P, G, 0.5, min_group_size=1, n_boot=300, seed=0)
    assert gaps["demographic_parity_difference"]["value"] == pytest.approx(0.0)
    # approval among repayers: A 1/2, B 2/3
    assert gaps["equal_opportunity_difference"]["value"] == pytest.approx(2 / 3 - 1 / 2)
    assert gaps["tpr_difference"]["value"] == pytest.approx(0.5)
    ci = gaps["tpr_difference"]
    assert ci["ci_low"] <= ci["value"] <= ci["ci_high"]


def test_small_groups_are_left_out_of_gaps():
    gaps = fairness_gaps(Y, P, G, 0.5, min_group_size=5, n_boot=10)
    assert gaps["groups_compared"] == []
    assert gaps["demographic_parity_difference"]["value"] is None


def test_bootstrap_is_seeded():
    a = fairness_gaps(Y, P, G, 0.5, min_group_size=1, n_boot=50, seed=3)
    b = fairness_gaps(Y, P, G, 0.5, min_group_size=1, n_boot=50, seed=3)
    assert a == b


def test_age_bands_and_group_columns():
    days = -np.array([25, 30, 45, 59.9, 61]) * 365.25
    assert age_band(days).tolist() == ["<30", "30-40", "40-50", "50-60", "60+"]
    apps = pd.DataFrame({"DAYS_BIRTH": days, "CODE_GENDER": ["F", "M", None, "F", "M"],
                         "NAME_FAMILY_STATUS": ["Married"] * 5, "NAME_INCOME_TYPE": ["Working"] * 5})
    cols = group_columns(apps)
    assert set(cols) == {"CODE_GENDER", "AGE_BAND", "NAME_FAMILY_STATUS", "NAME_INCOME_TYPE"}
    assert cols["CODE_GENDER"][2] == "unknown"


def test_report_structure():
    report = fairness_report(Y, P, {"G": G}, 0.5, min_group_size=1, n_boot=20)
    attr = report["attributes"]["G"]
    assert len(attr["groups"]) == 2 and attr["groups_compared"] == ["A", "B"]
