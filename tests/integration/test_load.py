"""Bounded loopback load test: 20,000 requests, 8 concurrent keep-alive clients, against the real
service (``bin/web`` -> gunicorn, WEB_CONCURRENCY=2) on 127.0.0.1, with the prediction log in the
service database (its default when ``DATABASE_URL`` is set), on SQLite and on PostgreSQL. Zero
errors allowed; prints throughput and latency percentiles. Zero prediction records lost: every
scored row of the run is in the database once, and /health counts none lost. The driver is
``bench/load.py`` (stdlib only).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from bench.load import Gunicorn, get_json, run_load, service_mix
from model_service.storage.database import Database
from model_service.storage.schema import predictions

pytestmark = pytest.mark.slow

REQUESTS = int(os.environ.get("LOAD_REQUESTS", "20000"))
CONCURRENCY = 8
MAX_SECONDS = 480
#: Scored rows each kind of request of the mix logs (the others log nothing).
LOGGED = {"score": ("score", 1), "batch": ("batch", 10)}


def _logged_by_endpoint(url: str) -> Counter:
    db = Database(url, migrate=False)
    try:
        with db.connect() as conn:
            rows = conn.execute(select(predictions.c.endpoint, func.count(), func.count(func.distinct(
                predictions.c.record_id))).group_by(predictions.c.endpoint)).all()
    finally:
        db.dispose()
    assert all(n == distinct for _, n, distinct in rows), f"duplicated records: {rows}"
    return Counter({endpoint: n for endpoint, n, _ in rows})


def test_load_20k_requests_without_error_or_lost_record(fast_bundle, database_url, tmp_path):
    key = "load-" + secrets.token_hex(12)
    env = {"MODEL_BUNDLE": str(fast_bundle), "API_KEYS": key, "DATABASE_URL": database_url,
           "PREDICTION_SPILL_DIR": str(tmp_path / "spill"), "RATE_LIMIT": "100000000 per minute"}
    with Gunicorn("service", env, workers=2, log_dir=tmp_path).start(timeout=240) as server:
        mix = service_mix(server.port, key)
        assert {len(json.loads(body)["ids"]) for kind, _, _, body in mix if kind == "batch"} == {LOGGED["batch"][1]}
        warm = run_load(server.port, mix, total=400, concurrency=CONCURRENCY, headers={"X-API-Key": key})
        assert warm.errors == 0, warm.error_samples
        result = run_load(server.port, mix, total=REQUESTS, concurrency=CONCURRENCY, headers={"X-API-Key": key},
                          max_seconds=MAX_SECONDS)
        alive = server.proc.poll() is None
        deadline = time.monotonic() + 60  # the writers drain their queues (and spill files) in the background
        while time.monotonic() < deadline:
            state = get_json(server.port, "/health")[1]["prediction_log"]
            if state["pending"] == 0 and sum(_logged_by_endpoint(database_url).values()) >= \
                    sum(n * (warm.by_kind[k] + result.by_kind[k]) for k, (_, n) in LOGGED.items()):
                break
            time.sleep(0.5)
    expected = Counter({endpoint: n * (warm.by_kind[kind] + result.by_kind[kind])
                        for kind, (endpoint, n) in LOGGED.items()})
    logged = _logged_by_endpoint(database_url)
    backend = database_url.split(":", 1)[0]
    print(f"\nload ({backend}): {result.report()}")
    print(f"prediction log ({backend}): {sum(logged.values())} records written of {sum(expected.values())} "
          f"scored rows {dict(logged)}; lost {state['lost']}, pending {state['pending']}, "
          f"spilled by the last worker asked {state['spilled']}")
    assert result.requests == REQUESTS, f"only {result.requests} of {REQUESTS} requests in {MAX_SECONDS}s"
    assert result.errors == 0, result.error_samples
    assert set(result.statuses) == {200}, result.statuses
    assert alive, "gunicorn died during the load"
    assert state["lost"] == 0 and state["pending"] == 0, state
    assert logged == expected
