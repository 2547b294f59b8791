"""The prediction log writer with its JSON-lines file sink: format, rotation (the file moved or
deleted is reopened), backpressure (a full queue spills to disk, nothing dropped), lost count."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

import numpy as np

from model_service.prediction_log import BatchEntry, Entry, PredictionLog, now
from model_service.storage.log_sinks import FileSink
from scoring.monitoring.log_rows import fill_features


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_file_log_writes_one_line_per_scored_row(tmp_path: Path):
    path = tmp_path / "sub" / "p.jsonl"
    log = PredictionLog(FileSink(path), "v1", maxsize=100, spill_dir=tmp_path / "spill")
    log.put(Entry(now(), "score", 7, 0.1, 12.5, "approve", ["A", "B"], [1.5, float("nan")]))
    log.put(BatchEntry(now(), "batch", [8, 9], np.array([0.2, 0.9]), np.array([20.0, 90.0]),
                       np.array(["approve", "decline"]), {"A": [1.0, 2.0], "B": [None, "x"]}))
    log.put(BatchEntry(now(), "batch", [10], np.array([0.3]), np.array([30.0]), np.array(["review"]), None))
    log.close()
    got = lines(path)
    batch = got.pop(1)  # the raw batch's values, once, before its rows
    assert batch["kind"] == "batch" and batch["columns"] == {"A": [1.0, 2.0], "B": [None, "x"]}
    assert [g["id"] for g in got] == [7, 8, 9, 10]
    assert got[0]["features"] == {"A": 1.5, "B": None} and got[0]["model_version"] == "v1"
    assert [(g["batch_id"], g["batch_row"], g["features"]) for g in got[1:3]] == [(batch["batch_id"], 0, None),
                                                                                  (batch["batch_id"], 1, None)]
    assert got[2]["decision"] == "decline" and got[2]["features_source"] == "batch"
    assert got[3]["features"] is None and got[3]["features_source"] == "store" and got[3]["score"] == 30.0
    assert "batch_id" not in got[3] and "batch_id" not in got[0]  # other lines keep their former shape
    assert len({g["record_id"] for g in got} | {batch["batch_id"]}) == 5
    assert all(uuid.UUID(g["record_id"]).version == 4 for g in got)  # a batch's ids come from one urandom call


def test_a_logged_batch_row_is_what_was_sent_free_of_nulls(tmp_path: Path):
    path = tmp_path / "p.jsonl"
    log = PredictionLog(FileSink(path), "v1", spill_dir=tmp_path / "spill")
    sent = {"A": [1.0, 2.0], "B": [None, None], "C": ["x", None]}
    log.put(BatchEntry(now(), "batch", [5, None], np.array([0.2, 0.3]), np.array([20.0, 30.0]),
                       np.array(["approve", "approve"]), sent))
    log.close()
    got = lines(path)
    fill_features(got[1:], {got[0]["batch_id"]: got[0]["columns"]})
    assert [g["features"] for g in got[1:]] == [{"A": 1.0, "C": "x"}, {"A": 2.0}]
    assert [g["id"] for g in got[1:]] == [5, None]
    assert sent == {"A": [1.0, 2.0], "B": [None, None], "C": ["x", None]}  # the request's values are not changed


def test_a_moved_or_deleted_log_file_is_reopened(tmp_path: Path):
    path = tmp_path / "p.jsonl"
    log = PredictionLog(FileSink(path), "v1", spill_dir=tmp_path / "spill")
    log.put(Entry(now(), "score", 1, 0.1, 10.0, "approve", [], []))
    log.flush()
    path.rename(tmp_path / "p.jsonl.1")  # logrotate
    log.put(Entry(now(), "score", 2, 0.1, 10.0, "approve", [], []))
    log.flush()
    path.unlink()
    log.put(Entry(now(), "score", 3, 0.1, 10.0, "approve", [], []))
    log.close()
    assert [g["id"] for g in lines(tmp_path / "p.jsonl.1")] == [1]
    assert [g["id"] for g in lines(path)] == [3]  # 2 went to the file that was then deleted, after rotation
    assert log.health()["lost"] == 0


def test_a_full_queue_spills_to_disk_and_nothing_is_dropped(tmp_path: Path):
    path = tmp_path / "p.jsonl"
    log = PredictionLog(FileSink(path), "v1", maxsize=1, spill_dir=tmp_path / "spill")
    gate = threading.Event()
    original = log.sink.write

    def slow(records):
        gate.wait(5)
        original(records)

    log.sink.write = slow  # type: ignore[method-assign]
    for k in range(200):
        log.put(Entry(now(), "score", k, 0.1, 10.0, "approve", [], []))
    state = log.health()
    assert state["spilled"] > 0 and state["lost"] == 0
    gate.set()
    log.flush()
    log.close()
    assert sorted(g["id"] for g in lines(path)) == list(range(200))
    assert log.health() | {"written": 200} == {"enabled": True, "target": "file", "written": 200,
                                                "spilled": state["spilled"], "pending": 0, "lost": 0}


def test_disabled_prediction_log_does_nothing():
    log = PredictionLog(None, "v1")
    log.put(Entry(now(), "score", 1, 0.1, 10.0, "approve", [], []))
    assert not log.enabled and log._thread is None and log.health()["target"] == "off"
