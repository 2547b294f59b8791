"""A batch of raw applications (records or columns) is logged once (its validated columns), its rows pointing at
it; every reader rebuilds each row as the fields sent, nulls left out: the file and database sinks, spill and
replay, the monitoring readers (DuckDB over the file, SQL over the table), the drift report and
reports.production_db."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from model_service.monitoring_sources import read_log_database, read_log_file
from model_service.prediction_log import BatchEntry, PredictionLog, now
from model_service.storage.database import Database
from model_service.storage.log_sinks import DatabaseSink, FileSink
from reports.drift.populations import load_log
from reports.production_db import engine_for, read_predictions

RECORDS = [{"AMT_CREDIT": 1000.5, "NAME_CONTRACT_TYPE": "Cash loans", "EXT_SOURCE_2": None},
           {"AMT_CREDIT": 2000.0, "NAME_CONTRACT_TYPE": None, "EXT_SOURCE_2": 0.25},
           {"AMT_CREDIT": None, "NAME_CONTRACT_TYPE": "Revolving loans", "EXT_SOURCE_2": 0.5}]
COLUMNS = {name: [r[name] for r in RECORDS] for name in RECORDS[0]}
SENT = [{k: v for k, v in r.items() if v is not None} for r in RECORDS]  # what the records form logs


def entry(columns=COLUMNS, ids=(11, None, 13)) -> BatchEntry:
    n = len(ids)
    return BatchEntry(now(), "batch", list(ids), np.linspace(0.1, 0.3, n), np.linspace(10, 30, n),
                      np.array(["approve"] * n), columns)


def test_a_columnar_batch_is_one_entry_and_its_rows_point_at_it(tmp_path: Path):
    log = PredictionLog(FileSink(tmp_path / "p.jsonl"), "v1", spill_dir=tmp_path / "spill")
    records = log.records(entry())
    assert [r.get("kind") for r in records] == ["batch", None, None, None]
    batch, rows = records[0], records[1:]
    assert json.loads(batch["columns"]) == COLUMNS and batch["n_rows"] == 3
    assert [(r["batch_id"], r["batch_row"], r["features"], r["features_source"]) for r in rows] == [
        (batch["batch_id"], k, None, "batch") for k in range(3)]
    assert [r["client_id"] for r in rows] == [11, None, 13]
    assert len({batch["batch_id"], *(r["record_id"] for r in rows)}) == 4
    log.put(entry())
    log.close()
    assert log.written == 3  # scored rows, not entries


def test_every_reader_rebuilds_the_rows_of_a_file_log(tmp_path: Path):
    path = tmp_path / "p.jsonl"
    log = PredictionLog(FileSink(path), "v1", spill_dir=tmp_path / "spill")
    log.put(entry())
    log.put(entry())
    log.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line.get("kind") for line in lines] == ["batch", None, None, None] * 2
    drift = load_log(path)  # two batches of the same three applications
    assert len(drift.frame) == 6 and drift.info["skipped_lines"] == 0
    first, second = drift.frame.iloc[:3].reset_index(drop=True), drift.frame.iloc[3:].reset_index(drop=True)
    assert first.equals(second) and first["AMT_CREDIT"].iloc[1] == 2000.0
    frame = read_log_file(path, ["AMT_CREDIT", "EXT_SOURCE_2"])
    assert len(frame) == 6 and frame["client_id"].fillna(0).tolist() == [11, 0, 13] * 2
    got = frame[["AMT_CREDIT", "EXT_SOURCE_2"]].to_numpy()
    np.testing.assert_array_equal(got[:3], got[3:])
    np.testing.assert_array_equal(got[3:], [[1000.5, np.nan], [2000.0, 0.25], [np.nan, 0.5]])


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'service.db'}")
    yield db
    db.dispose()


def test_every_reader_rebuilds_the_rows_of_a_database_log(tmp_path: Path, database):
    log = PredictionLog(DatabaseSink(database), "v1", spill_dir=tmp_path / "spill")
    log.put(entry())
    log.put(entry())
    log.close()
    frame = read_log_database(database, ["AMT_CREDIT", "EXT_SOURCE_2"])
    got = frame[["AMT_CREDIT", "EXT_SOURCE_2"]].to_numpy()
    assert len(frame) == 6
    np.testing.assert_array_equal(got[:3], got[3:])
    np.testing.assert_array_equal(got[3:], [[1000.5, np.nan], [2000.0, 0.25], [np.nan, 0.5]])
    offline = read_predictions(engine_for(database.url), with_features=True)
    assert list(offline["features"][:3]) == SENT and list(offline["features"][3:]) == SENT
    assert "batch_id" not in offline.columns


def test_a_batch_spilled_when_the_sink_fails_is_replayed_whole(tmp_path: Path, database):
    class Failing(DatabaseSink):
        failures = 1

        def write(self, records):
            if Failing.failures:
                Failing.failures -= 1
                raise OSError("disk gone")
            super().write(records)

    log = PredictionLog(Failing(database), "v1", spill_dir=tmp_path / "spill")
    log.put(entry())
    log.flush()
    log.close()
    assert log.spilled == 3 and log.written == 3 and log.health()["pending"] == 0
    offline = read_predictions(engine_for(database.url), with_features=True)
    assert list(offline["features"]) == SENT


def test_a_record_spilled_by_the_previous_version_is_replayed(tmp_path: Path, database):
    spill = tmp_path / "spill"
    spill.mkdir()
    old = {"endpoint": "batch", "logged_at": now(), "model_version": "v0", "role": "champion",
           "record_id": "00000000-0000-4000-8000-000000000001", "client_id": 5, "probability": 0.2, "score": 20.0,
           "decision": "approve", "features": json.dumps(SENT[0]), "features_source": "request"}
    (spill / "spill-999999.jsonl").write_text(json.dumps(old) + "\n")  # no batch_id/batch_row: written before
    log = PredictionLog(DatabaseSink(database), "v1", spill_dir=spill)
    log.put(entry())
    log.flush()
    log.close()
    offline = read_predictions(engine_for(database.url), with_features=True)
    assert sorted(map(json.dumps, offline["features"])) == sorted(map(json.dumps, [SENT[0], *SENT]))


def test_a_batch_of_ten_thousand_long_applications_is_read_whole(tmp_path: Path):
    """The file reader skips unreadable lines: a 30 MB batch line must not be one, and its rows are read
    without parsing its JSON once per row (a join on the batch's text did: out of memory at 18.8 GB)."""
    n = 10_000
    columns = {"AMT_CREDIT": [float(k) for k in range(n)], "NOTE": ["x" * 3_000] * n}  # ~30 MB
    path = tmp_path / "p.jsonl"
    log = PredictionLog(FileSink(path), "v1", spill_dir=tmp_path / "spill")
    log.put(entry(columns=columns, ids=[None] * n))
    log.close()
    assert path.stat().st_size > 24 * 2**20
    frame = read_log_file(path, ["AMT_CREDIT"])
    assert len(frame) == n and frame["AMT_CREDIT"].tolist() == columns["AMT_CREDIT"]
