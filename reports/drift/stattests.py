"""The per-column drift test, and the two-sample chi-square test registered with evidently.

Per-column tests (:func:`choose_tests`), by the effective sample size
``n_eff = n_ref * n_cur / (n_ref + n_cur)`` of the non-missing values: with
``n_eff >= 1500`` (categorical columns also >= 100 rows per level) evidently's
normalised Wasserstein distance (numeric) / Jensen-Shannon distance (categorical and
numeric columns with <= 5 values), drifted when >= 0.1; below that, where the
distances' sampling noise nears 0.1, K-S (numeric), a two-sample chi-square test of
homogeneity (categorical, rare and new levels pooled) or a Z-test (two levels), drifted
when p < 0.05 / k for k compared columns (Bonferroni). Missing categorical values are
the level ``NA`` (what the model sees); missing numbers are dropped by the tests, so the
summary gives each column's missing share on both sides and lists moves > 10 points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MISSING_LEVEL = "NA"  # scoring.features.MISSING_CATEGORY, what the model sees for a missing category

#: Below this effective sample size the distances' sampling noise nears their 0.1 threshold.
LARGE_SAMPLE = 1500
#: Categorical columns also need this many rows per level for the Jensen-Shannon distance.
ROWS_PER_LEVEL = 100
#: Numeric columns with at most this many distinct values are compared as categories.
FEW_VALUES = 5
DISTANCE_THRESHOLD = 0.1
ALPHA = 0.05
#: Chi-square cells must expect at least this many current rows (rarer levels are pooled).
MIN_EXPECTED = 5.0
OTHER_LEVEL = "(rare levels)"


def effective_n(n_ref: int, n_cur: int) -> float:
    """n_ref * n_cur / (n_ref + n_cur): the sample size that drives a two-sample statistic's noise."""
    return n_ref * n_cur / (n_ref + n_cur) if n_ref and n_cur else 0.0


@dataclass
class ColumnTest:
    column: str
    as_categorical: bool
    method: str  # evidently stattest name
    threshold: float
    n_eff: float
    levels: int | None = None
    keep: set[str] | None = None  # chi-square: levels kept apart, the others pooled into OTHER_LEVEL


def choose_tests(reference: pd.DataFrame, current: pd.DataFrame, columns: list[str],
                 categorical: set[str]) -> list[ColumnTest]:
    """Per column, a distance in the large-sample regime, else a Bonferroni-corrected test.

    Numeric columns with > 5 distinct values: normalised Wasserstein distance (>= 0.1 is
    drift) when the effective size of the non-missing values is >= LARGE_SAMPLE, else the
    K-S test. Categorical columns (and numeric ones with <= 5 values; missing is a level):
    Jensen-Shannon distance (>= 0.1) when the effective size is >= LARGE_SAMPLE and >= 100
    rows per level, else the two-sample chi-square test of homogeneity (:func:`chi2_two_sample`;
    Z-test for two levels; levels expecting < 5 current rows
    and new levels pooled, see :func:`pool_rare_levels`). Tests use p < 0.05 / k for k
    compared columns, so a random split of one population flags no column 95% of the time.
    """
    alpha = ALPHA / max(len(columns), 1)
    tests = []
    for name in columns:
        ref, cur = reference[name], current[name]
        if name in categorical:
            cat, levels = True, len(set(_as_levels(ref).unique()) | set(_as_levels(cur).unique()))
        else:
            ref_num = pd.to_numeric(ref, errors="coerce")
            cur_num = pd.to_numeric(cur, errors="coerce")
            distinct = pd.concat([ref_num.dropna(), cur_num.dropna()]).nunique()
            cat = distinct <= FEW_VALUES
            levels = distinct + int(ref_num.isna().any() or cur_num.isna().any()) if cat else None
        if cat:
            n_eff = effective_n(len(ref), len(cur))
            if levels <= 1 or n_eff >= max(LARGE_SAMPLE, ROWS_PER_LEVEL * levels):
                tests.append(ColumnTest(name, True, "jensenshannon", DISTANCE_THRESHOLD, n_eff, levels))
            elif levels == 2:
                tests.append(ColumnTest(name, True, "z", alpha, n_eff, levels))
            else:
                keep = pool_rare_levels(_as_levels(ref), _as_levels(cur))
                n_levels = levels if keep is None else len(keep) + 1
                method = CHI2_TWO_SAMPLE if n_levels > 2 else "z"
                tests.append(ColumnTest(name, True, method, alpha, n_eff, n_levels, keep))
        else:
            n_eff = effective_n(int(ref_num.notna().sum()), int(cur_num.notna().sum()))
            if n_eff >= LARGE_SAMPLE:
                tests.append(ColumnTest(name, False, "wasserstein", DISTANCE_THRESHOLD, n_eff))
            else:
                tests.append(ColumnTest(name, False, "ks", alpha, n_eff))
    return tests


