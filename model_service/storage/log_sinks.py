"""Where the prediction log's writer thread puts its batches: the database, or a JSON-lines file.

Both take a list of records (dicts with the ``prediction_log`` columns, ``logged_at`` as an
ISO string; a columnar batch's entry has ``kind`` "batch", see :mod:`scoring.monitoring.log_rows`)
and write them all or raise. The database sink inserts with "on conflict do nothing" on
``record_id`` (a batch entry: on ``batch_id``), so a batch replayed after a failure is never
written twice. The file sink reopens its file when it was moved or deleted (log rotation)
before each write.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from scoring.monitoring.log_rows import BATCH_KIND

from ..jsoncodec import dumps
from .database import Database
from .schema import prediction_batches, predictions

#: columns a record replayed from an older spill file may lack
_ROW_DEFAULTS = {"batch_id": None, "batch_row": None}


class DatabaseSink:
    target = "database"

    def __init__(self, db: Database):
        self.db = db

    def write(self, records: list[dict[str, Any]]) -> None:
        batches = [{"batch_id": r["batch_id"], "logged_at": _parse_time(r["logged_at"]), "n_rows": r["n_rows"],
                    "columns": r["columns"]} for r in records if r.get("kind") == BATCH_KIND]
        rows = [{**_ROW_DEFAULTS, **r, "logged_at": _parse_time(r["logged_at"])} for r in records
                if r.get("kind") != BATCH_KIND]
        make = pg_insert if self.db.backend == "postgresql" else sqlite_insert
        with self.db.begin() as conn:
            if batches:
                conn.execute(make(prediction_batches).on_conflict_do_nothing(index_elements=["batch_id"]), batches)
            if rows:
                conn.execute(make(predictions).on_conflict_do_nothing(index_elements=["record_id"]), rows)

    def close(self) -> None:
        pass


class FileSink:
    """JSON lines (``reports.drift`` reads them): ``time, endpoint, id, probability, score, decision,
    model_version, features, features_source`` and ``record_id`` (and ``batch_id``, ``batch_row`` for a row
    of a columnar batch, whose own line is ``kind, batch_id, time, n_rows, columns``). One ``write`` per batch,
    O_APPEND."""

    target = "file"

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None
        self._inode: tuple[int, int] | None = None

    def _open(self) -> int:
        try:
            st = os.stat(self.path)
            current = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            current = None
        if self._fd is None or current != self._inode:  # first write, or the file was rotated/deleted
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            st = os.fstat(self._fd)
            self._inode = (st.st_dev, st.st_ino)
        return self._fd

    def write(self, records: list[dict[str, Any]]) -> None:
        data = "".join(file_line(r) for r in records).encode()
        fd = self._open()
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def file_line(r: dict[str, Any]) -> str:
    if r.get("kind") == BATCH_KIND:
        head = dumps({"kind": BATCH_KIND, "batch_id": r["batch_id"], "time": r["logged_at"], "n_rows": r["n_rows"]})
        return f'{head[:-1]},"columns":{r["columns"]}}}\n'
    features = r["features"] if r["features"] is not None else "null"
    head = {"time": r["logged_at"], "endpoint": r["endpoint"], "id": r["client_id"],
            "probability": r["probability"], "score": r["score"], "decision": r["decision"],
            "model_version": r["model_version"], "role": r["role"],
            "features_source": r["features_source"], "record_id": r["record_id"]}
    if r.get("batch_id") is not None:
        head.update(batch_id=r["batch_id"], batch_row=r["batch_row"])
    return f'{dumps(head)[:-1]},"features":{features}}}\n'


def _parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
