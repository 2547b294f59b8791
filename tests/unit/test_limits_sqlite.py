"""The SQLite counters of the rate limits and the login throttle: windows, expiry, no lost hit across processes."""

from __future__ import annotations

import multiprocessing
import time

from limits_sqlite import SQLiteStorage


def _hammer(uri: str, n: int) -> None:
    storage = SQLiteStorage(uri)
    for _ in range(n):
        storage.incr("shared", 60)


def test_counts_expire_and_restart(tmp_path):
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'c.db'}")
    assert [storage.incr("k", 1) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.incr("k", 1, amount=2) == 5
    assert storage.get_expiry("k") > time.time()
    time.sleep(1.05)
    assert storage.get("k") == 0  # expired window: nothing counted
    assert storage.incr("k", 1) == 1  # a new window, not 6
    storage.clear("k")
    assert storage.get("k") == 0


def test_processes_never_lose_a_hit(tmp_path):
    uri = f"sqlite:///{tmp_path / 'c.db'}"
    SQLiteStorage(uri)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_hammer, args=(uri, 300)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert SQLiteStorage(uri).get("shared") == 1200
