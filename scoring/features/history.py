"""Per-client aggregates of the six history tables, in DuckDB SQL.

One function per table. Each takes a DuckDB connection on which the table(s)
exist under their Kaggle names (views or temp tables over the full files during
training, or small registered frames when the service scores a new applicant)
and returns one row per SK_ID_CURR, columns prefixed BURO_, BB_, PREV_, POS_,
INSTAL_ or CC_, as float32. The feature names are static (module constants),
so an empty table yields the same columns with no rows.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

Aggs = tuple[tuple[str, str], ...]

BUREAU_AGGS: Aggs = (
    ("BURO_COUNT", "count(*)"),
    ("BURO_ACTIVE_COUNT", "sum(CASE WHEN CREDIT_ACTIVE = 'Active' THEN 1 ELSE 0 END)"),
    ("BURO_ACTIVE_SHARE", "avg(CASE WHEN CREDIT_ACTIVE = 'Active' THEN 1.0 ELSE 0.0 END)"),
    ("BURO_BAD_DEBT_COUNT", "sum(CASE WHEN CREDIT_ACTIVE = 'Bad debt' THEN 1 ELSE 0 END)"),
    ("BURO_DAYS_CREDIT_MEAN", "avg(DAYS_CREDIT)"),
    ("BURO_DAYS_CREDIT_MAX", "max(DAYS_CREDIT)"),
    ("BURO_DAYS_CREDIT_MIN", "min(DAYS_CREDIT)"),
    ("BURO_DAYS_CREDIT_ENDDATE_MEAN", "avg(DAYS_CREDIT_ENDDATE)"),
    ("BURO_DAYS_CREDIT_ENDDATE_MAX", "max(DAYS_CREDIT_ENDDATE)"),
    ("BURO_DAYS_ENDDATE_FACT_MEAN", "avg(DAYS_ENDDATE_FACT)"),
    ("BURO_DAYS_CREDIT_UPDATE_MEAN", "avg(DAYS_CREDIT_UPDATE)"),
    ("BURO_CREDIT_DAY_OVERDUE_MAX", "max(CREDIT_DAY_OVERDUE)"),
    ("BURO_OVERDUE_COUNT", "sum(CASE WHEN CREDIT_DAY_OVERDUE > 0 THEN 1 ELSE 0 END)"),
    ("BURO_AMT_CREDIT_MAX_OVERDUE_MAX", "max(AMT_CREDIT_MAX_OVERDUE)"),
    ("BURO_CNT_CREDIT_PROLONG_SUM", "sum(CNT_CREDIT_PROLONG)"),
    ("BURO_AMT_CREDIT_SUM_SUM", "sum(AMT_CREDIT_SUM)"),
    ("BURO_AMT_CREDIT_SUM_MEAN", "avg(AMT_CREDIT_SUM)"),
    ("BURO_AMT_CREDIT_SUM_MAX", "max(AMT_CREDIT_SUM)"),
    ("BURO_AMT_CREDIT_SUM_DEBT_SUM", "sum(AMT_CREDIT_SUM_DEBT)"),
    ("BURO_AMT_CREDIT_SUM_DEBT_MEAN", "avg(AMT_CREDIT_SUM_DEBT)"),
    ("BURO_AMT_CREDIT_SUM_OVERDUE_SUM", "sum(AMT_CREDIT_SUM_OVERDUE)"),
    ("BURO_AMT_CREDIT_SUM_LIMIT_SUM", "sum(AMT_CREDIT_SUM_LIMIT)"),
    ("BURO_AMT_ANNUITY_SUM", "sum(AMT_ANNUITY)"),
    ("BURO_DEBT_CREDIT_RATIO", "sum(AMT_CREDIT_SUM_DEBT) / NULLIF(sum(AMT_CREDIT_SUM), 0)"),
    ("BURO_ACTIVE_DEBT_SUM", "sum(CASE WHEN CREDIT_ACTIVE = 'Active' THEN AMT_CREDIT_SUM_DEBT END)"),
    ("BURO_ACTIVE_DEBT_CREDIT_RATIO",
     "sum(CASE WHEN CREDIT_ACTIVE = 'Active' THEN AMT_CREDIT_SUM_DEBT END)"
     " / NULLIF(sum(CASE WHEN CREDIT_ACTIVE = 'Active' THEN AMT_CREDIT_SUM END), 0)"),
    ("BURO_CREDIT_CARD_SHARE", "avg(CASE WHEN CREDIT_TYPE = 'Credit card' THEN 1.0 ELSE 0.0 END)"),
    ("BURO_MORTGAGE_CAR_SHARE",
     "avg(CASE WHEN CREDIT_TYPE IN ('Mortgage', 'Car loan') THEN 1.0 ELSE 0.0 END)"),
    ("BURO_MICROLOAN_SHARE", "avg(CASE WHEN CREDIT_TYPE = 'Microloan' THEN 1.0 ELSE 0.0 END)"),
)

_ACTIVE = "CREDIT_ACTIVE = 'Active'"
_CLOSED = "CREDIT_ACTIVE = 'Closed'"
_CONSUMER = "CREDIT_TYPE = 'Consumer credit'"
_CARD = "CREDIT_TYPE = 'Credit card'"


def _when(condition: str, expr: str) -> str:
    return f"CASE WHEN {condition} THEN {expr} END"


_CLOSED_DATED = f"{_CLOSED} AND DAYS_ENDDATE_FACT IS NOT NULL AND DAYS_CREDIT_ENDDATE IS NOT NULL"
_EARLY = "CASE WHEN DAYS_ENDDATE_FACT < DAYS_CREDIT_ENDDATE THEN 1.0 ELSE 0.0 END"

#: Bureau credits split by status: what is still running vs what was repaid (and how).
BUREAU_STATUS_AGGS: Aggs = (
    ("BURO_ACT_DAYS_CREDIT_MEAN", f"avg({_when(_ACTIVE, 'DAYS_CREDIT')})"),
    ("BURO_ACT_DAYS_CREDIT_ENDDATE_MIN", f"min({_when(_ACTIVE, 'DAYS_CREDIT_ENDDATE')})"),
    ("BURO_ACT_DAYS_CREDIT_ENDDATE_MAX", f"max({_when(_ACTIVE, 'DAYS_CREDIT_ENDDATE')})"),
    ("BURO_ACT_AMT_CREDIT_SUM_SUM", f"sum({_when(_ACTIVE, 'AMT_CREDIT_SUM')})"),
    ("BURO_ACT_AMT_CREDIT_SUM_DEBT_MEAN", f"avg({_when(_ACTIVE, 'AMT_CREDIT_SUM_DEBT')})"),
    ("BURO_ACT_AMT_CREDIT_SUM_OVERDUE_SUM", f"sum({_when(_ACTIVE, 'AMT_CREDIT_SUM_OVERDUE')})"),
    ("BURO_ACT_AMT_ANNUITY_SUM", f"sum({_when(_ACTIVE, 'AMT_ANNUITY')})"),
    ("BURO_ACT_DAYS_CREDIT_UPDATE_MEAN", f"avg({_when(_ACTIVE, 'DAYS_CREDIT_UPDATE')})"),
    ("BURO_CLS_COUNT", f"count({_when(_CLOSED, '1')})"),
    ("BURO_CLS_DAYS_CREDIT_MEAN", f"avg({_when(_CLOSED, 'DAYS_CREDIT')})"),
    ("BURO_CLS_DAYS_ENDDATE_FACT_MAX", f"max({_when(_CLOSED, 'DAYS_ENDDATE_FACT')})"),
    ("BURO_CLS_AMT_CREDIT_SUM_MEAN", f"avg({_when(_CLOSED, 'AMT_CREDIT_SUM')})"),
    ("BURO_CLS_AMT_CREDIT_MAX_OVERDUE_MAX", f"max({_when(_CLOSED, 'AMT_CREDIT_MAX_OVERDUE')})"),
    # closed before the planned end (repaid early) among closed credits with both dates
    ("BURO_CLS_EARLY_SHARE", f"avg({_when(_CLOSED_DATED, _EARLY)})"),
)

#: Bureau credits split by type (consumer loans, credit cards), active ones for the debts.
BUREAU_TYPE_AGGS: Aggs = (
    ("BURO_CONSUMER_COUNT", f"count({_when(_CONSUMER, '1')})"),
    ("BURO_CARD_COUNT", f"count({_when(_CARD, '1')})"),
    ("BURO_TYPE_DISTINCT_COUNT", "count(DISTINCT CREDIT_TYPE)"),
    ("BURO_CONSUMER_DAYS_CREDIT_MAX", f"max({_when(_CONSUMER, 'DAYS_CREDIT')})"),
    ("BURO_CONSUMER_ACT_DEBT_SUM", f"sum({_when(_CONSUMER + ' AND ' + _ACTIVE, 'AMT_CREDIT_SUM_DEBT')})"),
    ("BURO_CONSUMER_ACT_DEBT_CREDIT_RATIO",
     f"sum({_when(_CONSUMER + ' AND ' + _ACTIVE, 'AMT_CREDIT_SUM_DEBT')})"
     f" / NULLIF(sum({_when(_CONSUMER + ' AND ' + _ACTIVE, 'AMT_CREDIT_SUM')}), 0)"),
    ("BURO_CARD_ACT_DEBT_SUM", f"sum({_when(_CARD + ' AND ' + _ACTIVE, 'AMT_CREDIT_SUM_DEBT')})"),
    ("BURO_CARD_ACT_LIMIT_SUM", f"sum({_when(_CARD + ' AND ' + _ACTIVE, 'AMT_CREDIT_SUM_LIMIT')})"),
)

#: A late month of bureau_balance: STATUS '1'..'5' (days-past-due buckets). The
#: partial counts read ``_S``, STATUS '0'..'5' as a number (NULL for 'C', 'X', ...),
#: computed once per row instead of string comparisons in every aggregate.
LATE = "(_S >= 1)"

#: bureau_balance rows with ``_S`` (STATUS '0'..'5' as 0..5, else NULL) and ``_N``
#: (STATUS as an integer: ``_S``, or TRY_CAST for anything outside 0-5/C/X).
_BB_ROWS = (
    "(SELECT *, CASE WHEN _S IS NOT NULL THEN _S WHEN STATUS IN ('C', 'X') THEN NULL "
    "ELSE TRY_CAST(STATUS AS INTEGER) END AS _N FROM (SELECT SK_ID_BUREAU, MONTHS_BALANCE, STATUS, "
    "CASE STATUS WHEN '0' THEN 0 WHEN '1' THEN 1 WHEN '2' THEN 2 WHEN '3' THEN 3 WHEN '4' THEN 4 "
    "WHEN '5' THEN 5 END AS _S FROM \"{table}\"))"
)

#: bureau_balance is aggregated in two steps: exact partial counts per credit
#: (SK_ID_BUREAU; 27 M months -> 1.7 M credits at Kaggle size), then combined per
#: client. Counts, min and max combine exactly, and every share is a ratio of
#: integer counts, so the result is the one-step pooled aggregate over all months.
BB_PER_CREDIT: Aggs = (
    ("_months", "count(*)"),
    ("_min_month", "min(MONTHS_BALANCE)"),
    ("_late", f"count(*) FILTER (WHERE {LATE})"),
    ("_severe", "count(*) FILTER (WHERE _S >= 2)"),
    ("_status_max", "max(_N)"),
    ("_recent", "count(*) FILTER (WHERE MONTHS_BALANCE >= -12)"),
    ("_recent_late", f"count(*) FILTER (WHERE MONTHS_BALANCE >= -12 AND {LATE})"),
    ("_closed", "count(*) FILTER (WHERE STATUS = 'C')"),
    ("_ontime", "count(*) FILTER (WHERE _S = 0)"),
    ("_dpd1", "count(*) FILTER (WHERE _S = 1)"),
    ("_recent6", "count(*) FILTER (WHERE MONTHS_BALANCE >= -6)"),
    ("_recent6_late", f"count(*) FILTER (WHERE MONTHS_BALANCE >= -6 AND {LATE})"),
    ("_recent24", "count(*) FILTER (WHERE MONTHS_BALANCE >= -24)"),
    ("_recent24_late", f"count(*) FILTER (WHERE MONTHS_BALANCE >= -24 AND {LATE})"),
    ("_recent12_status_max", "max(_N) FILTER (WHERE MONTHS_BALANCE >= -12)"),
    ("_last_late_month", f"max(MONTHS_BALANCE) FILTER (WHERE {LATE})"),
    ("_unknown", "count(*) FILTER (WHERE STATUS = 'X')"),
)

BUREAU_BALANCE_AGGS: Aggs = (
    ("BB_MONTHS_COUNT", "sum(_months)"),
    ("BB_MONTHS_BALANCE_MIN", "min(_min_month)"),
    ("BB_LATE_COUNT", "sum(_late)"),
    ("BB_LATE_SHARE", "CAST(sum(_late) AS DOUBLE) / sum(_months)"),
    ("BB_SEVERE_LATE_COUNT", "sum(_severe)"),
    ("BB_STATUS_MAX", "max(_status_max)"),
    ("BB_RECENT_LATE_SHARE", "CAST(sum(_recent_late) AS DOUBLE) / NULLIF(sum(_recent), 0)"),
    ("BB_CLOSED_SHARE", "CAST(sum(_closed) AS DOUBLE) / sum(_months)"),
    ("BB_UNKNOWN_SHARE", "CAST(sum(_unknown) AS DOUBLE) / sum(_months)"),
)

#: Status counts and recent lateness of bureau_balance (same two-step aggregation).
BUREAU_BALANCE_STATUS_AGGS: Aggs = (
    ("BB_ONTIME_SHARE", "CAST(sum(_ontime) AS DOUBLE) / sum(_months)"),
    ("BB_DPD1_COUNT", "sum(_dpd1)"),
    ("BB_RECENT6_LATE_COUNT", "sum(_recent6_late)"),
    ("BB_RECENT6_LATE_SHARE", "CAST(sum(_recent6_late) AS DOUBLE) / NULLIF(sum(_recent6), 0)"),
    ("BB_RECENT24_LATE_SHARE", "CAST(sum(_recent24_late) AS DOUBLE) / NULLIF(sum(_recent24), 0)"),
    ("BB_RECENT12_STATUS_MAX", "max(_recent12_status_max)"),
    ("BB_LATE_MONTHS_BALANCE_MAX", "max(_last_late_month)"),
    ("BB_LATE_CREDIT_COUNT", "count(*) FILTER (WHERE _late > 0)"),
)


def bureau_balance_per_credit_sql(bureau_balance: str = "bureau_balance") -> str:
    """The first step of the BB_* aggregates: one row of partial counts per SK_ID_BUREAU."""
    parts = ", ".join(f'{expr} AS "{name}"' for name, expr in BB_PER_CREDIT)
    return f"SELECT SK_ID_BUREAU, {parts} FROM {_BB_ROWS.format(table=bureau_balance)} GROUP BY SK_ID_BUREAU"


_PREV_DAYS = ("DAYS_FIRST_DRAWING", "DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION", "DAYS_LAST_DUE", "DAYS_TERMINATION")

PREVIOUS_AGGS: Aggs = (
    ("PREV_COUNT", "count(*)"),
    ("PREV_APPROVED_SHARE", "avg(CASE WHEN NAME_CONTRACT_STATUS = 'Approved' THEN 1.0 ELSE 0.0 END)"),
    ("PREV_REFUSED_SHARE", "avg(CASE WHEN NAME_CONTRACT_STATUS = 'Refused' THEN 1.0 ELSE 0.0 END)"),
    ("PREV_REFUSED_COUNT", "sum(CASE WHEN NAME_CONTRACT_STATUS = 'Refused' THEN 1 ELSE 0 END)"),
    ("PREV_AMT_APPLICATION_MEAN", "avg(AMT_APPLICATION)"),
    ("PREV_AMT_CREDIT_MEAN", "avg(AMT_CREDIT)"),
    ("PREV_APPLICATION_CREDIT_RATIO_MEAN", "avg(AMT_APPLICATION / NULLIF(AMT_CREDIT, 0))"),
    ("PREV_AMT_ANNUITY_MEAN", "avg(AMT_ANNUITY)"),
    ("PREV_AMT_DOWN_PAYMENT_MEAN", "avg(AMT_DOWN_PAYMENT)"),
    ("PREV_RATE_DOWN_PAYMENT_MEAN", "avg(RATE_DOWN_PAYMENT)"),
    ("PREV_CNT_PAYMENT_MEAN", "avg(CNT_PAYMENT)"),
    ("PREV_DAYS_DECISION_MAX", "max(DAYS_DECISION)"),
    ("PREV_DAYS_DECISION_MEAN", "avg(DAYS_DECISION)"),
    ("PREV_DAYS_LAST_DUE_1ST_VERSION_MAX", "max(DAYS_LAST_DUE_1ST_VERSION)"),
    ("PREV_DAYS_TERMINATION_MAX", "max(DAYS_TERMINATION)"),
    ("PREV_HIGH_YIELD_SHARE", "avg(CASE WHEN NAME_YIELD_GROUP = 'high' THEN 1.0 ELSE 0.0 END)"),
    ("PREV_APPROVED_AMT_CREDIT_MEAN", "avg(CASE WHEN NAME_CONTRACT_STATUS = 'Approved' THEN AMT_CREDIT END)"),
)

POS_AGGS: Aggs = (
    ("POS_MONTHS_COUNT", "count(*)"),
    ("POS_MONTHS_BALANCE_MIN", "min(MONTHS_BALANCE)"),
    ("POS_SK_DPD_MAX", "max(SK_DPD)"),
    ("POS_SK_DPD_MEAN", "avg(SK_DPD)"),
    ("POS_SK_DPD_DEF_MAX", "max(SK_DPD_DEF)"),
    ("POS_LATE_SHARE", "avg(CASE WHEN SK_DPD > 0 THEN 1.0 ELSE 0.0 END)"),
    ("POS_COMPLETED_SHARE", "avg(CASE WHEN NAME_CONTRACT_STATUS = 'Completed' THEN 1.0 ELSE 0.0 END)"),
    ("POS_CNT_INSTALMENT_FUTURE_MEAN", "avg(CNT_INSTALMENT_FUTURE)"),
)

# Days past due / before due, clipped at 0. An instalment with no recorded payment
# (DAYS_ENTRY_PAYMENT or DAYS_INSTALMENT missing) has neither: NULL, skipped by avg/max. (GREATEST
# ignores NULLs in DuckDB, so GREATEST(NULL, 0) would count it as paid on the day.)
_DPD = "(CASE WHEN DAYS_ENTRY_PAYMENT - DAYS_INSTALMENT IS NOT NULL THEN GREATEST(DAYS_ENTRY_PAYMENT - DAYS_INSTALMENT, 0) END)"
_DBD = "(CASE WHEN DAYS_ENTRY_PAYMENT - DAYS_INSTALMENT IS NOT NULL THEN GREATEST(DAYS_INSTALMENT - DAYS_ENTRY_PAYMENT, 0) END)"

INSTALMENT_AGGS: Aggs = (
    ("INSTAL_COUNT", "count(*)"),
    ("INSTAL_DPD_MEAN", f"avg({_DPD})"),
    ("INSTAL_DPD_MAX", f"max({_DPD})"),
    ("INSTAL_DBD_MEAN", f"avg({_DBD})"),
    ("INSTAL_LATE_SHARE", f"avg(CASE WHEN {_DPD} > 0 THEN 1.0 ELSE 0.0 END)"),
    ("INSTAL_PAYMENT_RATIO_MEAN", "avg(AMT_PAYMENT / NULLIF(AMT_INSTALMENT, 0))"),
    ("INSTAL_UNDERPAID_SHARE", "avg(CASE WHEN AMT_PAYMENT < AMT_INSTALMENT THEN 1.0 ELSE 0.0 END)"),
    ("INSTAL_PAYMENT_DIFF_SUM", "sum(AMT_INSTALMENT - AMT_PAYMENT)"),
    ("INSTAL_AMT_PAYMENT_SUM", "sum(AMT_PAYMENT)"),
    ("INSTAL_AMT_INSTALMENT_MEAN", "avg(AMT_INSTALMENT)"),
)

_UTIL = "AMT_BALANCE / NULLIF(AMT_CREDIT_LIMIT_ACTUAL, 0)"

CREDIT_CARD_AGGS: Aggs = (
    ("CC_MONTHS_COUNT", "count(*)"),
    ("CC_AMT_BALANCE_MEAN", "avg(AMT_BALANCE)"),
    ("CC_AMT_BALANCE_MAX", "max(AMT_BALANCE)"),
    ("CC_AMT_CREDIT_LIMIT_ACTUAL_MEAN", "avg(AMT_CREDIT_LIMIT_ACTUAL)"),
    ("CC_UTILISATION_MEAN", f"avg({_UTIL})"),
    ("CC_UTILISATION_MAX", f"max({_UTIL})"),
    ("CC_RECENT_UTILISATION_MEAN", f"avg(CASE WHEN MONTHS_BALANCE >= -6 THEN {_UTIL} END)"),
    ("CC_AMT_DRAWINGS_CURRENT_MEAN", "avg(AMT_DRAWINGS_CURRENT)"),
    ("CC_AMT_DRAWINGS_ATM_CURRENT_MEAN", "avg(AMT_DRAWINGS_ATM_CURRENT)"),
    ("CC_CNT_DRAWINGS_CURRENT_MEAN", "avg(CNT_DRAWINGS_CURRENT)"),
    ("CC_AMT_PAYMENT_CURRENT_MEAN", "avg(AMT_PAYMENT_CURRENT)"),
    ("CC_PAYMENT_MIN_RATIO_MEAN", "avg(AMT_PAYMENT_CURRENT / NULLIF(AMT_INST_MIN_REGULARITY, 0))"),
    ("CC_AMT_TOTAL_RECEIVABLE_MEAN", "avg(AMT_TOTAL_RECEIVABLE)"),
    ("CC_CNT_INSTALMENT_MATURE_CUM_MAX", "max(CNT_INSTALMENT_MATURE_CUM)"),
    ("CC_SK_DPD_MAX", "max(SK_DPD)"),
    ("CC_SK_DPD_MEAN", "avg(SK_DPD)"),
    ("CC_LATE_SHARE", "avg(CASE WHEN SK_DPD > 0 THEN 1.0 ELSE 0.0 END)"),
)

_R3, _R12 = "MONTHS_BALANCE >= -3", "MONTHS_BALANCE >= -12"
_PAY_MIN = "AMT_PAYMENT_CURRENT / NULLIF(AMT_INST_MIN_REGULARITY, 0)"
_UNDERPAID = "CASE WHEN coalesce(AMT_PAYMENT_CURRENT, 0) < AMT_INST_MIN_REGULARITY THEN 1.0 ELSE 0.0 END"

#: Credit-card behaviour over the last 3 and 12 months (utilisation, payments vs minimum, drawings, lateness).
CREDIT_CARD_RECENT_AGGS: Aggs = (
    ("CC_R3_UTILISATION_MEAN", f"avg({_when(_R3, _UTIL)})"),
    ("CC_R12_UTILISATION_MEAN", f"avg({_when(_R12, _UTIL)})"),
    ("CC_R12_UTILISATION_MAX", f"max({_when(_R12, _UTIL)})"),
    ("CC_R3_AMT_BALANCE_MEAN", f"avg({_when(_R3, 'AMT_BALANCE')})"),
    ("CC_R3_PAYMENT_MIN_RATIO_MEAN", f"avg({_when(_R3, _PAY_MIN)})"),
    ("CC_R12_PAYMENT_MIN_RATIO_MEAN", f"avg({_when(_R12, _PAY_MIN)})"),
    ("CC_R12_UNDERPAID_SHARE", f"avg({_when(_R12 + ' AND AMT_INST_MIN_REGULARITY > 0', _UNDERPAID)})"),
    ("CC_R3_AMT_DRAWINGS_CURRENT_MEAN", f"avg({_when(_R3, 'AMT_DRAWINGS_CURRENT')})"),
    ("CC_R12_AMT_DRAWINGS_CURRENT_MEAN", f"avg({_when(_R12, 'AMT_DRAWINGS_CURRENT')})"),
    ("CC_R12_CNT_DRAWINGS_CURRENT_MEAN", f"avg({_when(_R12, 'CNT_DRAWINGS_CURRENT')})"),
    ("CC_R12_SK_DPD_MAX", f"max({_when(_R12, 'SK_DPD')})"),
    ("CC_R12_LATE_SHARE", f"avg({_when(_R12, 'CASE WHEN SK_DPD > 0 THEN 1.0 ELSE 0.0 END')})"),
)


BUREAU_ALL_AGGS: Aggs = BUREAU_AGGS + BUREAU_STATUS_AGGS + BUREAU_TYPE_AGGS
BUREAU_BALANCE_ALL_AGGS: Aggs = BUREAU_BALANCE_AGGS + BUREAU_BALANCE_STATUS_AGGS
CREDIT_CARD_ALL_AGGS: Aggs = CREDIT_CARD_AGGS + CREDIT_CARD_RECENT_AGGS


def _select(aggs: Aggs) -> str:
    return ", ".join(f'CAST({expr} AS DOUBLE) AS "{name}"' for name, expr in aggs)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, aggs: Aggs) -> pd.DataFrame:
    df = con.sql(sql).to_arrow_table().to_pandas()
    df = df.set_index(df["SK_ID_CURR"].astype(np.int64)).drop(columns="SK_ID_CURR")
    df.index.name = "SK_ID_CURR"
    return df.reindex(columns=[n for n, _ in aggs]).astype(np.float32)


def bureau_features(con: duckdb.DuckDBPyConnection, bureau: str = "bureau") -> pd.DataFrame:
    """BURO_*: credits reported by other institutions."""
    sql = f'SELECT SK_ID_CURR, {_select(BUREAU_ALL_AGGS)} FROM "{bureau}" GROUP BY SK_ID_CURR'
    return _frame(con, sql, BUREAU_ALL_AGGS)


def bureau_balance_features(
    con: duckdb.DuckDBPyConnection, bureau_balance: str = "bureau_balance", bureau: str = "bureau",
    *, per_credit: str | None = None,
) -> pd.DataFrame:
    """BB_*: monthly statuses of bureau credits, pooled per client.

    ``per_credit`` names a table already holding :func:`bureau_balance_per_credit_sql`
    (the full build makes it in the same pass that counts orphan rows);
    otherwise it is computed here from ``bureau_balance``.
    """
    credits = f'"{per_credit}"' if per_credit else f"({bureau_balance_per_credit_sql(bureau_balance)})"
    sql = (
        f"SELECT b.SK_ID_CURR, {_select(BUREAU_BALANCE_ALL_AGGS)} FROM {credits} bb "
        f'JOIN (SELECT DISTINCT SK_ID_CURR, SK_ID_BUREAU FROM "{bureau}") b USING (SK_ID_BUREAU) '
        "GROUP BY b.SK_ID_CURR"
    )
    return _frame(con, sql, BUREAU_BALANCE_ALL_AGGS)


def previous_features(con: duckdb.DuckDBPyConnection, previous: str = "previous_application") -> pd.DataFrame:
    """PREV_*: the client's previous applications at Home Credit (365243 day sentinels = missing)."""
    cleaned = ", ".join(f'NULLIF("{c}", 365243) AS "{c}"' for c in _PREV_DAYS)
    source = f'(SELECT * REPLACE ({cleaned}) FROM "{previous}")'
    sql = f"SELECT SK_ID_CURR, {_select(PREVIOUS_AGGS)} FROM {source} GROUP BY SK_ID_CURR"
    return _frame(con, sql, PREVIOUS_AGGS)


