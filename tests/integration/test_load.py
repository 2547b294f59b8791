"""Bounded loopback load test: 20,000 requests, 8 concurrent keep-alive clients, against the real
service (``bin/web`` -> gunicorn, WEB_CONCURRENCY=2) on 127.0.0.1. Zero errors allowed; prints
throughput and latency percentiles. The driver is ``bench/load.py`` (stdlib only).
"""

from __future__ import annotations

import os
import secrets

import pytest

from bench.load import Gunicorn, run_load, service_mix

pytestmark = pytest.mark.slow

REQUESTS = int(os.environ.get("LOAD_REQUESTS", "20000"))
CONCURRENCY = 8
MAX_SECONDS = 480


def test_load_20k_requests_without_error(fast_bundle, tmp_path):
    key = "load-" + secrets.token_hex(12)
    env = {"MODEL_BUNDLE": str(fast_bundle), "API_KEYS": key, "DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
           "PREDICTION_LOG": str(tmp_path / "predictions.jsonl"), "RATE_LIMIT": "100000000 per minute"}
    with Gunicorn("service", env, workers=2, log_dir=tmp_path).start(timeout=240) as server:
        mix = service_mix(server.port, key)
        warm = run_load(server.port, mix, total=400, concurrency=CONCURRENCY, headers={"X-API-Key": key})
        assert warm.errors == 0, warm.error_samples
        result = run_load(server.port, mix, total=REQUESTS, concurrency=CONCURRENCY, headers={"X-API-Key": key},
                          max_seconds=MAX_SECONDS)
        alive = server.proc.poll() is None
    print(f"\nload: {result.report()}")
    assert result.requests == REQUESTS, f"only {result.requests} of {REQUESTS} requests in {MAX_SECONDS}s"
    assert result.errors == 0, result.error_samples
    assert set(result.statuses) == {200}, result.statuses
    assert alive, "gunicorn died during the load"