def pool_rare_levels(reference: pd.Series, current: pd.Series,
                     min_expected: float = MIN_EXPECTED) -> set[str] | None:
    """Levels kept apart for a chi-square test; the others are pooled into OTHER_LEVEL. None: pool nothing.

    Cochran's rule: with sparse cells the chi-square test is anti-conservative (a rare level
    seen twice instead of once looks like drift), and a level absent from the reference
    makes a cell expecting 0 rows (any single occurrence is "drift"). Levels expecting
    fewer than ``min_expected`` current rows and levels new in the current set are pooled;
    if the pooled cell still expects too few rows, the least frequent kept level joins it.
    A pooled cell that fills up far beyond its reference share still shows as drift.
    """
    expected = reference.value_counts(normalize=True) * len(current)
    new_levels = set(current.unique()) - set(expected.index)
    rare = expected[expected < min_expected]
    if rare.empty and not new_levels:
        return None
    common = expected[expected >= min_expected].sort_values()
    keep = [str(v) for v in common.index]
    if rare.sum() < min_expected and len(keep) > 2:
        keep = keep[1:]
    return set(keep)


def _as_levels(column: pd.Series) -> pd.Series:
    """A categorical column as text with missing = "NA" (what the model sees)."""
    values = column.astype(object)
    if pd.api.types.is_float_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype):
        values = values.map(lambda v: v if pd.isna(v) else f"{float(v):g}")
    return values.where(values.notna(), MISSING_LEVEL).astype(str)


CHI2_TWO_SAMPLE = "chisquare_two_sample"


def chi2_two_sample(reference: pd.Series, current: pd.Series) -> float:
    """p-value of the chi-square test of homogeneity of two samples' level counts (2 x k table).

    evidently's own "chisquare" is a goodness-of-fit test that takes the reference shares
    as exact; with a reference not much larger than the current set it ignores half of
    the sampling noise and flags random splits. This is the two-sample test.
    """
    from scipy.stats import chi2_contingency

    levels = sorted(set(reference.dropna().unique()) | set(current.dropna().unique()), key=str)
    ref_counts = reference.value_counts()
    cur_counts = current.value_counts()
    table = np.array([[ref_counts.get(v, 0) for v in levels], [cur_counts.get(v, 0) for v in levels]], dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 1.0
    return float(chi2_contingency(table, correction=False)[1])


def _register_two_sample_chisquare() -> None:
    """Make :func:`chi2_two_sample` available to evidently as the stattest CHI2_TWO_SAMPLE."""
    from evidently.legacy.calculations.stattests.registry import StatTest, _registered_stat_tests, register_stattest
    from evidently.legacy.core import ColumnType

    if CHI2_TWO_SAMPLE in _registered_stat_tests:
        return

    def impl(reference_data: pd.Series, current_data: pd.Series, feature_type, threshold: float):
        p_value = chi2_two_sample(reference_data, current_data)
        return p_value, p_value < threshold

    register_stattest(StatTest(name=CHI2_TWO_SAMPLE, display_name="chi-square two-sample p_value",
                               allowed_feature_types=[ColumnType.Categorical], default_threshold=0.05),
                      default_impl=impl)
