"""The typed loader (scoring.data) on tiny hand-written CSV files.

Every file is written from the schema's own header (Kaggle order), so the
tests break if the schema and the loader disagree. Each bad input must raise
a DataError that names the file and, where there is one, the column.
"""

from __future__ import annotations

import csv
import gzip
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring import schema
from scoring.data import (
    DataError,
    DataReport,
    check_header,
    connect,
    count_orphans,
    csv_relation_sql,
    load_into,
    locate,
    read_applications,
)
from scoring.features import build_features

# --------------------------------------------------------------------------- helpers

APP = {
    "NAME_CONTRACT_TYPE": "Cash loans", "CODE_GENDER": "F", "FLAG_OWN_CAR": "N", "FLAG_OWN_REALTY": "Y",
    "CNT_CHILDREN": "0", "AMT_INCOME_TOTAL": "100000.0", "AMT_CREDIT": "200000.0", "AMT_ANNUITY": "10000.0",
    "AMT_GOODS_PRICE": "180000.0", "NAME_INCOME_TYPE": "Working", "DAYS_BIRTH": "-14610",
    "DAYS_EMPLOYED": "-2922", "CNT_FAM_MEMBERS": "2.0", "EXT_SOURCE_2": "0.5", "FLAG_DOCUMENT_3": "1",
}


def app_rows(ids, target=True, **override):
    rows = []
    for i, sk in enumerate(ids):
        row = {"SK_ID_CURR": str(sk), **APP, **override}
        if target:
            row.setdefault("TARGET", str(i % 2))
        rows.append(row)
    return rows


