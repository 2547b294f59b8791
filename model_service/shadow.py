"""Champion / challenger: a second bundle scores every logged request in shadow.

When ``CHALLENGER_BUNDLE`` names a bundle (or the models root holds a ``CHALLENGER`` pointer,
written by ``python -m training.promote VERSION --challenger``), every entry put on the
prediction log is also handed to :class:`Shadow`: a background thread per process scores it
with the challenger and puts the result on a second prediction log (``role = "challenger"``,
same time, endpoint and client as the champion's record, so reports pair them). Answers come
from the champion only and the request path never waits for the challenger: when the shadow
queue is full the entry is skipped and counted (``skipped``).

Rows are the challenger's own: a known client's row of the challenger's store, a raw
application's fields through the shared feature code, or -- for a single raw request -- the
champion's model input when it holds every challenger feature.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.features import features_from_records, model_input
from scoring.monitoring.log_rows import batch_row

from .inputs import StoreInputs
from .prediction_log import BatchEntry, Entry
from .scorer import Scorer

log = logging.getLogger("model_service.shadow")

CHALLENGER_POINTER = "CHALLENGER"


def challenger_path(explicit: str, models_root: Path) -> Path | None:
    """CHALLENGER_BUNDLE, else the models root's CHALLENGER pointer, else None."""
    if explicit:
        return Path(explicit).expanduser()
    pointer = models_root / CHALLENGER_POINTER
    if models_root.is_dir() and pointer.is_file() and pointer.read_text().strip():
        return models_root / pointer.read_text().strip()
    return None


class Shadow:
    def __init__(self, bundle, challenger_log, maxsize: int = 2_000):
        self.bundle = bundle
        self.version = bundle.version
        self.inputs = StoreInputs(bundle)
        self.scorer = Scorer(bundle, self.inputs, cache_size=0)
        self.log = challenger_log
        self.maxsize = maxsize
        self.skipped = 0
        self.scored = 0
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def put(self, item: Entry | BatchEntry) -> None:
        try:
            self._ensure_thread().put_nowait(item)
        except queue.Full:
            self.skipped += 1

    def _ensure_thread(self) -> queue.Queue:
        if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                    self._queue = queue.Queue(maxsize=self.maxsize)
                    self._thread = threading.Thread(target=self._run, args=(self._queue,), name="shadow", daemon=True)
                    self._thread.start()
                    self._pid = os.getpid()
        assert self._queue is not None
        return self._queue

    def flush(self) -> None:
        """Block until every queued entry is scored and handed to the challenger log (tests)."""
        q = self._queue
        if q is not None and self._pid == os.getpid():
            q.join()
        self.log.flush()

    def close(self) -> None:
        self.flush()
        self.log.close()

    def _run(self, q: queue.Queue) -> None:
        while True:
            item = q.get()
            try:
                shadow = self.shadow_entry(item)
                if shadow is not None:
                    self.log.put(shadow)
                    self.scored += 1
                else:
                    self.skipped += 1
            except Exception:  # noqa: BLE001 - the challenger must never disturb the champion
                self.skipped += 1
                log.exception("shadow scoring failed")
            finally:
                q.task_done()

    # --- the challenger's scores of one logged entry -------------------------------------------------
    def shadow_entry(self, item: Entry | BatchEntry) -> Entry | BatchEntry | None:
        if isinstance(item, Entry):
            row = self._row(item)
            if row is None:
                return None
            s = self.scorer.score_row(row)
            return Entry(time=item.time, endpoint=item.endpoint, client_id=item.client_id, probability=s.probability,
                         score=s.score, decision=s.decision, names=self.inputs.features, values=row)
        if item.records is None and item.columns is None:  # known clients by id
            positions = [self.inputs.index_of(int(i)) if i is not None else None for i in item.ids]
            keep = [k for k, p in enumerate(positions) if p is not None]
            if not keep:
                return None
            scores = self.scorer.score_indices(np.array([positions[k] for k in keep], dtype=np.int64))
            ids = [item.ids[k] for k in keep]
            records = None
        else:  # the applications sent (as records, or as columns: the challenger scores what was sent)
            given = item.records if item.columns is None else [batch_row(item.columns, k) for k in range(len(item.ids))]
            apps = pd.DataFrame([dict(r) for r in given])
            apps["SK_ID_CURR"] = np.arange(len(apps), dtype=np.int64)
            x = model_input(features_from_records(apps), self.inputs.features, self.inputs.categorical)
            scores = self.scorer.scores_from_raw(self.scorer.raw_frame(x, thread_count=1))
            ids, records = list(item.ids), item.records
        return BatchEntry(time=item.time, endpoint=item.endpoint, ids=ids, probability=scores.probability,
                          score=scores.score, decision=scores.decision, records=records,
                          columns=item.columns)

    def _row(self, item: Entry) -> list | None:
        if item.client_id is not None:
            i = self.inputs.index_of(int(item.client_id))
            if i is not None:
                return self.inputs.row(i)
        values = item.values() if callable(item.values) else item.values
        position = {name: j for j, name in enumerate(item.names)}
        if any(f not in position for f in self.inputs.features):
            return None
        return [values[position[f]] for f in self.inputs.features]


class ShadowedLog:
    """The champion's prediction log, whose every entry is also scored by the challenger
    (everything else -- ``enabled``, ``health()``, counters -- is the champion log's)."""

    def __init__(self, champion_log, shadow: Shadow):
        self.champion_log = champion_log
        self.shadow = shadow

    def put(self, item: Entry | BatchEntry) -> None:
        self.champion_log.put(item)
        self.shadow.put(item)

    def flush(self, timeout: float = 10.0) -> None:
        self.champion_log.flush(timeout)
        self.shadow.flush()

    def close(self, timeout: float = 10.0) -> None:
        self.champion_log.close(timeout)
        self.shadow.close()

    def __getattr__(self, name: str):
        return getattr(self.champion_log, name)
