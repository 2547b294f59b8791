"""Rate limits shared by every gunicorn worker (flask-limiter), with ``Retry-After`` on each 429.

Where the counters live (``RATELIMIT_STORAGE_URI``):

- ``redis://...``, ``rediss://...``, ``memcached://...``: limits' own storages, shared by every
  dyno (Heroku: ``heroku config:set RATELIMIT_STORAGE_URI=$REDIS_URL``; needs the ``redis``
  package). This is the setting for more than one dyno.
- unset: ``sqlite:///<file>``, ``limits_sqlite.SQLiteStorage`` (shared with the dashboard), in a
  temporary file the gunicorn master creates before it forks (``--preload``), so all workers of
  one machine/dyno share it.
- ``sqlite:////path/to/file.db``: the same storage in a file of your choice.
- ``inline-memory://``: counters in each worker's memory (one-process development only).

Only the fixed-window strategy is used, so a storage needs ``incr``/``get``/``get_expiry``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from flask import Flask, g, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.errors import StorageError
from limits.storage import MemoryStorage

from limits_sqlite import SQLiteStorage, default_uri

from .errors import error_response
from .security import API_KEY_HEADER

log = logging.getLogger("model_service.ratelimit")

PURGE_EVERY = 1.0
__all__ = ["InlineMemoryStorage", "SQLiteStorage", "make_limiter", "storage_uri"]


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


def storage_uri(configured: str = "") -> str:
    """The configured storage, else a SQLite file created now (in gunicorn's master, before the fork)."""
    return configured or default_uri("model-service-ratelimit-")


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
                      headers_enabled=False, strategy="fixed-window", on_breach=_remember_retry_after,
                      storage_options={"wrap_exceptions": True})

    @app.errorhandler(StorageError)
    def _counters_unavailable(exc: StorageError):
        # Fail closed: without its counters no limited request is served (never unlimited).
        log.error("rate-limit storage (RATELIMIT_STORAGE_URI) unavailable on %s %s: %s: %s", request.method,
                  request.path, type(exc.storage_error).__name__, exc.storage_error)
        response = error_response(503, "service unavailable",
                                  "the rate-limit counters cannot be reached; retry in a moment")
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        retry = int(getattr(g, "retry_after", 60))
        response = error_response(429, "too many requests",
                                  f"rate limit of {exc.description} exceeded; retry in {retry} s")
        response.headers["Retry-After"] = str(retry)
        return response

    return limiter