def pos_cash_features(con: duckdb.DuckDBPyConnection, pos: str = "POS_CASH_balance") -> pd.DataFrame:
    """POS_*: monthly balances of previous point-of-sale and cash loans."""
    sql = f'SELECT SK_ID_CURR, {_select(POS_AGGS)} FROM "{pos}" GROUP BY SK_ID_CURR'
    return _frame(con, sql, POS_AGGS)


def installments_features(
    con: duckdb.DuckDBPyConnection, installments: str = "installments_payments"
) -> pd.DataFrame:
    """INSTAL_*: repayment behaviour on previous loans (lateness, under-payment)."""
    sql = f'SELECT SK_ID_CURR, {_select(INSTALMENT_AGGS)} FROM "{installments}" GROUP BY SK_ID_CURR'
    return _frame(con, sql, INSTALMENT_AGGS)


def credit_card_features(con: duckdb.DuckDBPyConnection, cards: str = "credit_card_balance") -> pd.DataFrame:
    """CC_*: monthly credit-card balances (utilisation, drawings, lateness)."""
    sql = f'SELECT SK_ID_CURR, {_select(CREDIT_CARD_ALL_AGGS)} FROM "{cards}" GROUP BY SK_ID_CURR'
    return _frame(con, sql, CREDIT_CARD_ALL_AGGS)


#: table -> (feature function, its aggregate list, tables it reads)
HISTORY_FEATURES = {
    "bureau": (bureau_features, BUREAU_ALL_AGGS, ("bureau",)),
    "bureau_balance": (bureau_balance_features, BUREAU_BALANCE_ALL_AGGS, ("bureau_balance", "bureau")),
    "previous_application": (previous_features, PREVIOUS_AGGS, ("previous_application",)),
    "POS_CASH_balance": (pos_cash_features, POS_AGGS, ("POS_CASH_balance",)),
    "installments_payments": (installments_features, INSTALMENT_AGGS, ("installments_payments",)),
    "credit_card_balance": (credit_card_features, CREDIT_CARD_ALL_AGGS, ("credit_card_balance",)),
}


def history_feature_names() -> list[str]:
    return [name for _, aggs, _ in HISTORY_FEATURES.values() for name, _ in aggs]