def write_table(root: Path, table: str, rows: list[dict], columns: list[str] | None = None, gz: bool = False):
    """``table`` as CSV with the schema header (or ``columns``); absent fields are empty."""
    columns = columns or schema.columns(table)
    path = root / f"{table}.csv{'.gz' if gz else ''}"
    opener = gzip.open if gz else open
    with opener(path, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def write_dataset(root: Path, **tables: list[dict]) -> Path:
    """A complete data directory: given tables as rows, the others valid or header-only."""
    defaults = {
        "application_train": app_rows([100001, 100002, 100003]),
        "application_test": app_rows([200001], target=False),
        "bureau": [
            {"SK_ID_CURR": "100001", "SK_ID_BUREAU": "5000001", "CREDIT_ACTIVE": "Active",
             "AMT_CREDIT_SUM": "1000.0", "AMT_CREDIT_SUM_DEBT": "250.0", "DAYS_CREDIT": "-100"},
            {"SK_ID_CURR": "100001", "SK_ID_BUREAU": "5000002", "CREDIT_ACTIVE": "Closed",
             "AMT_CREDIT_SUM": "3000.0", "AMT_CREDIT_SUM_DEBT": "0.0", "DAYS_CREDIT": "-900"},
        ],
        "bureau_balance": [
            {"SK_ID_BUREAU": "5000001", "MONTHS_BALANCE": "0", "STATUS": "0"},
            {"SK_ID_BUREAU": "5000001", "MONTHS_BALANCE": "-1", "STATUS": "1"},
        ],
    }
    root.mkdir(parents=True, exist_ok=True)
    for table in schema.TABLE_NAMES:
        rows = tables.get(table, defaults.get(table, []))
        if rows is not None:
            write_table(root, table, rows)
    return root


def load_apps(root: Path) -> tuple[pd.DataFrame, DataReport]:
    report = DataReport()
    con = connect(memory_limit="512MB", threads=1)
    try:
        return read_applications(con, locate(root), report), report
    finally:
        con.close()


def load_table(root: Path, table: str) -> tuple[int, DataReport]:
    report = DataReport()
    con = connect(memory_limit="512MB", threads=1)
    try:
        return load_into(con, locate(root), table, report), report
    finally:
        con.close()


def assert_names(error: DataError, file: str, column: str | None):
    assert error.file == file
    assert file in str(error)
    assert error.column == column
    if column:
        assert column in str(error)


# --------------------------------------------------------------------------- valid input


def test_tiny_dataset_loads_with_schema_types(tmp_path):
    root = write_dataset(tmp_path)
    apps, report = load_apps(root)
    assert report.rows == {"application_train": 3, "application_test": 1}
    assert apps["SK_ID_CURR"].tolist() == [100001, 100002, 100003, 200001]
    assert apps["SK_ID_CURR"].dtype == np.int64
    assert apps["TARGET"].dtype == np.int8
    assert apps["TARGET"].tolist() == [0, 1, 0, -1]  # -1 = unlabelled (application_test)
    assert apps["AMT_CREDIT"].dtype == np.float32
    assert apps["DAYS_BIRTH"].dtype == np.float32  # int measures are float32 too (NaN-able)
    assert isinstance(apps["CODE_GENDER"].dtype, pd.CategoricalDtype)
    assert apps["AMT_CREDIT"].iloc[0] == np.float32(200000.0)
    assert np.isnan(apps["EXT_SOURCE_1"]).all()  # empty field = missing


def test_applicant_order_is_deterministic(tmp_path):
    # a parallel read returns chunks in thread order: rows are put in SK_ID_CURR order, train first
    root = write_dataset(tmp_path, application_train=app_rows([100003, 100001, 100002]),
                         application_test=app_rows([200002, 100000], target=False))
    apps, _ = load_apps(root)
    assert apps["SK_ID_CURR"].tolist() == [100001, 100002, 100003, 100000, 200002]
    assert apps["TARGET"].tolist() == [1, 0, 0, -1, -1]  # labels travel with their rows


def test_build_features_on_tiny_dataset(tmp_path):
    fs = build_features(write_dataset(tmp_path), memory_limit="512MB")
    assert fs.frame.index.tolist() == [100001, 100002, 100003, 200001]
    assert fs.report.rows["bureau"] == 2 and fs.report.rows["bureau_balance"] == 2
    assert fs.report.orphans == {t: 0 for t in schema.PARENT_KEY}
    assert fs.report.warnings() == []
    row = fs.frame.loc[100001]
    assert row["BURO_COUNT"] == 2
    assert row["BURO_DEBT_CREDIT_RATIO"] == pytest.approx(250 / 4000)
    assert row["BB_LATE_SHARE"] == pytest.approx(0.5)
    assert np.isnan(fs.frame.loc[100002, "BURO_COUNT"])  # no bureau rows = no history
    assert fs.frame.loc[:, "PREV_COUNT"].isna().all()  # header-only table
    assert fs.target.tolist() == [0, 1, 0, -1]
    assert fs.labelled.tolist() == [True, True, True, False]


def test_gzipped_files_are_found_and_read(tmp_path):
    root = write_dataset(tmp_path)
    (root / "bureau.csv").unlink()
    write_table(root, "bureau", [{"SK_ID_CURR": "100001", "SK_ID_BUREAU": "7", "CREDIT_ACTIVE": "Active"}], gz=True)
    source = locate(root)
    assert source.files["bureau"].name == "bureau.csv.gz"
    assert load_table(root, "bureau")[0] == 1


def test_header_only_test_table_is_fine(tmp_path):
    root = write_dataset(tmp_path, application_test=[])
    apps, report = load_apps(root)
    assert report.rows["application_test"] == 0
    assert len(apps) == 3 and (apps["TARGET"] >= 0).all()


def test_extra_unknown_columns_are_reported_and_ignored(tmp_path):
    plain = build_features(write_dataset(tmp_path / "plain"), memory_limit="512MB").frame
    root = write_dataset(tmp_path / "extra")
    rows = [{**r, "MY_NOTE": "anything, even text"} for r in app_rows([100001, 100002, 100003])]
    write_table(root, "application_train", rows, columns=["MY_NOTE"] + schema.columns("application_train"))
    fs = build_features(root, memory_limit="512MB")
    assert fs.report.extra_columns == {"application_train": ["MY_NOTE"]}
    assert any("MY_NOTE" in w for w in fs.report.warnings())
    assert "MY_NOTE" not in fs.frame.columns and "MY_NOTE" not in fs.applications.columns
    pd.testing.assert_frame_equal(fs.frame, plain)


def test_columns_in_another_order_are_read_by_name(tmp_path):
    root = write_dataset(tmp_path)
    write_table(root, "bureau", [{"SK_ID_CURR": "100001", "SK_ID_BUREAU": "9", "AMT_CREDIT_SUM": "12.5"}],
                columns=list(reversed(schema.columns("bureau"))))
    con = connect(memory_limit="512MB", threads=1)
    load_into(con, locate(root), "bureau")
    row = con.sql("SELECT SK_ID_CURR, SK_ID_BUREAU, AMT_CREDIT_SUM FROM bureau").fetchall()
    assert row == [(100001, 9, 12.5)]
    assert [c[0] for c in con.sql("SELECT * FROM bureau").description] == schema.columns("bureau")
    con.close()


def test_csv_relation_sql_types_keys_as_bigint(tmp_path):
    path = write_table(tmp_path, "bureau_balance", [{"SK_ID_BUREAU": "5", "MONTHS_BALANCE": "-3", "STATUS": "C"}])
    con = connect(memory_limit="512MB", threads=1)
    rel = con.sql(f"SELECT * FROM {csv_relation_sql('bureau_balance', path)}")
    assert rel.types[0] == "BIGINT" and rel.types[1] == "DOUBLE" and rel.types[2] == "VARCHAR"
    assert rel.fetchall() == [(5, -3.0, "C")]
    con.close()


# --------------------------------------------------------------------------- missing file / column


@pytest.mark.parametrize("table", ["application_train", "bureau_balance", "installments_payments"])
def test_missing_required_file_names_the_file(tmp_path, table):
    root = write_dataset(tmp_path, **{table: None})
    with pytest.raises(DataError) as info:
        locate(root)
    assert info.value.file == f"{table}.csv"
    assert f"{table}.csv" in str(info.value) and "missing" in str(info.value)


def test_missing_data_directory(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        locate(tmp_path / "nowhere")


@pytest.mark.parametrize(("table", "column"), [
    ("application_train", "AMT_CREDIT"),
    ("application_train", "TARGET"),
    ("bureau", "SK_ID_BUREAU"),
    ("credit_card_balance", "AMT_BALANCE"),
])
def test_missing_column_names_file_and_column(tmp_path, table, column):
    root = write_dataset(tmp_path)
    write_table(root, table, [], columns=[c for c in schema.columns(table) if c != column])
    with pytest.raises(DataError) as info:
        check_header(table, locate(root).files[table])
    assert_names(info.value, f"{table}.csv", column)
    with pytest.raises(DataError) as info:
        load_table(root, table)
    assert_names(info.value, f"{table}.csv", column)


def test_build_features_passes_loader_errors_through(tmp_path):
    root = write_dataset(tmp_path)
    write_table(root, "credit_card_balance", [], columns=schema.columns("credit_card_balance")[:-1])
    with pytest.raises(DataError) as info:
        build_features(root, memory_limit="512MB")
    assert_names(info.value, "credit_card_balance.csv", "SK_DPD_DEF")


def test_empty_file_without_header(tmp_path):
    root = write_dataset(tmp_path)
    (root / "POS_CASH_balance.csv").write_text("")
    with pytest.raises(DataError) as info:
        check_header("POS_CASH_balance", root / "POS_CASH_balance.csv")
    assert_names(info.value, "POS_CASH_balance.csv", None)
    assert "empty" in str(info.value)


def test_column_given_twice(tmp_path):
    root = write_dataset(tmp_path)
    write_table(root, "bureau", [], columns=schema.columns("bureau") + ["AMT_ANNUITY"])
    with pytest.raises(DataError) as info:
        load_table(root, "bureau")
    assert_names(info.value, "bureau.csv", "AMT_ANNUITY")


# --------------------------------------------------------------------------- bad values: nothing coerced


@pytest.mark.parametrize("value", ["abc", "1,5", "12abc", "1 000", "0x10", "NaN", "inf", "-Infinity"])
def test_bad_number_in_application_float_column(tmp_path, value):
    rows = app_rows([100001, 100002])
    rows[1]["AMT_CREDIT"] = value
    root = write_dataset(tmp_path, application_train=rows)
    with pytest.raises(DataError) as info:
        load_apps(root)
    assert_names(info.value, "application_train.csv", "AMT_CREDIT")
    assert value in str(info.value) or "not a finite number" in str(info.value)


@pytest.mark.parametrize(("table", "column", "value"), [
    ("bureau", "AMT_CREDIT_SUM", "abc"),
    ("bureau", "DAYS_CREDIT", "1,5"),
    ("bureau_balance", "MONTHS_BALANCE", "12abc"),
    ("credit_card_balance", "AMT_BALANCE", "nan"),
    ("installments_payments", "AMT_PAYMENT", "inf"),
])
def test_bad_number_in_history_table(tmp_path, table, column, value):
    key = {"bureau_balance": {"SK_ID_BUREAU": "5000001"}}.get(table, {"SK_ID_CURR": "100001"})
    ids = {"SK_ID_BUREAU": "5000009", "SK_ID_PREV": "1"}
    row = {**{c: v for c, v in ids.items() if c in schema.columns(table)}, **key, column: value}
    root = write_dataset(tmp_path, **{table: [row]})
    with pytest.raises(DataError) as info:
        load_table(root, table)
    assert_names(info.value, f"{table}.csv", column)


@pytest.mark.parametrize(("column", "value"), [
    ("CNT_CHILDREN", "1.5"),  # int measure with a fraction is not rounded
    ("DAYS_BIRTH", "-100.25"),
    ("SK_ID_CURR", "100002.5"),  # DuckDB alone would round this key to 100003
    ("SK_ID_CURR", ""),  # keys are never missing
    ("TARGET", "0.6"),  # DuckDB alone would round this label to 1
    ("TARGET", "2"),
    ("TARGET", "-1"),
    ("TARGET", ""),
])
def test_integer_columns_are_not_rounded_or_guessed(tmp_path, column, value):
    rows = app_rows([100001, 100002])
    rows[1][column] = value
    root = write_dataset(tmp_path, application_train=rows)
    with pytest.raises(DataError) as info:
        load_apps(root)
    assert_names(info.value, "application_train.csv", column)


def test_missing_key_in_child_table_is_an_error(tmp_path):
    root = write_dataset(tmp_path, bureau=[{"SK_ID_CURR": "", "SK_ID_BUREAU": "1"}])
    with pytest.raises(DataError) as info:
        load_table(root, "bureau")
    assert_names(info.value, "bureau.csv", "SK_ID_CURR")


def test_text_error_reports_the_line(tmp_path):
    rows = app_rows([100001, 100002, 100003])
    rows[2]["AMT_ANNUITY"] = "n/a"
    root = write_dataset(tmp_path, application_train=rows)
    with pytest.raises(DataError) as info:
        load_apps(root)
    assert_names(info.value, "application_train.csv", "AMT_ANNUITY")
    assert "line 4" in str(info.value)  # header is line 1
    assert "'n/a'" in str(info.value)


def test_valid_number_spellings_are_accepted(tmp_path):
    rows = app_rows([100001, 100002, 100003])
    rows[0]["AMT_CREDIT"], rows[1]["AMT_CREDIT"], rows[2]["AMT_CREDIT"] = "1e5", "-0.5", "7"
    rows[0]["CNT_CHILDREN"] = "2.0"  # integral value written with a decimal point
    apps, _ = load_apps(write_dataset(tmp_path, application_train=rows))
    assert apps["AMT_CREDIT"].tolist()[:3] == [100000.0, -0.5, 7.0]
    assert apps["CNT_CHILDREN"].iloc[0] == 2.0


# --------------------------------------------------------------------------- keys


def test_duplicate_id_in_application_train(tmp_path):
    root = write_dataset(tmp_path, application_train=app_rows([100001, 100002, 100001]))
    with pytest.raises(DataError) as info:
        load_apps(root)
    assert_names(info.value, "application_train.csv", "SK_ID_CURR")
    assert "100001" in str(info.value)


def test_duplicate_id_in_application_test(tmp_path):
    root = write_dataset(tmp_path, application_test=app_rows([200001, 200001], target=False))
    with pytest.raises(DataError) as info:
        load_apps(root)
    assert_names(info.value, "application_test.csv", "SK_ID_CURR")


def test_id_in_both_train_and_test(tmp_path):
    root = write_dataset(tmp_path, application_test=app_rows([200001, 100002], target=False))
    with pytest.raises(DataError) as info:
        load_apps(root)
    assert_names(info.value, "application_test.csv", "SK_ID_CURR")
    assert "100002" in str(info.value)


def test_no_applicants_at_all(tmp_path):
    root = write_dataset(tmp_path, application_train=[], application_test=[])
    with pytest.raises(DataError) as info:
        load_apps(root)
    assert info.value.file == "application_train.csv"


ORPHANS = {  # table -> (rows with 1, 2, 1 and 1 orphans, key)
    "bureau": ([{"SK_ID_CURR": "100001", "SK_ID_BUREAU": "5000001", "CREDIT_ACTIVE": "Active"},
                {"SK_ID_CURR": "999999", "SK_ID_BUREAU": "6000001", "CREDIT_ACTIVE": "Active"}], "SK_ID_CURR"),
    "bureau_balance": ([{"SK_ID_BUREAU": "5000001", "MONTHS_BALANCE": "0", "STATUS": "0"},
                        {"SK_ID_BUREAU": "7777777", "MONTHS_BALANCE": "0", "STATUS": "1"},
                        {"SK_ID_BUREAU": "7777777", "MONTHS_BALANCE": "-1", "STATUS": "1"}], "SK_ID_BUREAU"),
    "previous_application": ([{"SK_ID_PREV": "1", "SK_ID_CURR": "999999"}], "SK_ID_CURR"),
    "credit_card_balance": ([{"SK_ID_PREV": "1", "SK_ID_CURR": "100001", "MONTHS_BALANCE": "-1"},
                             {"SK_ID_PREV": "2", "SK_ID_CURR": "999999", "MONTHS_BALANCE": "-1"}], "SK_ID_CURR"),
}
ORPHAN_COUNTS = {"bureau": 1, "bureau_balance": 2, "previous_application": 1, "credit_card_balance": 1}


def test_orphan_child_rows_are_reported_and_warned(tmp_path, caplog):
    root = write_dataset(tmp_path, **{t: rows for t, (rows, _) in ORPHANS.items()})
    with caplog.at_level(logging.WARNING):
        fs = build_features(root, memory_limit="512MB")
    assert fs.report.orphans == {**dict.fromkeys(schema.PARENT_KEY, 0), **ORPHAN_COUNTS}
    for table, (_, key) in ORPHANS.items():
        expected = ORPHAN_COUNTS[table]
        assert any(w.startswith(table) and f"{expected} rows" in w for w in fs.report.warnings())
        warned = [r.getMessage() for r in caplog.records
                  if r.levelno == logging.WARNING and r.getMessage().startswith(f"{table}.csv")]
        assert len(warned) == 1 and key in warned[0] and f"{expected:,} rows" in warned[0]
    # orphans never become applicants, and are not silently dropped from the count either
    assert 999999 not in fs.frame.index
    assert fs.report.rows["bureau_balance"] == 3
    assert fs.frame.loc[100001, "BB_MONTHS_COUNT"] == 1  # only the row of a known credit
    assert fs.frame.loc[100001, "CC_MONTHS_COUNT"] == 1


@pytest.mark.parametrize("table", ["bureau", "bureau_balance"])
def test_orphans_raise_when_strict(tmp_path, table):
    rows, key = ORPHANS[table]
    root = write_dataset(tmp_path, **{table: rows})
    with pytest.raises(DataError) as info:
        build_features(root, strict=True, memory_limit="512MB")
    assert_names(info.value, f"{table}.csv", key)
    assert f"{ORPHAN_COUNTS[table]} rows" in str(info.value)


def test_count_orphans_directly():
    con = connect(memory_limit="256MB", threads=1)
    con.execute("CREATE TABLE parent AS SELECT * FROM (VALUES (1), (2)) t(k)")
    con.execute("CREATE TABLE child AS SELECT * FROM (VALUES (1), (1), (3), (4)) t(SK_ID_CURR)")
    assert count_orphans(con, "child", "parent", "SK_ID_CURR") == 2
    con.close()
