"""Every scored request kept, written in batches off the request path, with backpressure instead of loss.

Requests put a small entry on a bounded in-memory queue; one writer thread per process
(started lazily: threads do not survive gunicorn's fork) turns entries into records (one per
scored row, with a UUID ``record_id``; a batch sent as columns adds one record holding its columns,
which its rows point at) and writes them in batches of up to ``BATCH`` to the
sink: the database table ``prediction_log`` (the default when ``DATABASE_URL`` is set) or a
JSON-lines file (see ``storage.log_sinks``).

Backpressure: when the queue is full, the request thread appends the entry's records to this
process's spill file (``SPILL_DIR/spill-<pid>.jsonl``, one ``write``); when the sink fails,
the writer spills the batch there too. The writer replays spill files whenever its queue is
empty -- its own and those left by dead processes (a worker killed with ``kill -9``) -- and a
record replayed twice is written once (``record_id``). A record is *lost* only when it can be
neither written nor spilled; lost counts are kept per process in ``SPILL_DIR/lost-<pid>``
and summed on ``/health``. After ``kill -9`` a worker's queue and the batch in the writer's
hands are gone: at most ``maxsize + BATCH`` records (the test measures it).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from scoring.monitoring.log_rows import BATCH_KIND, BATCH_SOURCE

from .jsoncodec import dumps

log = logging.getLogger("model_service.prediction_log")

_STOP = object()
BATCH = 256
REPLAY_EVERY_S = 1.0
#: The writer drains its queue every GATHER_S rather than blocking on it: a request's ``put`` then
#: never wakes a waiting thread (waking it handed the CPU, then the GIL, to the writer in the
#: middle of the request: about 1 ms of POST /predict under cProfile).
GATHER_S = 0.02


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
    """Many scored rows. ``columns``: the validated values of the raw applications scored (one list per field
    sent, None where unknown, SK_ID_CURR left out), logged as they are in one entry its rows point at
    (``scoring.monitoring.log_rows``); None for known clients scored by id (their features are the bundle
    store's, reproducible from id + version)."""

    time: str
    endpoint: str
    ids: list
    probability: np.ndarray
    score: np.ndarray
    decision: np.ndarray
    columns: dict[str, list] | None = None


def _record_ids(n: int) -> list[str]:
    """``n`` random version-4 UUIDs (RFC 4122 text) from one ``os.urandom`` call. ``uuid4`` per
    record (a system call and a ``UUID`` object each) cost more than the rest of a batch's records."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw.tobytes().hex()
    return [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" for h in (text[32 * k:32 * k + 32] for k in range(n))]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PredictionLog:
    def __init__(self, sink, model_version: str, maxsize: int = 2_000, spill_dir: Path | None = None,
                 role: str = "champion"):
        self.sink = sink
        self.model_version = model_version
        self.maxsize = maxsize
        self.role = role
        self.spill_dir = spill_dir
        self.lost = 0
        self.written = 0
        self.spilled = 0
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._spill_lock = threading.Lock()
        self._replay_lock = threading.Lock()
        self._keys: tuple[list[str], list[str]] | None = None
        self._last_replay = 0.0
        if spill_dir is not None:
            spill_dir.mkdir(parents=True, exist_ok=True)

    @property
    def enabled(self) -> bool:
        return self.sink is not None

    @property
    def dropped(self) -> int:  # the former name
        return self.lost

    # --- request side --------------------------------------------------------------------------
    def _ensure_thread(self) -> queue.Queue:
        if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                    if self._pid != os.getpid():
                        self.lost = self.written = self.spilled = 0
                        atexit.register(self.close)
                    self._queue = queue.Queue(maxsize=self.maxsize)
                    self._pid = os.getpid()
                    self._thread = threading.Thread(target=self._run, args=(self._queue,),
                                                    name="prediction-log", daemon=True)
                    self._thread.start()
        assert self._queue is not None
        return self._queue

    def put(self, item: Entry | BatchEntry) -> None:
        if self.sink is None:
            return
        try:
            self._ensure_thread().put_nowait(item)
        except queue.Full:  # the writer is behind: keep the record on local disk, replayed later
            try:
                records = self.records(item)
            except Exception:  # noqa: BLE001
                log.exception("prediction log: cannot serialise a record")
                self._lose(1)
                return
            self._spill(records)

    # --- state ---------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        target = "off" if self.sink is None else self.sink.target
        pending = (self._queue.qsize() if self._queue is not None and self._pid == os.getpid() else 0)
        lost = self.lost
        if self.spill_dir is not None:
            lost = 0
            pending += sum(_count_lines(p) for p in self.spill_dir.glob("spill-*.jsonl*"))
            for path in self.spill_dir.glob("lost-*"):
                try:
                    lost += int(path.read_text() or 0)
                except (OSError, ValueError):
                    continue
        return {"enabled": self.sink is not None, "target": target, "written": self.written,
                "spilled": self.spilled, "pending": pending, "lost": lost}

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
        """Block until the queue is empty and spill files are replayed (tests)."""
        q = self._queue
        if q is not None and self._pid == os.getpid():
            q.join()
            deadline = time.monotonic() + timeout
            while self._spill_files() and time.monotonic() < deadline:
                self._replay()
                time.sleep(0.05)

    # --- records -------------------------------------------------------------------------------
    def records(self, item: Entry | BatchEntry) -> list[dict[str, Any]]:
        base = {"endpoint": item.endpoint, "logged_at": item.time, "model_version": self.model_version,
                "role": self.role}
        if isinstance(item, Entry):
            values = item.values() if callable(item.values) else item.values
            return [{**base, "record_id": str(uuid.uuid4()), "client_id": item.client_id,
                     "probability": float(item.probability), "score": float(item.score),
                     "decision": str(item.decision), "features": self._features(item.names, values),
                     "features_source": "model_input"}]
        n = len(item.ids)
        record_ids = _record_ids(n + (item.columns is not None))
        out: list[dict[str, Any]] = []
        if item.columns is not None:  # one entry for the batch's columns, each row pointing at its position
            batch_id = record_ids.pop()
            out.append({"kind": BATCH_KIND, "batch_id": batch_id, "logged_at": item.time, "n_rows": n,
                        "columns": dumps(item.columns)})
            source, position = BATCH_SOURCE, range(n)
        else:
            batch_id, position, source = None, [None] * n, "store"
        for k, (client_id, probability, score, decision) in enumerate(zip(
                item.ids, item.probability.tolist(), item.score.tolist(), item.decision.tolist(), strict=True)):
            out.append({**base, "record_id": record_ids[k],
                        "client_id": None if client_id is None else int(client_id),
                        "probability": probability, "score": score, "decision": str(decision),
                        "features": None, "features_source": source, "batch_id": batch_id,
                        "batch_row": position[k]})
        return out

    def _features(self, names: list[str], values: list) -> str:
        """``{name: value}`` as JSON, built from cached key prefixes (about 2x faster than json.dumps)."""
        cached = self._keys
        if cached is None or cached[0] is not names:
            cached = self._keys = (names, [json.dumps(n) + ":" for n in names])
        return "{" + ",".join([k + _value(v) for k, v in zip(cached[1], values, strict=False)]) + "}"

    # --- spill ---------------------------------------------------------------------------------
    def _spill(self, records: list[dict[str, Any]]) -> None:
        if self.spill_dir is None:
            self._lose(scored(records))
            return
        data = "".join(dumps(r) + "\n" for r in records).encode()
        try:
            with self._spill_lock:
                fd = os.open(self.spill_dir / f"spill-{os.getpid()}.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                             0o640)
                try:
                    os.write(fd, data)
                finally:
                    os.close(fd)
            self.spilled += scored(records)
        except OSError:
            log.exception("prediction log: cannot spill %d record(s) to %s", scored(records), self.spill_dir)
            self._lose(scored(records))

    def _lose(self, n: int) -> None:
        self.lost += n
        log.error("prediction log: %d record(s) lost so far in this process", self.lost)
        if self.spill_dir is not None:
            try:
                (self.spill_dir / f"lost-{os.getpid()}").write_text(str(self.lost))
            except OSError:
                pass

    def _spill_files(self) -> list[Path]:
        """Spill files to replay: this process's and dead processes' (``spill-<pid>.jsonl``), and files
        claimed for replay (``....replay-<pid>-<n>``) by this process or by one that died meanwhile."""
        if self.spill_dir is None:
            return []
        mine = os.getpid()
        out = []
        for path in sorted(self.spill_dir.glob("spill-*.jsonl*")):
            name = path.name
            try:
                pid = int(name.split(".replay-", 1)[1].split("-", 1)[0]) if ".replay-" in name else \
                    int(name[len("spill-"):-len(".jsonl")])
            except (ValueError, IndexError):
                continue
            if pid == mine or not _alive(pid):
                out.append(path)
        return out

    def _replay(self) -> None:
        """Write spill files to the sink; a file is removed only once all of it is written.
        One thread of the process at a time (the writer, or ``flush``)."""
        if not self._replay_lock.acquire(blocking=False):
            return
        try:
            self._replay_files()
        finally:
            self._replay_lock.release()

    def _replay_files(self) -> None:
        self._last_replay = time.monotonic()
        for path in self._spill_files():
            if ".replay-" in path.name and not path.name.split(".replay-", 1)[1].startswith(f"{os.getpid()}-"):
                claimed = path.with_name(f"{path.name.split('.replay-', 1)[0]}.replay-{os.getpid()}-{uuid.uuid4().hex}")
            elif ".replay-" in path.name:
                claimed = path
            else:
                claimed = path.with_name(f"{path.name}.replay-{os.getpid()}-{uuid.uuid4().hex}")
            if claimed is not path:
                try:
                    with self._spill_lock:
                        os.rename(path, claimed)  # atomic: one process replays a file
                except OSError:
                    continue
            try:
                records = [json.loads(line) for line in claimed.read_text().splitlines() if line.strip()]
                for start in range(0, len(records), BATCH * 4):
                    self.sink.write(records[start:start + BATCH * 4])
            except Exception as exc:  # noqa: BLE001 - keep the file for the next try
                log.warning("prediction log: replay of %s failed (%s); kept for later", claimed.name, exc)
                return
            self.written += scored(records)
            claimed.unlink(missing_ok=True)

    # --- writer thread -------------------------------------------------------------------------
    def _run(self, q: queue.Queue) -> None:
        while True:
            items: list[Any] = []
            while len(items) < BATCH:
                try:
                    items.append(q.get_nowait())
                except queue.Empty:
                    break
            if not items:  # nothing queued: replay spill files now and then, else wait for the next round
                if time.monotonic() - self._last_replay >= REPLAY_EVERY_S:
                    try:
                        self._replay()
                    except Exception:  # noqa: BLE001
                        log.exception("prediction log: replay failed")
                time.sleep(GATHER_S)
                continue
            stop = any(i is _STOP for i in items)
            records: list[dict[str, Any]] = []
            for item in items:
                if item is not _STOP:
                    try:
                        records.extend(self.records(item))
                    except Exception:  # noqa: BLE001 - a bad record must not kill the writer
                        log.exception("prediction log: cannot serialise a record")
                        self._lose(1)
            if records:
                try:
                    self.sink.write(records)
                    self.written += scored(records)
                except Exception as exc:  # noqa: BLE001 - the sink failed: keep the batch on disk
                    log.warning("prediction log: write failed (%s); %d record(s) spilled", exc, scored(records))
                    self._spill(records)
            for _ in items:
                q.task_done()
            if (q.empty() and time.monotonic() - self._last_replay >= REPLAY_EVERY_S) or stop:
                try:
                    self._replay()
                except Exception:  # noqa: BLE001
                    log.exception("prediction log: replay failed")
            if stop:
                self.sink.close()
                return


def scored(records: list[dict[str, Any]]) -> int:
    """How many scored rows ``records`` holds (a columnar batch's entry is not one)."""
    return sum(r.get("kind") != BATCH_KIND for r in records)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _count_lines(path: Path) -> int:
    try:
        with open(path, "rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 16), b""))
    except OSError:
        return 0


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
