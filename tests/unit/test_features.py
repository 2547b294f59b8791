"""Feature functions against values computed by hand on tiny frames.

Application features are checked on a pandas frame; each history function
runs on a DuckDB connection where tiny frames are registered under the Kaggle
table names, exactly as the service does with one applicant's rows.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from scoring import schema
from scoring.data import DataError, to_frame
from scoring.features import (
    MISSING_CATEGORY,
    categorical_features,
    feature_names,
    features_from_records,
    model_input,
)
from scoring.features.application import APPLICATION_FEATURES, application_features, raw_application_features
from scoring.features.history import (
    BUREAU_ALL_AGGS,
    HISTORY_FEATURES,
    bureau_balance_features,
    bureau_balance_per_credit_sql,
    bureau_features,
    credit_card_features,
    history_feature_names,
    installments_features,
    pos_cash_features,
    previous_features,
)

NAN = float("nan")


def table(name: str, rows: list[dict]) -> pd.DataFrame:
    """Rows of Kaggle table ``name`` with every schema column (absent = missing), typed as a CSV read."""
    frame = pd.DataFrame(rows, columns=schema.columns(name))
    return to_frame(frame, schema.kinds(name), float_dtype=np.float64)


def run(func, **tables: pd.DataFrame) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        for name, frame in tables.items():
            con.register(name, frame)
        return func(con)
    finally:
        con.close()


def check(row: pd.Series, expected: dict[str, float]):
    """Every expected value, NaN where NaN is expected, at float32 precision."""
    for name, value in expected.items():
        got = float(row[name])
        if math.isnan(value):
            assert math.isnan(got), f"{name}: expected NaN, got {got}"
        else:
            assert got == pytest.approx(value, rel=1e-6, abs=1e-9), f"{name}: expected {value}, got {got}"


# --------------------------------------------------------------------------- application


@pytest.fixture(scope="module")
def app_features() -> pd.DataFrame:
    base = {"AMT_INCOME_TOTAL": 100000.0, "AMT_CREDIT": 200000.0, "AMT_ANNUITY": 10000.0,
            "AMT_GOODS_PRICE": 180000.0, "DAYS_BIRTH": -14610, "DAYS_EMPLOYED": -2922, "CNT_FAM_MEMBERS": 2.0,
            "CNT_CHILDREN": 1, "DAYS_REGISTRATION": -7305.0, "DAYS_ID_PUBLISH": -1461,
            "DAYS_LAST_PHONE_CHANGE": -730.5, "OWN_CAR_AGE": 10.0, "NAME_CONTRACT_TYPE": "Cash loans"}
    rows = [
        {"SK_ID_CURR": 1, **base, "EXT_SOURCE_1": 0.2, "EXT_SOURCE_2": 0.4, "EXT_SOURCE_3": 0.6,
         "FLAG_DOCUMENT_3": 1, "FLAG_DOCUMENT_5": 1, "FLAG_DOCUMENT_8": 0, "FLAG_EMP_PHONE": 1, "FLAG_PHONE": 1,
         "FLAG_EMAIL": 0, "AMT_REQ_CREDIT_BUREAU_YEAR": 3.0, "AMT_REQ_CREDIT_BUREAU_QRT": 1.0},
        # pensioner sentinel, zero income, zero annuity, zero family members, one EXT_SOURCE missing
        {"SK_ID_CURR": 2, **base, "DAYS_EMPLOYED": schema.DAYS_EMPLOYED_SENTINEL, "AMT_INCOME_TOTAL": 0.0,
         "AMT_ANNUITY": 0.0, "CNT_FAM_MEMBERS": 0.0, "EXT_SOURCE_1": 0.5, "EXT_SOURCE_3": 0.3},
        # a single EXT_SOURCE
        {"SK_ID_CURR": 3, **base, "EXT_SOURCE_2": 0.7, "DAYS_BIRTH": 0},
        # nothing at all but the key
        {"SK_ID_CURR": 4},
    ]
    return application_features(pd.DataFrame(rows))


def test_application_output_shape_and_types(app_features):
    assert app_features.index.tolist() == [1, 2, 3, 4]
    assert app_features.index.name == "SK_ID_CURR"
    assert list(app_features.columns) == raw_application_features() + list(APPLICATION_FEATURES)
    for name in APPLICATION_FEATURES:
        assert app_features[name].dtype == np.float32
    for name in categorical_features():
        assert isinstance(app_features[name].dtype, pd.CategoricalDtype)
    assert "TARGET" not in app_features.columns and "SK_ID_CURR" not in app_features.columns


def test_application_ratios(app_features):
    check(app_features.loc[1], {
        "APP_DAYS_EMPLOYED_ANOM": 0.0,
        "DAYS_EMPLOYED": -2922.0,
        "APP_AGE_YEARS": 40.0,  # 14610 / 365.25
        "APP_CREDIT_INCOME_RATIO": 2.0,
        "APP_ANNUITY_INCOME_RATIO": 0.1,
        "APP_ANNUITY_CREDIT_RATIO": 0.05,
        "APP_CREDIT_TERM": 20.0,
        "APP_GOODS_CREDIT_RATIO": 0.9,
        "APP_CREDIT_GOODS_DIFF": 20000.0,
        "APP_EMPLOYED_AGE_RATIO": 0.2,
        "APP_INCOME_PER_PERSON": 50000.0,
        "APP_ANNUITY_PER_PERSON_RATIO": 0.2,
        "APP_CHILDREN_RATIO": 0.5,
        "APP_REGISTRATION_AGE_RATIO": 0.5,
        "APP_ID_PUBLISH_AGE_RATIO": 0.1,
        "APP_PHONE_CHANGE_AGE_RATIO": 0.05,
        "APP_CAR_AGE_RATIO": 0.25,  # 10 years of car / 40 years of age
        "APP_DOCUMENT_COUNT": 2.0,
        "APP_CONTACT_COUNT": 2.0,
        "APP_BUREAU_REQ_TOTAL": 4.0,
    })


def test_days_employed_sentinel_and_division_by_zero(app_features):
    check(app_features.loc[2], {
        "DAYS_EMPLOYED": NAN,  # 365243 is "not employed", not 1000 years
        "APP_DAYS_EMPLOYED_ANOM": 1.0,
        "APP_EMPLOYED_AGE_RATIO": NAN,
        "APP_CREDIT_INCOME_RATIO": NAN,  # x / 0
        "APP_ANNUITY_INCOME_RATIO": NAN,  # 0 / 0
        "APP_ANNUITY_CREDIT_RATIO": 0.0,  # 0 / x is fine
        "APP_CREDIT_TERM": NAN,  # x / 0
        "APP_INCOME_PER_PERSON": NAN,  # 0 / 0
        "APP_ANNUITY_PER_PERSON_RATIO": NAN,
        "APP_CHILDREN_RATIO": NAN,  # 1 / 0
        "APP_DOCUMENT_COUNT": NAN,  # no document flag given at all
        "APP_CONTACT_COUNT": NAN,
    })
    check(app_features.loc[3], {"APP_AGE_YEARS": 0.0, "APP_EMPLOYED_AGE_RATIO": NAN, "APP_CAR_AGE_RATIO": NAN,
                                "APP_REGISTRATION_AGE_RATIO": NAN})
    assert not np.isinf(app_features[list(APPLICATION_FEATURES)].to_numpy()).any()


def test_ext_source_summaries_with_missing_values(app_features):
    check(app_features.loc[1], {  # 0.2, 0.4, 0.6
        "APP_EXT_SOURCE_MEAN": 0.4,
        "APP_EXT_SOURCE_PROD": 0.048,
        "APP_EXT_SOURCE_WEIGHTED": (2 * 0.2 + 1 * 0.4 + 3 * 0.6) / 6,
        "APP_EXT_SOURCE_MIN": 0.2,
        "APP_EXT_SOURCE_MAX": 0.6,
        "APP_EXT_SOURCE_STD": math.sqrt(0.08 / 3),  # population std
        "APP_EXT_SOURCE_NAN_COUNT": 0.0,
    })
    check(app_features.loc[2], {  # 0.5, missing, 0.3
        "APP_EXT_SOURCE_MEAN": 0.4,
        "APP_EXT_SOURCE_PROD": NAN,  # only with all three
        "APP_EXT_SOURCE_WEIGHTED": (2 * 0.5 + 3 * 0.3) / 5,  # weights of the present ones
        "APP_EXT_SOURCE_MIN": 0.3,
        "APP_EXT_SOURCE_MAX": 0.5,
        "APP_EXT_SOURCE_STD": 0.1,
        "APP_EXT_SOURCE_NAN_COUNT": 1.0,
    })
    check(app_features.loc[3], {  # only EXT_SOURCE_2
        "APP_EXT_SOURCE_MEAN": 0.7, "APP_EXT_SOURCE_PROD": NAN, "APP_EXT_SOURCE_WEIGHTED": 0.7,
        "APP_EXT_SOURCE_MIN": 0.7, "APP_EXT_SOURCE_MAX": 0.7, "APP_EXT_SOURCE_STD": NAN,
        "APP_EXT_SOURCE_NAN_COUNT": 2.0,
    })
    check(app_features.loc[4], {
        "APP_EXT_SOURCE_MEAN": NAN, "APP_EXT_SOURCE_PROD": NAN, "APP_EXT_SOURCE_WEIGHTED": NAN,
        "APP_EXT_SOURCE_MIN": NAN, "APP_EXT_SOURCE_MAX": NAN, "APP_EXT_SOURCE_STD": NAN,
        "APP_EXT_SOURCE_NAN_COUNT": 3.0,
    })


def test_applicant_with_nothing_but_a_key(app_features):
    row = app_features.loc[4]
    numeric = [c for c in app_features.columns if c not in categorical_features()]
    assert row[numeric].drop(["APP_EXT_SOURCE_NAN_COUNT", "APP_DAYS_EMPLOYED_ANOM"]).isna().all()
    assert row["APP_DAYS_EMPLOYED_ANOM"] == 0.0


def test_text_in_application_number_is_refused():
    with pytest.raises((DataError, ValueError)):
        application_features(pd.DataFrame({"SK_ID_CURR": [1], "AMT_CREDIT": ["1,5"]}))


# --------------------------------------------------------------------------- bureau


def test_bureau_features():
    bureau = table("bureau", [
        {"SK_ID_CURR": 1, "SK_ID_BUREAU": 10, "CREDIT_ACTIVE": "Active", "CREDIT_TYPE": "Credit card",
         "DAYS_CREDIT": -100, "CREDIT_DAY_OVERDUE": 0, "AMT_CREDIT_SUM": 100.0, "AMT_CREDIT_SUM_DEBT": 50.0,
         "AMT_ANNUITY": 10.0, "CNT_CREDIT_PROLONG": 1, "DAYS_CREDIT_ENDDATE": 200.0},
        {"SK_ID_CURR": 1, "SK_ID_BUREAU": 11, "CREDIT_ACTIVE": "Closed", "CREDIT_TYPE": "Consumer credit",
         "DAYS_CREDIT": -500, "CREDIT_DAY_OVERDUE": 10, "AMT_CREDIT_SUM": 300.0, "AMT_CREDIT_SUM_DEBT": 0.0,
         "AMT_CREDIT_MAX_OVERDUE": 40.0, "DAYS_ENDDATE_FACT": -400.0, "DAYS_CREDIT_ENDDATE": -450.0},
        {"SK_ID_CURR": 1, "SK_ID_BUREAU": 12, "CREDIT_ACTIVE": "Active", "CREDIT_TYPE": "Mortgage",
         "DAYS_CREDIT": -300, "CREDIT_DAY_OVERDUE": 0, "AMT_CREDIT_SUM": 0.0, "AMT_CREDIT_SUM_DEBT": 20.0},
        {"SK_ID_CURR": 2, "SK_ID_BUREAU": 20, "CREDIT_ACTIVE": "Bad debt", "CREDIT_TYPE": "Microloan",
         "DAYS_CREDIT": -50, "AMT_CREDIT_SUM": 0.0, "AMT_CREDIT_SUM_DEBT": 10.0},
    ])
    out = run(bureau_features, bureau=bureau)
    assert sorted(out.index) == [1, 2] and out.index.name == "SK_ID_CURR"
    assert list(out.columns) == [n for n, _ in BUREAU_ALL_AGGS]
    assert (out.dtypes == np.float32).all()
    check(out.loc[1], {
        "BURO_COUNT": 3, "BURO_ACTIVE_COUNT": 2, "BURO_ACTIVE_SHARE": 2 / 3, "BURO_BAD_DEBT_COUNT": 0,
        "BURO_DAYS_CREDIT_MEAN": -300, "BURO_DAYS_CREDIT_MAX": -100, "BURO_DAYS_CREDIT_MIN": -500,
        "BURO_DAYS_CREDIT_ENDDATE_MEAN": -125, "BURO_DAYS_CREDIT_ENDDATE_MAX": 200,
        "BURO_DAYS_ENDDATE_FACT_MEAN": -400, "BURO_CREDIT_DAY_OVERDUE_MAX": 10, "BURO_OVERDUE_COUNT": 1,
        "BURO_AMT_CREDIT_MAX_OVERDUE_MAX": 40, "BURO_CNT_CREDIT_PROLONG_SUM": 1,
        "BURO_AMT_CREDIT_SUM_SUM": 400, "BURO_AMT_CREDIT_SUM_MEAN": 400 / 3, "BURO_AMT_CREDIT_SUM_MAX": 300,
        "BURO_AMT_CREDIT_SUM_DEBT_SUM": 70, "BURO_AMT_ANNUITY_SUM": 10,
        "BURO_DEBT_CREDIT_RATIO": 70 / 400,
        "BURO_ACTIVE_DEBT_SUM": 70, "BURO_ACTIVE_DEBT_CREDIT_RATIO": 70 / 100,
        "BURO_CREDIT_CARD_SHARE": 1 / 3, "BURO_MORTGAGE_CAR_SHARE": 1 / 3, "BURO_MICROLOAN_SHARE": 0,
        "BURO_AMT_CREDIT_SUM_LIMIT_SUM": NAN,  # never given: sum of nothing is missing, not 0
        # by status: 10 and 12 active, 11 closed (after its planned end: not early)
        "BURO_ACT_DAYS_CREDIT_MEAN": -200, "BURO_ACT_DAYS_CREDIT_ENDDATE_MIN": 200,
        "BURO_ACT_DAYS_CREDIT_ENDDATE_MAX": 200, "BURO_ACT_AMT_CREDIT_SUM_SUM": 100,
        "BURO_ACT_AMT_CREDIT_SUM_DEBT_MEAN": 35, "BURO_ACT_AMT_CREDIT_SUM_OVERDUE_SUM": NAN,
        "BURO_ACT_AMT_ANNUITY_SUM": 10, "BURO_CLS_COUNT": 1, "BURO_CLS_DAYS_CREDIT_MEAN": -500,
        "BURO_CLS_DAYS_ENDDATE_FACT_MAX": -400, "BURO_CLS_AMT_CREDIT_SUM_MEAN": 300,
        "BURO_CLS_AMT_CREDIT_MAX_OVERDUE_MAX": 40, "BURO_CLS_EARLY_SHARE": 0.0,
        # by type: the consumer credit is closed, so no running consumer debt
        "BURO_CONSUMER_COUNT": 1, "BURO_CARD_COUNT": 1, "BURO_TYPE_DISTINCT_COUNT": 3,
        "BURO_CONSUMER_DAYS_CREDIT_MAX": -500, "BURO_CONSUMER_ACT_DEBT_SUM": NAN,
        "BURO_CONSUMER_ACT_DEBT_CREDIT_RATIO": NAN, "BURO_CARD_ACT_DEBT_SUM": 50, "BURO_CARD_ACT_LIMIT_SUM": NAN,
    })
    check(out.loc[2], {
        "BURO_COUNT": 1, "BURO_ACTIVE_SHARE": 0, "BURO_BAD_DEBT_COUNT": 1, "BURO_MICROLOAN_SHARE": 1,
        "BURO_DEBT_CREDIT_RATIO": NAN,  # 10 / 0
        "BURO_ACTIVE_DEBT_SUM": NAN, "BURO_ACTIVE_DEBT_CREDIT_RATIO": NAN,  # no active credit
        "BURO_CLS_COUNT": 0, "BURO_CONSUMER_COUNT": 0, "BURO_CARD_COUNT": 0, "BURO_TYPE_DISTINCT_COUNT": 1,
        "BURO_ACT_DAYS_CREDIT_MEAN": NAN, "BURO_CLS_EARLY_SHARE": NAN,
    })


# --------------------------------------------------------------------------- bureau_balance


def test_bureau_balance_features():
    bureau = table("bureau", [{"SK_ID_CURR": 1, "SK_ID_BUREAU": 10}, {"SK_ID_CURR": 1, "SK_ID_BUREAU": 11},
                              {"SK_ID_CURR": 2, "SK_ID_BUREAU": 20}])
    months = [(10, 0, "0"), (10, -1, "1"), (10, -2, "C"), (10, -13, "3"), (11, 0, "X"), (11, -5, "2"),
              (99, 0, "5")]  # 99: a credit of nobody here
    bb = table("bureau_balance", [{"SK_ID_BUREAU": b, "MONTHS_BALANCE": m, "STATUS": s} for b, m, s in months])
    out = run(bureau_balance_features, bureau=bureau, bureau_balance=bb)
    assert out.index.tolist() == [1]  # client 2 has a credit but no monthly rows
    check(out.loc[1], {
        "BB_MONTHS_COUNT": 6, "BB_MONTHS_BALANCE_MIN": -13,
        "BB_LATE_COUNT": 3, "BB_LATE_SHARE": 0.5,  # statuses 1, 3, 2
        "BB_SEVERE_LATE_COUNT": 2, "BB_STATUS_MAX": 3,  # C and X are not numbers
        "BB_RECENT_LATE_SHARE": 2 / 5,  # months >= -12: 0, 1, C, X, 2
        "BB_CLOSED_SHARE": 1 / 6, "BB_UNKNOWN_SHARE": 1 / 6,
        "BB_ONTIME_SHARE": 1 / 6, "BB_DPD1_COUNT": 1,
        "BB_RECENT6_LATE_COUNT": 2, "BB_RECENT6_LATE_SHARE": 2 / 5,  # months >= -6: 0, 1, C, X, 2
        "BB_RECENT24_LATE_SHARE": 0.5, "BB_RECENT12_STATUS_MAX": 2,
        "BB_LATE_MONTHS_BALANCE_MAX": -1, "BB_LATE_CREDIT_COUNT": 2,
    })


def test_bureau_balance_status_given_as_numbers_matches_text():
    bureau = table("bureau", [{"SK_ID_CURR": 1, "SK_ID_BUREAU": 10}])
    as_text = table("bureau_balance", [{"SK_ID_BUREAU": 10, "MONTHS_BALANCE": -m, "STATUS": s}
                                       for m, s in enumerate(["0", "1", "2"])])
    as_numbers = table("bureau_balance", [{"SK_ID_BUREAU": 10, "MONTHS_BALANCE": -m, "STATUS": s}
                                          for m, s in enumerate([0, 1, 2])])
    expected = run(bureau_balance_features, bureau=bureau, bureau_balance=as_text)
    pd.testing.assert_frame_equal(run(bureau_balance_features, bureau=bureau, bureau_balance=as_numbers), expected)
    assert expected.loc[1, "BB_STATUS_MAX"] == 2


def test_bureau_balance_odd_statuses_and_the_per_credit_step():
    bureau = table("bureau", [{"SK_ID_CURR": 1, "SK_ID_BUREAU": 10}, {"SK_ID_CURR": 1, "SK_ID_BUREAU": 11}])
    bb = table("bureau_balance", [
        {"SK_ID_BUREAU": 10, "MONTHS_BALANCE": 0, "STATUS": "7"},  # not a Kaggle status: a number, not "late"
        {"SK_ID_BUREAU": 10, "MONTHS_BALANCE": None, "STATUS": "1"},  # month unknown: late, but not "recent"
        {"SK_ID_BUREAU": 11, "MONTHS_BALANCE": -20, "STATUS": None},
    ])
    out = run(bureau_balance_features, bureau=bureau, bureau_balance=bb)
    check(out.loc[1], {
        "BB_MONTHS_COUNT": 3, "BB_MONTHS_BALANCE_MIN": -20, "BB_LATE_COUNT": 1, "BB_LATE_SHARE": 1 / 3,
        "BB_SEVERE_LATE_COUNT": 0, "BB_STATUS_MAX": 7, "BB_RECENT_LATE_SHARE": 0.0,
        "BB_CLOSED_SHARE": 0, "BB_UNKNOWN_SHARE": 0,
        "BB_ONTIME_SHARE": 0, "BB_DPD1_COUNT": 1, "BB_RECENT6_LATE_COUNT": 0, "BB_RECENT6_LATE_SHARE": 0.0,
        "BB_RECENT24_LATE_SHARE": 0.0, "BB_RECENT12_STATUS_MAX": 7,
        "BB_LATE_MONTHS_BALANCE_MAX": NAN,  # the only late month has no MONTHS_BALANCE
        "BB_LATE_CREDIT_COUNT": 1,
    })
    # the full build's path: partial counts per credit materialised first, then combined
    con = duckdb.connect()
    con.register("bureau", bureau)
    con.register("bureau_balance", bb)
    con.execute(f"CREATE TABLE credits AS {bureau_balance_per_credit_sql()}")
    pd.testing.assert_frame_equal(bureau_balance_features(con, per_credit="credits"), out)
    con.close()


# --------------------------------------------------------------------------- previous_application


def test_previous_features_and_day_sentinel():
    prev = table("previous_application", [
        {"SK_ID_PREV": 1, "SK_ID_CURR": 1, "NAME_CONTRACT_STATUS": "Approved", "AMT_APPLICATION": 100.0,
         "AMT_CREDIT": 80.0, "DAYS_DECISION": -10, "DAYS_TERMINATION": 365243.0,
         "DAYS_LAST_DUE_1ST_VERSION": -5.0, "NAME_YIELD_GROUP": "high", "CNT_PAYMENT": 12.0},
        {"SK_ID_PREV": 2, "SK_ID_CURR": 1, "NAME_CONTRACT_STATUS": "Refused", "AMT_APPLICATION": 50.0,
         "AMT_CREDIT": 0.0, "DAYS_DECISION": -30, "DAYS_TERMINATION": -20.0,
         "DAYS_LAST_DUE_1ST_VERSION": 365243.0, "NAME_YIELD_GROUP": "low_normal"},
        {"SK_ID_PREV": 3, "SK_ID_CURR": 1, "NAME_CONTRACT_STATUS": "Canceled", "AMT_APPLICATION": 30.0,
         "AMT_CREDIT": 30.0, "DAYS_DECISION": -60, "CNT_PAYMENT": 24.0},
        {"SK_ID_PREV": 4, "SK_ID_CURR": 2, "NAME_CONTRACT_STATUS": "Approved", "AMT_CREDIT": 5.0,
         "DAYS_DECISION": -1, "DAYS_TERMINATION": 365243.0},
    ])
    out = run(previous_features, previous_application=prev)
    check(out.loc[1], {
        "PREV_COUNT": 3, "PREV_APPROVED_SHARE": 1 / 3, "PREV_REFUSED_SHARE": 1 / 3, "PREV_REFUSED_COUNT": 1,
        "PREV_AMT_APPLICATION_MEAN": 60, "PREV_AMT_CREDIT_MEAN": 110 / 3,
        "PREV_APPLICATION_CREDIT_RATIO_MEAN": (100 / 80 + 1) / 2,  # 50 / 0 is skipped
        "PREV_CNT_PAYMENT_MEAN": 18, "PREV_DAYS_DECISION_MAX": -10, "PREV_DAYS_DECISION_MEAN": -100 / 3,
        "PREV_DAYS_LAST_DUE_1ST_VERSION_MAX": -5,  # 365243 -> NULL, not the max
        "PREV_DAYS_TERMINATION_MAX": -20,
        "PREV_HIGH_YIELD_SHARE": 1 / 3, "PREV_APPROVED_AMT_CREDIT_MEAN": 80,
        "PREV_AMT_ANNUITY_MEAN": NAN,
    })
    check(out.loc[2], {"PREV_COUNT": 1, "PREV_DAYS_TERMINATION_MAX": NAN, "PREV_APPROVED_SHARE": 1})


# --------------------------------------------------------------------------- POS_CASH_balance


def test_pos_cash_features():
    pos = table("POS_CASH_balance", [
        {"SK_ID_PREV": 1, "SK_ID_CURR": 1, "MONTHS_BALANCE": -1, "SK_DPD": 0, "SK_DPD_DEF": 0,
         "NAME_CONTRACT_STATUS": "Active", "CNT_INSTALMENT_FUTURE": 5.0},
        {"SK_ID_PREV": 1, "SK_ID_CURR": 1, "MONTHS_BALANCE": -2, "SK_DPD": 10, "SK_DPD_DEF": 2,
         "NAME_CONTRACT_STATUS": "Active", "CNT_INSTALMENT_FUTURE": 6.0},
        {"SK_ID_PREV": 2, "SK_ID_CURR": 1, "MONTHS_BALANCE": -3, "SK_DPD": 0, "SK_DPD_DEF": 0,
         "NAME_CONTRACT_STATUS": "Completed", "CNT_INSTALMENT_FUTURE": 0.0},
    ])
    check(run(pos_cash_features, POS_CASH_balance=pos).loc[1], {
        "POS_MONTHS_COUNT": 3, "POS_MONTHS_BALANCE_MIN": -3, "POS_SK_DPD_MAX": 10, "POS_SK_DPD_MEAN": 10 / 3,
        "POS_SK_DPD_DEF_MAX": 2, "POS_LATE_SHARE": 1 / 3, "POS_COMPLETED_SHARE": 1 / 3,
        "POS_CNT_INSTALMENT_FUTURE_MEAN": 11 / 3,
    })


# --------------------------------------------------------------------------- installments_payments


def test_installments_features():
    inst = table("installments_payments", [
        # paid 5 days late, in full
        {"SK_ID_PREV": 1, "SK_ID_CURR": 1, "NUM_INSTALMENT_NUMBER": 1, "DAYS_INSTALMENT": -100.0,
         "DAYS_ENTRY_PAYMENT": -95.0, "AMT_INSTALMENT": 100.0, "AMT_PAYMENT": 100.0},
        # paid 10 days early, half
        {"SK_ID_PREV": 1, "SK_ID_CURR": 1, "NUM_INSTALMENT_NUMBER": 2, "DAYS_INSTALMENT": -70.0,
         "DAYS_ENTRY_PAYMENT": -80.0, "AMT_INSTALMENT": 100.0, "AMT_PAYMENT": 50.0},
        # no payment recorded, nothing due: no DPD/DBD at all, ratio 0/0 skipped
        {"SK_ID_PREV": 1, "SK_ID_CURR": 1, "NUM_INSTALMENT_NUMBER": 3, "DAYS_INSTALMENT": -40.0,
         "AMT_INSTALMENT": 0.0, "AMT_PAYMENT": 0.0},
    ])
    check(run(installments_features, installments_payments=inst).loc[1], {
        "INSTAL_COUNT": 3,
        "INSTAL_DPD_MEAN": 2.5, "INSTAL_DPD_MAX": 5,  # (5 + 0) / 2: the unpaid row is not "on time"
        "INSTAL_DBD_MEAN": 5,  # (0 + 10) / 2
        "INSTAL_LATE_SHARE": 1 / 3,
        "INSTAL_PAYMENT_RATIO_MEAN": 0.75,  # (1 + 0.5) / 2
        "INSTAL_UNDERPAID_SHARE": 1 / 3,
        "INSTAL_PAYMENT_DIFF_SUM": 50, "INSTAL_AMT_PAYMENT_SUM": 150, "INSTAL_AMT_INSTALMENT_MEAN": 200 / 3,
    })


# --------------------------------------------------------------------------- credit_card_balance


def test_credit_card_features():
    cc = table("credit_card_balance", [
        {"SK_ID_PREV": 1, "SK_ID_CURR": 1, "MONTHS_BALANCE": -1, "AMT_BALANCE": 500.0,
         "AMT_CREDIT_LIMIT_ACTUAL": 1000, "AMT_DRAWINGS_CURRENT": 100.0, "AMT_DRAWINGS_ATM_CURRENT": 50.0,
         "CNT_DRAWINGS_CURRENT": 2, "AMT_PAYMENT_CURRENT": 200.0, "AMT_INST_MIN_REGULARITY": 100.0,
         "AMT_TOTAL_RECEIVABLE": 500.0, "CNT_INSTALMENT_MATURE_CUM": 3.0, "SK_DPD": 0},
        {"SK_ID_PREV": 1, "SK_ID_CURR": 1, "MONTHS_BALANCE": -7, "AMT_BALANCE": 1000.0,
         "AMT_CREDIT_LIMIT_ACTUAL": 1000, "AMT_DRAWINGS_CURRENT": 0.0, "CNT_DRAWINGS_CURRENT": 0,
         "AMT_PAYMENT_CURRENT": 50.0, "AMT_INST_MIN_REGULARITY": 0.0, "AMT_TOTAL_RECEIVABLE": 1000.0,
         "CNT_INSTALMENT_MATURE_CUM": 1.0, "SK_DPD": 5},
        {"SK_ID_PREV": 2, "SK_ID_CURR": 1, "MONTHS_BALANCE": -2, "AMT_BALANCE": 100.0,
         "AMT_CREDIT_LIMIT_ACTUAL": 0, "CNT_DRAWINGS_CURRENT": 1, "SK_DPD": 0},
    ])
    check(run(credit_card_features, credit_card_balance=cc).loc[1], {
        "CC_MONTHS_COUNT": 3, "CC_AMT_BALANCE_MEAN": 1600 / 3, "CC_AMT_BALANCE_MAX": 1000,
        "CC_AMT_CREDIT_LIMIT_ACTUAL_MEAN": 2000 / 3,
        "CC_UTILISATION_MEAN": 0.75, "CC_UTILISATION_MAX": 1.0,  # 0.5 and 1.0; limit 0 -> skipped
        "CC_RECENT_UTILISATION_MEAN": 0.5,  # months >= -6: 0.5 and (limit 0)
        "CC_AMT_DRAWINGS_CURRENT_MEAN": 50, "CC_AMT_DRAWINGS_ATM_CURRENT_MEAN": 50,
        "CC_CNT_DRAWINGS_CURRENT_MEAN": 1, "CC_AMT_PAYMENT_CURRENT_MEAN": 125,
        "CC_PAYMENT_MIN_RATIO_MEAN": 2.0,  # 200 / 100; 50 / 0 skipped
        "CC_AMT_TOTAL_RECEIVABLE_MEAN": 750, "CC_CNT_INSTALMENT_MATURE_CUM_MAX": 3,
        "CC_SK_DPD_MAX": 5, "CC_SK_DPD_MEAN": 5 / 3, "CC_LATE_SHARE": 1 / 3,
        # last 3 months: -1 and -2 (limit 0: no utilisation); last 12: all three rows
        "CC_R3_UTILISATION_MEAN": 0.5, "CC_R12_UTILISATION_MEAN": 0.75, "CC_R12_UTILISATION_MAX": 1.0,
        "CC_R3_AMT_BALANCE_MEAN": 300, "CC_R3_PAYMENT_MIN_RATIO_MEAN": 2.0, "CC_R12_PAYMENT_MIN_RATIO_MEAN": 2.0,
        "CC_R12_UNDERPAID_SHARE": 0.0,  # only -1 has a minimum due, and 200 >= 100
        "CC_R3_AMT_DRAWINGS_CURRENT_MEAN": 100, "CC_R12_AMT_DRAWINGS_CURRENT_MEAN": 50,
        "CC_R12_CNT_DRAWINGS_CURRENT_MEAN": 1, "CC_R12_SK_DPD_MAX": 5, "CC_R12_LATE_SHARE": 1 / 3,
    })


# --------------------------------------------------------------------------- empty tables


@pytest.mark.parametrize("name", list(HISTORY_FEATURES))
def test_empty_history_table_gives_the_columns_and_no_rows(name):
    func, aggs, reads = HISTORY_FEATURES[name]
    out = run(func, **{t: table(t, []) for t in reads})
    assert len(out) == 0
    assert list(out.columns) == [n for n, _ in aggs]
    assert (out.dtypes == np.float32).all()


def test_features_from_records_without_history_is_all_nan():
    apps = pd.DataFrame({"SK_ID_CURR": [7, 8], "AMT_CREDIT": [1000.0, 2000.0], "AMT_ANNUITY": [100.0, 100.0]})
    for history in (None, {}, {t: table(t, []) for t in HISTORY_FEATURES}):
        out = features_from_records(apps, history)
        assert list(out.columns) == feature_names()
        assert out.index.tolist() == [7, 8]
        assert out[history_feature_names()].isna().all().all()
        assert (out[history_feature_names()].dtypes == np.float32).all()
        assert out.loc[8, "APP_CREDIT_TERM"] == 20.0


def test_features_from_records_with_part_of_the_history():
    apps = pd.DataFrame({"SK_ID_CURR": [1, 2]})
    bureau = table("bureau", [{"SK_ID_CURR": 1, "SK_ID_BUREAU": 10, "CREDIT_ACTIVE": "Active",
                               "AMT_CREDIT_SUM": 10.0, "AMT_CREDIT_SUM_DEBT": 5.0}])
    out = features_from_records(apps, {"bureau": bureau})
    assert list(out.columns) == feature_names()
    assert out.loc[1, "BURO_COUNT"] == 1 and out.loc[1, "BURO_DEBT_CREDIT_RATIO"] == 0.5
    assert np.isnan(out.loc[2, "BURO_COUNT"])  # no rows for this applicant
    others = [c for c in history_feature_names() if not c.startswith("BURO_")]
    assert out[others].isna().all().all()


def test_features_from_records_keeps_full_precision_for_aggregates():
    # 0.1 + 0.2 computed from float32 inputs would differ from the DOUBLE a CSV read gives
    rows = [{"SK_ID_CURR": 1, "SK_ID_BUREAU": i, "AMT_CREDIT_SUM": v, "AMT_CREDIT_SUM_DEBT": d}
            for i, (v, d) in enumerate([(123456.785, 0.1), (98765.4321, 0.2)])]
    out = features_from_records(pd.DataFrame({"SK_ID_CURR": [1]}), {"bureau": pd.DataFrame(rows)})
    assert out.loc[1, "BURO_AMT_CREDIT_SUM_SUM"] == np.float32(123456.785 + 98765.4321)
    assert out.loc[1, "BURO_DEBT_CREDIT_RATIO"] == np.float32((0.1 + 0.2) / (123456.785 + 98765.4321))


def test_features_from_records_refuses_bad_history():
    apps = pd.DataFrame({"SK_ID_CURR": [1]})
    bb = table("bureau_balance", [{"SK_ID_BUREAU": 1, "MONTHS_BALANCE": 0, "STATUS": "0"}])
    with pytest.raises(DataError, match="bureau"):
        features_from_records(apps, {"bureau_balance": bb})
    with pytest.raises(DataError, match="unknown history"):
        features_from_records(apps, {"bureau_history": bb})
    bad = pd.DataFrame([{"SK_ID_CURR": 1, "SK_ID_BUREAU": 1, "AMT_CREDIT_SUM": "1,5"}])
    with pytest.raises(DataError) as info:
        features_from_records(apps, {"bureau": bad})
    assert info.value.file == "bureau" and info.value.column == "AMT_CREDIT_SUM"
    with pytest.raises(DataError) as info:
        features_from_records(apps, {"bureau": pd.DataFrame([{"SK_ID_CURR": 1, "AMT_CREDIT_SUM": 1.0}])})
    assert info.value.file == "bureau" and info.value.column == "SK_ID_BUREAU"
    with pytest.raises(DataError) as info:
        features_from_records(apps, {"bureau": pd.DataFrame([{"SK_ID_CURR": None, "SK_ID_BUREAU": 1}])})
    assert info.value.file == "bureau" and info.value.column == "SK_ID_CURR"


def test_history_rows_with_only_some_fields():
    # absent fields count as missing, unknown ones are ignored, as for a CSV's extra columns
    rows = pd.DataFrame([{"SK_ID_CURR": 1, "SK_ID_BUREAU": 3, "CREDIT_ACTIVE": "Active", "NOTE": "x"}])
    out = features_from_records(pd.DataFrame({"SK_ID_CURR": [1]}), {"bureau": rows})
    check(out.loc[1], {"BURO_COUNT": 1, "BURO_ACTIVE_SHARE": 1, "BURO_AMT_CREDIT_SUM_SUM": NAN})


def test_to_frame_refuses_coercions():
    kinds = {"SK_ID_CURR": "id", "TARGET": "target", "AMT": "float"}
    with pytest.raises(DataError) as info:
        to_frame(pd.DataFrame({"SK_ID_CURR": [1], "AMT": ["12abc"]}), kinds)
    assert info.value.column == "AMT"
    with pytest.raises(DataError) as info:
        to_frame(pd.DataFrame({"SK_ID_CURR": [1.5]}), kinds)
    assert info.value.column == "SK_ID_CURR"
    with pytest.raises(DataError) as info:
        to_frame(pd.DataFrame({"SK_ID_CURR": [1], "TARGET": [0.6]}), kinds)
    assert info.value.column == "TARGET"
    ok = to_frame(pd.DataFrame({"SK_ID_CURR": [1.0], "TARGET": [1], "AMT": ["2.5"]}), kinds)
    assert ok.dtypes.tolist() == [np.int64, np.int8, np.float32] and ok["AMT"].iloc[0] == 2.5


# --------------------------------------------------------------------------- model input


def test_model_input_types():
    frame = features_from_records(pd.DataFrame({"SK_ID_CURR": [1, 2], "CODE_GENDER": ["F", None],
                                                "AMT_CREDIT": [1.0, 2.0]}))
    cats = categorical_features()
    out = model_input(frame, feature_names(), cats)
    assert list(out.columns) == feature_names()
    assert out["CODE_GENDER"].tolist() == ["F", MISSING_CATEGORY]
    assert out["NAME_CONTRACT_TYPE"].tolist() == [MISSING_CATEGORY] * 2
    numeric = [c for c in feature_names() if c not in cats]
    assert (out[numeric].dtypes == np.float32).all()
    assert len(set(feature_names())) == len(feature_names())
