"""Every scored request appended to a JSON-lines file, off the request path.

Requests put a small record on a bounded queue (never blocking: when the queue
is full the record is dropped and counted); one background thread per process
serialises and appends them. The thread starts lazily in each process (threads
do not survive gunicorn's fork) and the queue is drained at exit.

Line format: ``{"time", "endpoint", "id", "probability", "score", "decision",
"model_version", "features": {name: value}}`` (``reports.drift`` reads it). Single
requests log the model input, batches of raw records one such line per record
(features = the fields sent). A batch of known clients by id is one line with
arrays -- ``{"time", "endpoint": "batch", "count", "ids", "probabilities",
"scores", "decisions", "model_version", "features": null, "features_source":
"store"}`` -- their features are the bundle store's (reproducible from id and
version): serialising 10,000 x 235 values, or even 10,000 lines, per request
would cost more than scoring them. Appends use O_APPEND with one write per
batch of lines, so several workers can share the file.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("model_service.prediction_log")

_STOP = object()


@dataclass(frozen=True)
class Entry:
    """One scored row; features as a list aligned with ``names``, or a function returning it
    (called by the writer thread, so reading a stored client's row stays off the request path)."""

    time: str
    endpoint: str
    client_id: int | None
    probability: float
    score: float
    decision: str
    names: list[str]
    values: list | Callable[[], list]


@dataclass(frozen=True)
class BatchEntry:
    """Many scored rows. ``records``: the raw application fields sent for each row, or None for
    known clients scored by id (their features are the bundle store's, reproducible from id + version)."""

    time: str
    endpoint: str
    ids: list
    probability: np.ndarray
    score: np.ndarray
    decision: np.ndarray
    records: list[dict] | None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PredictionLog:
    def __init__(self, path: Path | None, model_version: str, maxsize: int = 10_000):
        self.path = path
        self.model_version = model_version
        self.maxsize = maxsize
        self.dropped = 0
        self.written = 0
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._keys: tuple[list[str], list[str]] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def _ensure_thread(self) -> queue.Queue:
        if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                    self._queue = queue.Queue(maxsize=self.maxsize)
                    self._thread = threading.Thread(target=self._run, args=(self._queue,),
                                                    name="prediction-log", daemon=True)
                    self._thread.start()
                    if self._pid != os.getpid():
                        atexit.register(self.close)
                    self._pid = os.getpid()
        assert self._queue is not None
        return self._queue

    def put(self, item: Entry | BatchEntry) -> None:
        if self.path is None:
            return
        try:
            self._ensure_thread().put_nowait(item)
        except queue.Full:
            self.dropped += 1
            if self.dropped in (1, 10, 100) or self.dropped % 1000 == 0:
                log.warning("prediction log queue full: %d records dropped so far", self.dropped)

    def close(self, timeout: float = 10.0) -> None:
        """Write everything still queued (called at exit and by gunicorn's worker_exit hook)."""
        thread, q = self._thread, self._queue
        if thread is None or q is None or self._pid != os.getpid() or not thread.is_alive():
            return
        try:
            q.put(_STOP, timeout=timeout)
        except queue.Full:
            log.warning("prediction log: could not stop the writer in time")
            return
        thread.join(timeout)

    def flush(self, timeout: float = 10.0) -> None:
        """Block until the queue is empty (tests)."""
        q = self._queue
        if q is not None and self._pid == os.getpid():
            q.join()

    # --- writer thread ---------------------------------------------------------------------------
    def _run(self, q: queue.Queue) -> None:
        assert self.path is not None
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            while True:
                items = [q.get()]
                while len(items) < 256:
                    try:
                        items.append(q.get_nowait())
                    except queue.Empty:
                        break
                stop = any(i is _STOP for i in items)
                lines = []
                for item in items:
                    if item is not _STOP:
                        try:
                            lines.append(self._lines(item))
                        except Exception:  # noqa: BLE001 - a bad record must not kill the writer
                            log.exception("prediction log: cannot serialise a record")
                if lines:
                    data = "".join(lines).encode()
                    try:
                        os.write(fd, data)
                        self.written += len(lines)
                    except OSError:
                        log.exception("prediction log: cannot write to %s", self.path)
                for _ in items:
                    q.task_done()
                if stop:
                    return
        finally:
            os.close(fd)

    def _features(self, names: list[str], values: list) -> str:
        """``{name: value}`` as JSON, built from cached key prefixes (about 2x faster than json.dumps)."""
        cached = self._keys
        if cached is None or cached[0] is not names:
            cached = self._keys = (names, [json.dumps(n) + ":" for n in names])
        return "{" + ",".join([k + _value(v) for k, v in zip(cached[1], values, strict=False)]) + "}"

    def _lines(self, item: Entry | BatchEntry) -> str:
        if isinstance(item, Entry):
            values = item.values() if callable(item.values) else item.values
            head = json.dumps({
                "time": item.time, "endpoint": item.endpoint, "id": item.client_id,
                "probability": item.probability, "score": item.score, "decision": item.decision,
                "model_version": self.model_version}, separators=(",", ":"), allow_nan=False)
            return f'{head[:-1]},"features":{self._features(item.names, values)}}}\n'

        version = json.dumps(self.model_version)
        if item.records is None:  # known clients by id: one line for the whole request, arrays of results
            return json.dumps({
                "time": item.time, "endpoint": item.endpoint, "count": len(item.ids), "ids": item.ids,
                "probabilities": item.probability.tolist(), "scores": item.score.tolist(),
                "decisions": item.decision.tolist(), "model_version": self.model_version,
                "features": None, "features_source": "store",
            }, separators=(",", ":")) + "\n"
        out = []
        for k, (client_id, probability, score, decision) in enumerate(zip(
                item.ids, item.probability.tolist(), item.score.tolist(), item.decision.tolist(), strict=True)):
            features = json.dumps(item.records[k], separators=(",", ":"))
            out.append(
                f'{{"time":"{item.time}","endpoint":"{item.endpoint}","id":{json.dumps(client_id)},'
                f'"probability":{probability!r},"score":{score!r},"decision":"{decision}",'
                f'"model_version":{version},"features":{features},"features_source":"request"}}\n'
            )
        return "".join(out)


def _value(value: Any) -> str:
    """One feature value as JSON: float32-exact floats (9 significant digits), NaN and "NA" as null."""
    if value.__class__ is float:
        return "null" if value != value or value in (_INF, -_INF) else _FLOAT(value)
    if value is None or value == "NA":
        return "null"
    if isinstance(value, np.generic):
        value = value.item()
        return _value(value) if value.__class__ is float else json.dumps(value)
    return json.dumps(value)


_FLOAT = "%.9g".__mod__
_INF = float("inf")
