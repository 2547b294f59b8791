"""Where the prediction log's writer thread puts its batches: the database, or a JSON-lines file.

Both take a list of records (dicts with the ``prediction_log`` columns, ``logged_at`` as an
ISO string) and write them all or raise. The database sink inserts with "on conflict do
nothing" on ``record_id``, so a batch replayed after a failure is never written twice. The file
sink reopens its file when it was moved or deleted (log rotation) before each write.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..jsoncodec import dumps
from .database import Database
from .schema import predictions


class DatabaseSink:
    target = "database"

    def __init__(self, db: Database):
        self.db = db

    def write(self, records: list[dict[str, Any]]) -> None:
        rows = [{**r, "logged_at": _parse_time(r["logged_at"])} for r in records]
        make = pg_insert if self.db.backend == "postgresql" else sqlite_insert
        with self.db.begin() as conn:
            conn.execute(make(predictions).on_conflict_do_nothing(index_elements=["record_id"]), rows)

    def close(self) -> None:
        pass


class FileSink:
    """JSON lines (``reports.drift`` reads them): ``time, endpoint, id, probability, score, decision,
    model_version, features, features_source`` and ``record_id``. One ``write`` per batch, O_APPEND."""

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
    features = r["features"] if r["features"] is not None else "null"
    head = dumps({"time": r["logged_at"], "endpoint": r["endpoint"], "id": r["client_id"],
                  "probability": r["probability"], "score": r["score"], "decision": r["decision"],
                  "model_version": r["model_version"], "role": r["role"],
                  "features_source": r["features_source"], "record_id": r["record_id"]})
    return f'{head[:-1]},"features":{features}}}\n'


def _parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
