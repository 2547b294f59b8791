"""Every scored request appended to a JSON-lines file, off the request path.

Requests put a small record on a bounded queue (never blocking: when the queue
is full the record is dropped and counted); one background thread per process
serialises and appends them. The thread starts lazily in each process (threads
do not survive gunicorn's fork) and the queue is drained at exit.

Line format: ``{"time", "endpoint", "id", "probability", "score", "decision",
"model_version", "features": {name: value}}``. Appends use O_APPEND with one
write per batch, so several workers can share the file.
"""

from __future__ import annotations

import atexit
import json
import logging
import math
import os
import queue
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger("model_service.prediction_log")

_STOP = object()


@dataclass(frozen=True)
class Entry:
    """One scored row; features as a list aligned with ``names`` (serialised later)."""

    time: str
    endpoint: str
    client_id: int | None
    probability: float
    score: float
    decision: str
    names: list[str]
    values: list


@dataclass(frozen=True)
class BatchEntry:
    time: str
    endpoint: str
    ids: list
    probability: np.ndarray
    score: np.ndarray
    decision: np.ndarray
    features: pd.DataFrame | None


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

    def _lines(self, item: Entry | BatchEntry) -> str:
        if isinstance(item, Entry):
            features = {n: _clean(v) for n, v in zip(item.names, item.values, strict=False)}
            return json.dumps({
                "time": item.time, "endpoint": item.endpoint, "id": item.client_id,
                "probability": item.probability, "score": item.score, "decision": item.decision,
                "model_version": self.model_version, "features": features,
            }, separators=(",", ":"), allow_nan=False) + "\n"
        n = len(item.probability)
        if item.features is not None and len(item.features) == n:
            feature_lines = item.features.to_json(orient="records", lines=True, double_precision=7).splitlines()
        else:
            feature_lines = ["null"] * n
        version = json.dumps(self.model_version)
        out = []
        for k in range(n):
            client_id = item.ids[k] if k < len(item.ids) else None
            out.append(
                f'{{"time":"{item.time}","endpoint":"{item.endpoint}","id":{json.dumps(client_id)},'
                f'"probability":{float(item.probability[k])!r},"score":{float(item.score[k])!r},'
                f'"decision":"{item.decision[k]}","model_version":{version},"features":{feature_lines[k]}}}\n'
            )
        return "".join(out)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, np.floating):
        x = float(value)
        return None if math.isnan(x) or math.isinf(x) else x
    if value == "NA":
        return None
    return value
