"""Rate limiting of the scoring routes with flask-limiter, counters in each worker's memory.

limits' ``memory://`` storage re-arms a ``threading.Timer`` (a new thread) 10 ms
after every burst to purge expired counters: under a steady load that is a thread
start every few requests on the hot path. ``inline-memory://`` is the same storage
with the purge done inline, at most once a second (expired counters are already
ignored on read, so limits behave the same).
"""

from __future__ import annotations

import time

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

from .security import API_KEY_HEADER

PURGE_EVERY = 1.0


class InlineMemoryStorage(MemoryStorage):
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


def storage_uri() -> str:
    """The inline storage when this version of limits has the hooks it replaces, else limits' own."""
    hooks = ("_MemoryStorage__schedule_expiry", "_MemoryStorage__expire_events")
    return "inline-memory://" if all(hasattr(MemoryStorage, h) for h in hooks) else "memory://"


def rate_key() -> str:
    """Limit per API key when one is sent, else per client address."""
    key = request.headers.get(API_KEY_HEADER)
    return f"key:{hash(key)}" if key else f"ip:{get_remote_address()}"


def make_limiter(app: Flask) -> Limiter:
    return Limiter(key_func=rate_key, app=app, storage_uri=storage_uri(), default_limits=[],
                   headers_enabled=False, strategy="fixed-window")
