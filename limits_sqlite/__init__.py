"""A SQLite storage for the ``limits`` library: counters shared by every process of one machine.

Both apps use it when no ``RATELIMIT_STORAGE_URI`` is configured: the service's rate limits and
failed-key counters, the dashboard's login throttle. Importing this module registers the
``sqlite://`` scheme with ``limits.storage.storage_from_string``.

It depends only on ``limits`` and the standard library, so each app's slim requirement set can
use it. Several dynos (or machines) need a storage they all reach instead: Redis
(``RATELIMIT_STORAGE_URI=$REDIS_URL``), see docs/deploy.md.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import time

from limits.storage import Storage

#: Increment a counter, or start its window again once expired (SQLite >= 3.35 for RETURNING).
_UPSERT = (
    "INSERT INTO counters (key, value, expires) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "value = CASE WHEN expires <= :now THEN :amount ELSE value + :amount END, "
    "expires = CASE WHEN expires <= :now THEN :expires ELSE expires END "
    "RETURNING value"
)


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file: shared by every process that opens the file.

    One connection per process and thread (connections are never shared across a fork); each
    increment is one upsert statement (its own transaction), so concurrent workers never lose a hit.
    The counters are not durable state: ``synchronous=OFF``.

    Rollback journal (``journal_mode=DELETE``), never WAL: WAL maps the ``-shm`` file into memory, and once
    that file cannot be written (read-only or immutable disk, ``chattr +i``) the next write into the mapping
    kills the process with SIGBUS, so every gunicorn worker would die in a loop. With a rollback journal such a
    file gives ``sqlite3.OperationalError`` (a 503 from the apps, "counters unavailable"). A connection made by
    another process before a fork is abandoned, never closed in the child.
    """

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1].removeprefix("/") or ":memory:"
        self._local = threading.local()
        self._connection().close()  # create the table now: a bad path fails at start, not on a request
        self._local.conn = None

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=DELETE")  # not WAL: see the class docstring
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, "
                         "expires REAL NOT NULL)")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """One atomic upsert (a new window starts when the old one has expired): one round trip and one
        transaction instead of BEGIN / SELECT / UPDATE / COMMIT."""
        conn, now = self._connection(), time.time()
        (value,) = conn.execute(_UPSERT, {"key": key, "amount": amount, "now": now, "expires": now + expiry}).fetchone()
        if value == amount and now >= getattr(self, "_next_purge", 0.0):
            self._next_purge = now + 60.0
            conn.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return value

    def _row(self, key: str) -> tuple[int, float] | None:
        row = self._connection().execute("SELECT value, expires FROM counters WHERE key = ?", (key,)).fetchone()
        return row if row is not None and row[1] > time.time() else None

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))


def default_uri(prefix: str) -> str:
    """A SQLite file in a new private temporary folder (call it in gunicorn's master, before the fork)."""
    folder = tempfile.mkdtemp(prefix=prefix)
    return f"sqlite:///{os.path.join(folder, 'limits.db')}"
