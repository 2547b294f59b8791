"""Tests of the synthetic Home Credit generator (``scoring.synthetic``)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring import schema
from scoring.schema import DAYS_EMPLOYED_SENTINEL, TABLE_NAMES
from scoring.synthetic import MARKER, default_test_clients, ensure_synthetic, generate
from scoring.synthetic.__main__ import main

REPO = Path(__file__).resolve().parents[2]
REAL_DATA = REPO / os.environ.get("HOME_CREDIT_DATA", "../shared/data/home-credit")  # relative: to the repo root
N = 3000
SEED = 7
STATUS_LEVELS = {"0", "1", "2", "3", "4", "5", "C", "X"}


def _read(path: Path, **kwargs) -> pd.DataFrame:
    return pd.read_csv(path, low_memory=False, **kwargs)


def _header(path: Path) -> bytes:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        return f.readline()


def _digests(paths: dict[str, Path]) -> dict[str, str]:
    return {t: hashlib.sha256(p.read_bytes()).hexdigest() for t, p in paths.items()}


def _auc(score: np.ndarray, y: np.ndarray) -> float:
    """Mann-Whitney AUC of ``score`` for the binary label ``y`` (ties get average ranks)."""
    ranks = pd.Series(score).rank().to_numpy()
    pos = y == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("synthetic"), n_clients=N, seed=SEED)


@pytest.fixture(scope="module")
def tables(paths) -> dict[str, pd.DataFrame]:
    return {t: _read(p) for t, p in paths.items()}


def _check_keys(t: dict[str, pd.DataFrame]) -> None:
    train, test = t["application_train"], t["application_test"]
    clients = pd.concat([train.SK_ID_CURR, test.SK_ID_CURR])
    assert clients.is_unique and not set(train.SK_ID_CURR) & set(test.SK_ID_CURR)
    assert clients.min() >= 100002
    assert t["bureau"].SK_ID_BUREAU.is_unique
    assert t["previous_application"].SK_ID_PREV.is_unique
    for table in ("bureau", "previous_application", "POS_CASH_balance", "installments_payments",
                  "credit_card_balance"):
        assert t[table].SK_ID_CURR.isin(clients).all(), table
    assert t["bureau_balance"].SK_ID_BUREAU.isin(t["bureau"].SK_ID_BUREAU).all()
    prev_owner = t["previous_application"].set_index("SK_ID_PREV").SK_ID_CURR
    for table in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        child = t[table]
        assert child.SK_ID_PREV.isin(prev_owner.index).all(), table
        assert (prev_owner.loc[child.SK_ID_PREV].to_numpy() == child.SK_ID_CURR.to_numpy()).all(), table


def test_files_and_headers_follow_the_schema(paths):
    assert set(paths) == set(TABLE_NAMES)
    assert sorted(p.name for p in paths.values()) == sorted(f"{t}.csv.gz" for t in TABLE_NAMES)
    assert not (next(iter(paths.values())).parent / schema.DESCRIPTION_FILE).exists()
    for table, path in paths.items():
        assert _header(path).decode().rstrip("\n").split(",") == schema.columns(table)


@pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"real sample not found at {REAL_DATA}")
def test_headers_identical_to_the_real_sample(paths):
    for table, path in paths.items():
        assert _header(path) == _header(REAL_DATA / f"{table}.csv.gz"), table


def test_number_format_follows_kinds(tmp_path):
    """ints without decimals, floats always with a decimal point, empty = missing."""
    for table, path in generate(tmp_path, n_clients=400, seed=4, compress=False).items():
        text = _read(path, dtype=str, keep_default_na=False)
        for column, kind in schema.TABLES[table]:
            values = text[column]
            if kind in ("id", "target", "int"):
                assert values.str.fullmatch(r"-?\d+").all(), (table, column)
            elif kind == "float":
                filled = values[values != ""]
                assert filled.str.fullmatch(r"-?\d+\.\d+(e[-+]\d+)?").all(), (table, column)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    first = _digests(generate(tmp_path / "a", n_clients=300, seed=1))
    again = _digests(generate(tmp_path / "b", n_clients=300, seed=1))
    other = _digests(generate(tmp_path / "c", n_clients=300, seed=2))
    assert first == again
    assert all(first[t] != other[t] for t in TABLE_NAMES)
    header = (tmp_path / "a" / "bureau.csv.gz").read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0" and not header[3] & 0x08  # gzip: mtime 0, no file name


def test_uncompressed_output_equals_decompressed(tmp_path):
    packed = generate(tmp_path / "gz", n_clients=120, seed=3)
    plain = generate(tmp_path / "csv", n_clients=120, seed=3, compress=False)
    for table in TABLE_NAMES:
        assert plain[table].name == f"{table}.csv"
        assert plain[table].read_bytes() == gzip.decompress(packed[table].read_bytes()), table


def test_target_rate(tables):
    train = tables["application_train"]
    assert len(train) == N
    assert set(train.TARGET.unique()) == {0, 1}
    assert 0.06 <= train.TARGET.mean() <= 0.10


def test_test_file_has_no_target(tables):
    test = tables["application_test"]
    assert "TARGET" not in test.columns
    assert list(test.columns) == schema.columns("application_test")
    assert len(test) == default_test_clients(N) == round(N * 48744 / 307511)


def test_keys_are_unique_and_every_child_has_a_parent(tables):
    _check_keys(tables)


def test_applicant_values_are_realistic(tables):
    app = pd.concat([tables["application_train"], tables["application_test"]])
    sentinel = app.DAYS_EMPLOYED == DAYS_EMPLOYED_SENTINEL
    assert 0.12 <= sentinel.mean() <= 0.25
    assert sentinel[app.NAME_INCOME_TYPE == "Pensioner"].all()
    assert (app.DAYS_EMPLOYED[~sentinel] < 0).all()
    assert (app.ORGANIZATION_TYPE[sentinel] == "XNA").all() and (app.FLAG_EMP_PHONE[sentinel] == 0).all()
    assert app.DAYS_BIRTH.between(-25300, -7400).all()
    assert set(app.CODE_GENDER) <= {"F", "M", "XNA"} and 0.58 <= (app.CODE_GENDER == "F").mean() <= 0.74
    cash = app[app.NAME_CONTRACT_TYPE == "Cash loans"]
    ratio = cash.AMT_CREDIT / cash.AMT_GOODS_PRICE
    assert ratio.between(1.0, 1.5).all() and 1.05 <= ratio.mean() <= 1.2
    term = cash.AMT_CREDIT / cash.AMT_ANNUITY
    assert term.between(6, 60).all()
    for column, low, high in (("EXT_SOURCE_1", .50, .62), ("EXT_SOURCE_3", .15, .25), ("OCCUPATION_TYPE", .25, .37),
                              ("APARTMENTS_AVG", .44, .58), ("COMMONAREA_MEDI", .63, .76), ("OWN_CAR_AGE", .6, .74)):
        assert low <= app[column].isna().mean() <= high, column
    assert app.EXT_SOURCE_2.dropna().between(0, 1).all() and app.EXT_SOURCE_3.dropna().between(0, 1).all()


def test_child_cardinalities(tables):
    n = N + default_test_clients(N)
    bureau, balance = tables["bureau"], tables["bureau_balance"]
    prev = tables["previous_application"]
    assert 4.0 <= len(bureau) / n <= 5.8
    assert 0.08 <= 1 - bureau.SK_ID_CURR.nunique() / n <= 0.22  # some clients have no bureau rows
    assert 12 <= len(balance) / len(bureau) <= 20
    assert set(balance.STATUS.astype(str)) <= STATUS_LEVELS and {"0", "C", "X", "1"} <= set(balance.STATUS.astype(str))
    months = balance.groupby("SK_ID_BUREAU").MONTHS_BALANCE
    assert (months.max() == 0).all() and (balance.MONTHS_BALANCE >= -96).all()
    assert 4.0 <= len(prev) / n <= 5.5
    assert 4.5 <= len(tables["POS_CASH_balance"]) / len(prev) <= 7.5
    assert 6.5 <= len(tables["installments_payments"]) / len(prev) <= 10
    cards = tables["credit_card_balance"]
    assert 0.15 <= cards.SK_ID_CURR.nunique() / n <= 0.4 and 6 <= len(cards) / n <= 16
    assert cards.MONTHS_BALANCE.between(-96, -1).all()


def test_target_depends_on_several_tables(tables):
    train = tables["application_train"].set_index("SK_ID_CURR")
    y = train.TARGET.to_numpy()
    ids = train.index
    prev = tables["previous_application"]
    refused = (prev.NAME_CONTRACT_STATUS == "Refused").groupby(prev.SK_ID_CURR).sum().reindex(ids, fill_value=0)
    inst = tables["installments_payments"]
    late = (inst.DAYS_ENTRY_PAYMENT > inst.DAYS_INSTALMENT).groupby(inst.SK_ID_CURR).mean().reindex(ids, fill_value=0)
    bureau = tables["bureau"].merge(tables["bureau_balance"], on="SK_ID_BUREAU")
    overdue = bureau.STATUS.astype(str).isin(list("12345")).groupby(bureau.SK_ID_CURR).mean().reindex(ids, fill_value=0)
    assert _auc(-train.EXT_SOURCE_2.fillna(0.5).to_numpy(), y) > 0.6
    assert _auc(refused.to_numpy(), y) > 0.55
    assert _auc(late.to_numpy(), y) > 0.55
    assert _auc(overdue.to_numpy(), y) > 0.53


def test_tiny_population_is_consistent(tmp_path):
    t = {k: _read(p) for k, p in generate(tmp_path, n_clients=50, seed=11).items()}
    assert len(t["application_train"]) == 50 and len(t["application_test"]) == default_test_clients(50)
    _check_keys(t)


def test_ensure_synthetic_generates_once_and_marks_data(tmp_path):
    target = tmp_path / "data"
    assert ensure_synthetic(target, n_clients=40, seed=5) == target
    marker = json.loads((target / MARKER).read_text())
    assert marker["n_clients"] == 40 and marker["seed"] == 5
    before = _digests({t: target / f"{t}.csv.gz" for t in TABLE_NAMES})
    ensure_synthetic(target, n_clients=80, seed=6)  # files present: nothing regenerated
    assert _digests({t: target / f"{t}.csv.gz" for t in TABLE_NAMES}) == before
    assert json.loads((target / MARKER).read_text()) == marker
    assert sorted(p.name for p in target.iterdir()) == sorted([MARKER] + [f"{t}.csv.gz" for t in TABLE_NAMES])


def test_ensure_synthetic_leaves_existing_data_alone(tmp_path):
    for table in TABLE_NAMES:
        (tmp_path / f"{table}.csv.gz").write_bytes(b"real")
    ensure_synthetic(tmp_path, n_clients=40)
    assert not (tmp_path / MARKER).exists()
    assert all((tmp_path / f"{t}.csv.gz").read_bytes() == b"real" for t in TABLE_NAMES)


def test_ensure_synthetic_refuses_to_complete_partial_data(tmp_path):
    (tmp_path / "application_train.csv").write_text("SK_ID_CURR\n")
    with pytest.raises(FileExistsError):
        ensure_synthetic(tmp_path, n_clients=40)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["application_train.csv"]


def test_cli_writes_the_tables(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--clients", "30", "--seed", "3", "--test-clients", "4",
                 "--no-compress"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.csv" for t in TABLE_NAMES)
    assert len(_read(tmp_path / "application_test.csv")) == 4
    assert "application_train" in capsys.readouterr().out
