"""Rate limits shared by every gunicorn worker (flask-limiter), with ``Retry-After`` on each 429.

Where the counters live (``RATELIMIT_STORAGE_URI``):

- ``redis://...``, ``rediss://...``, ``memcached://...``: limits' own storages, shared by every
  dyno (Heroku: ``heroku config:set RATELIMIT_STORAGE_URI=$REDIS_URL``; needs the ``redis``
  package). This is the setting for more than one dyno.
- unset: ``sqlite:///<file>``, the :class:`SQLiteStorage` below, in a temporary file the gunicorn
  master creates before it forks (``--preload``), so all workers of one machine/dyno share it.
- ``sqlite:////path/to/file.db``: the same storage in a file of your choice.
- ``inline-memory://``: counters in each worker's memory (one-process development only).

Only the fixed-window strategy is used, so a storage needs ``incr``/``get``/``get_expiry``.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import tempfile
import threading
import time

from flask import Flask, g, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage, Storage

from .errors import error_response
from .security import API_KEY_HEADER

PURGE_EVERY = 1.0


class InlineMemoryStorage(MemoryStorage):
    """limits' ``memory://`` with the purge of expired counters done inline, at most once a second.

    The parent re-arms a ``threading.Timer`` (a new thread) 10 ms after every burst; expired
    counters are already ignored on read, so limits behave the same.
    """

    STORAGE_SCHEME = ["inline-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()
        self._next_purge = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the timer thread of the parent
        now = time.time()
        if now >= self._next_purge:
            self._next_purge = now + PURGE_EVERY
            self._MemoryStorage__expire_events()


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file: shared by every process that opens the file.

    One connection per process and thread (connections are never shared across a fork); each
    increment is one ``BEGIN IMMEDIATE`` transaction, so concurrent workers never lose a hit.
    The counters are not durable state: ``synchronous=OFF``.
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
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, "
                         "expires REAL NOT NULL)")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        conn, now = self._connection(), time.time()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("SELECT value, expires FROM counters WHERE key = ?", (key,)).fetchone()
            if row is None or row[1] <= now:
                value = amount
                conn.execute("INSERT OR REPLACE INTO counters (key, value, expires) VALUES (?, ?, ?)",
                             (key, value, now + expiry))
            else:
                value = row[0] + amount
                conn.execute("UPDATE counters SET value = ? WHERE key = ?", (value, key))
            if value == amount and now >= getattr(self, "_next_purge", 0.0):
                self._next_purge = now + 60.0
                conn.execute("DELETE FROM counters WHERE expires <= ?", (now,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
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


def storage_uri(configured: str = "") -> str:
    """The configured storage, else a SQLite file created now (in gunicorn's master, before the fork)."""
    if configured:
        return configured
    folder = tempfile.mkdtemp(prefix="model-service-ratelimit-")
    return f"sqlite:///{os.path.join(folder, 'limits.db')}"


def client_address() -> str:
    return get_remote_address() or "unknown"


def rate_key() -> str:
    """Limit per API key when one is sent (a digest: the same in every process), else per client address."""
    key = request.headers.get(API_KEY_HEADER)
    if key:
        return "key:" + hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"ip:{client_address()}"


def _remember_retry_after(limit: RequestLimit) -> None:
    g.retry_after = max(1, math.ceil(limit.reset_at - time.time()))


def make_limiter(app: Flask, uri: str = "") -> Limiter:
    limiter = Limiter(key_func=rate_key, app=app, storage_uri=storage_uri(uri), default_limits=[],
                      headers_enabled=False, strategy="fixed-window", on_breach=_remember_retry_after)

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        retry = int(getattr(g, "retry_after", 60))
        response = error_response(429, "too many requests",
                                  f"rate limit of {exc.description} exceeded; retry in {retry} s")
        response.headers["Retry-After"] = str(retry)
        return response

    return limiter
