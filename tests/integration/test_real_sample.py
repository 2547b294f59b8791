"""The loader and the features on the real Home Credit sample (../shared/data/home-credit).

Figures asserted here are the ones its README states: 7,000 labelled applicants
(547 defaults), bureau 33,755 / bureau_balance 320,485 / credit_card_balance
68,568 rows, every child row with its parent, and four header-only tables
(application_test, previous_application, POS_CASH_balance, installments_payments).
Skipped only when the sample is absent (see tests/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import schema
from scoring.data import DataReport, connect, load_into, locate, read_applications
from scoring.features import build_features, feature_names, features_from_records
from scoring.features.history import HISTORY_FEATURES

ROWS = {
    "application_train": 7_000,
    "application_test": 0,
    "bureau": 33_755,
    "bureau_balance": 320_485,
    "previous_application": 0,
    "POS_CASH_balance": 0,
    "installments_payments": 0,
    "credit_card_balance": 68_568,
}
HEADER_ONLY = ("previous_application", "POS_CASH_balance", "installments_payments")


@pytest.fixture(scope="module")
def features(real_data_dir):
    return build_features(real_data_dir, strict=True)


@pytest.fixture(scope="module")
def raw(real_data_dir):
    """The sample as plain pandas reads it (an independent reader, for cross-checks)."""
    source = locate(real_data_dir)
    return {t: pd.read_csv(source.files[t], low_memory=False)
            for t in ("application_train", "bureau", "bureau_balance", "credit_card_balance")}


def test_row_counts_and_labels(features):
    assert features.report.rows == ROWS
    assert features.frame.shape == (7_000, len(feature_names()))
    assert list(features.frame.columns) == feature_names()
    assert int(features.target.sum()) == 547
    assert set(features.target.unique()) == {0, 1}
    assert features.labelled.all()  # no test applicants in this sample
    assert not features.synthetic


def test_key_integrity(features, raw):
    assert features.report.orphans == dict.fromkeys(schema.PARENT_KEY, 0)  # strict=True did not raise either
    assert features.report.extra_columns == {}
    assert features.report.warnings() == []
    ids = features.frame.index
    assert ids.is_unique and ids.is_monotonic_increasing
    assert ids.min() >= 100004 and ids.max() <= 216076  # the README's id range
    assert set(raw["bureau"]["SK_ID_CURR"]) <= set(ids)
    assert set(raw["credit_card_balance"]["SK_ID_CURR"]) <= set(ids)
    assert set(raw["bureau_balance"]["SK_ID_BUREAU"]) <= set(raw["bureau"]["SK_ID_BUREAU"])
    assert features.applications.index.equals(ids)


def test_loader_dtypes(real_data_dir):
    report = DataReport()
    con = connect(memory_limit="1GB")
    try:
        apps = read_applications(con, locate(real_data_dir), report)
        load_into(con, locate(real_data_dir), "bureau", report)
        bureau_types = dict(con.sql("SELECT column_name, column_type FROM (DESCRIBE bureau)").fetchall())
    finally:
        con.close()
    kinds = schema.kinds("application_train")
    assert list(apps.columns) == schema.columns("application_train")
    for name, kind in kinds.items():
        dtype = apps[name].dtype
        if kind == "id":
            assert dtype == np.int64, name
        elif kind == "target":
            assert dtype == np.int8, name
        elif kind == "cat":
            assert isinstance(dtype, pd.CategoricalDtype), name
        else:
            assert dtype == np.float32, name
    assert apps["SK_ID_CURR"].is_unique
    assert int((apps["TARGET"] == 1).sum()) == 547
    assert (apps["DAYS_EMPLOYED"] == schema.DAYS_EMPLOYED_SENTINEL).sum() > 0  # restored Kaggle sentinel
    assert bureau_types["SK_ID_CURR"] == "BIGINT" and bureau_types["SK_ID_BUREAU"] == "BIGINT"
    assert bureau_types["AMT_CREDIT_SUM"] == "DOUBLE" and bureau_types["CREDIT_ACTIVE"] == "VARCHAR"


def test_header_only_tables_mean_no_history_for_everyone(features):
    for table in HEADER_ONLY:
        names = [n for n, _ in HISTORY_FEATURES[table][1]]
        assert features.frame[names].isna().all().all(), table


def test_history_features_match_an_independent_computation(features, raw):
    frame = features.frame
    bureau = raw["bureau"]
    counts = bureau.groupby("SK_ID_CURR").size()
    assert frame["BURO_COUNT"].notna().sum() == len(counts) == 6_007
    assert (frame.loc[counts.index, "BURO_COUNT"] == counts.to_numpy()).all()
    active = bureau["CREDIT_ACTIVE"].eq("Active").groupby(bureau["SK_ID_CURR"]).mean()
    np.testing.assert_allclose(frame.loc[active.index, "BURO_ACTIVE_SHARE"], active, rtol=1e-6)

    bb = raw["bureau_balance"].merge(bureau[["SK_ID_BUREAU", "SK_ID_CURR"]], on="SK_ID_BUREAU")
    late = bb["STATUS"].astype(str).isin(["1", "2", "3", "4", "5"]).groupby(bb["SK_ID_CURR"]).mean()
    assert frame["BB_MONTHS_COUNT"].notna().sum() == len(late)
    np.testing.assert_allclose(frame.loc[late.index, "BB_LATE_SHARE"], late, rtol=1e-6)

    cc = raw["credit_card_balance"]
    util = (cc["AMT_BALANCE"] / cc["AMT_CREDIT_LIMIT_ACTUAL"].replace(0, np.nan)).groupby(cc["SK_ID_CURR"]).mean()
    assert frame["CC_MONTHS_COUNT"].notna().sum() == cc["SK_ID_CURR"].nunique() == 1_902
    np.testing.assert_allclose(frame.loc[util.index, "CC_UTILISATION_MEAN"], util, rtol=1e-5)

    apps = raw["application_train"].set_index("SK_ID_CURR")
    anomalous = apps["DAYS_EMPLOYED"] == schema.DAYS_EMPLOYED_SENTINEL
    assert (frame["APP_DAYS_EMPLOYED_ANOM"] == anomalous.reindex(frame.index).astype(float)).all()
    assert frame.loc[anomalous[anomalous].index, "DAYS_EMPLOYED"].isna().all()


def test_features_from_records_equals_build_features(features, raw):
    """Train/serve skew: the service's path must give the very same row as training's."""
    bureau, bb, cc = raw["bureau"], raw["bureau_balance"], raw["credit_card_balance"]
    with_bb = set(bureau.loc[bureau["SK_ID_BUREAU"].isin(bb["SK_ID_BUREAU"]), "SK_ID_CURR"])
    candidates = sorted(with_bb & set(cc["SK_ID_CURR"]))
    assert len(candidates) >= 3
    picked = [candidates[0], candidates[len(candidates) // 2], candidates[-1]]
    apps = raw["application_train"]
    for client in picked:
        own_bureau = bureau[bureau["SK_ID_CURR"] == client]
        history = {
            "bureau": own_bureau,
            "bureau_balance": bb[bb["SK_ID_BUREAU"].isin(own_bureau["SK_ID_BUREAU"])],
            "credit_card_balance": cc[cc["SK_ID_CURR"] == client],
            "previous_application": pd.DataFrame(columns=schema.columns("previous_application")),
        }
        # what a request carries: the raw fields (no label), as plain Python values
        record = apps[apps["SK_ID_CURR"] == client].drop(columns="TARGET").to_dict(orient="records")[0]
        served = features_from_records(pd.DataFrame([record]), history)
        trained = features.frame.loc[[client]]
        assert served.index.tolist() == [client]
        assert list(served.columns) == list(trained.columns)
        assert served["BURO_COUNT"].iloc[0] > 0 and served["BB_MONTHS_COUNT"].iloc[0] > 0
        assert served["CC_MONTHS_COUNT"].iloc[0] > 0
        for name in trained.columns:
            a, b = served[name].iloc[0], trained[name].iloc[0]
            if isinstance(trained[name].dtype, pd.CategoricalDtype):
                assert (pd.isna(a) and pd.isna(b)) or a == b, (client, name, a, b)
            else:
                assert served[name].dtype == trained[name].dtype == np.float32, name
                # bit-identical, NaN where NaN
                assert np.array_equal(np.float32(a), np.float32(b), equal_nan=True), (client, name, a, b)
