"""What the shared rate-limit counters cost per request (issue 16), in process, without the network.

    PYTHONPATH=. .venv/bin/python bench/ratelimit.py --bundle models --requests 2000

Service: the app built by ``create_app`` answers ``GET /clients/<id>/score`` and ``GET /model``
through Flask's test client with the limiter's counters in

- ``sqlite``: the default (``limits_sqlite``, one file shared by the workers): per request one
  increment of the route's limit and one read of the failed-key counter;
- ``inline-memory``: each process's own memory (what the limits cost without sharing);
- ``off``: flask-limiter disabled and the failed-key check answered "allowed" without a storage,
  the request without a limiter.

Dashboard: ``GET /_dash-dependencies`` (no call to the service) for a logged-in advisor, with the
ended-session check (one read of the shared storage) and without it.

Storage: the two operations a limited request makes (``incr`` of its window, ``get`` of the
failed-key counter), alone, on each storage: what of the difference is the storage and what is
flask-limiter's own bookkeeping (resolving the route's limits).

Variants run in interleaved rounds (the machine is shared); the figure is the median over rounds
of the mean time per request, and its ratio to the request without a limiter. Prints the load
average.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path


class _AlwaysAllowed:
    """Stands in for the limiter's counters: every test passes, nothing is stored."""

    def test(self, *_args) -> bool:
        return True


class _NoLimiter:
    limiter = _AlwaysAllowed()


def _service_clients(bundle: Path, folder: Path):
    from model_service import create_app

    base = {"MODEL_BUNDLE": str(bundle), "API_KEYS": "bench-key", "PREDICTION_LOG": "off",
            "DATABASE_URL": f"sqlite:///{folder / 'decisions.db'}", "RATE_LIMIT": "100000000 per minute",
            "AUTH_FAILURE_LIMIT": "100000000 per minute"}
    apps = {
        "sqlite": create_app({**base, "RATELIMIT_STORAGE_URI": f"sqlite:///{folder / 'limits.db'}"}),
        "inline-memory": create_app({**base, "RATELIMIT_STORAGE_URI": "inline-memory://"}),
        "off": create_app({**base, "RATELIMIT_STORAGE_URI": "inline-memory://"}),
    }
    apps["off"].extensions["rate_limiter"].enabled = False
    apps["off"].extensions["rate_limiter"] = _NoLimiter()  # install_auth reads its counters from here
    return {name: app.test_client() for name, app in apps.items()}


def _dashboard_client(folder: Path):
    from dash_app import users

    users_file = folder / "users.json"
    users.add_user(users_file, "bench", "bench-password")
    os.environ.update({"SECRET_KEY": "bench-secret", "DASHBOARD_USERS_FILE": str(users_file),
                       "SERVICE_URL": "http://127.0.0.1:9", "RATELIMIT_STORAGE_URI": f"sqlite:///{folder / 'dash.db'}"})
    from dash_app.app import server
    from dash_app.ended_sessions import EndedSessions

    client = server.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    token = re.search(rb'name="csrf_token" value="([^"]+)"', client.get("/login").data).group(1).decode()
    done = client.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": token})
    assert done.status_code == 302, done.status_code
    return client, EndedSessions


def _mean_us(client, path: str, n: int, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    for _ in range(n):
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.data[:200]!r}")
    return (time.perf_counter() - start) / n * 1e6


def _storage_us(folder: Path, n: int = 5000) -> dict[str, dict[str, float]]:
    from limits.storage import storage_from_string

    import limits_sqlite  # noqa: F401 - registers sqlite://
    from model_service.ratelimit import InlineMemoryStorage  # noqa: F401 - registers inline-memory://

    out = {}
    for name, uri in (("sqlite", f"sqlite:///{folder / 'ops.db'}"), ("inline-memory", "inline-memory://")):
        storage = storage_from_string(uri)
        storage.incr("warm", 60)
        timing = {}
        for op, call in (("incr", lambda s: s.incr("LIMITER/key/route/1/minute", 60)),
                         ("get", lambda s: s.get("LIMITER/auth-failures/127.0.0.1/10/minute"))):
            start = time.perf_counter()
            for _ in range(n):
                call(storage)
            timing[f"{op}_us"] = round((time.perf_counter() - start) / n * 1e6, 1)
        out[name] = timing
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", default=os.environ.get("MODEL_BUNDLE", "models"))
    parser.add_argument("--requests", type=int, default=2000, help="requests per variant and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-ratelimit-"))
    clients = _service_clients(Path(args.bundle), folder)
    headers = {"X-API-Key": "bench-key"}
    client_id = json.loads(clients["off"].get("/clients?per_page=1", headers=headers).data)["items"][0]["id"]
    results: dict[str, dict[str, list[float]]] = {}
    for path in (f"/clients/{client_id}/score", "/model"):
        for client in clients.values():
            _mean_us(client, path, 50, headers)  # warm caches
        for _ in range(args.rounds):
            for name, client in clients.items():
                results.setdefault(path, {}).setdefault(name, []).append(_mean_us(client, path, args.requests, headers))

    dash, ended_sessions = _dashboard_client(folder)
    real_check = ended_sessions.ended
    dash_path = "/_dash-dependencies"
    _mean_us(dash, dash_path, 50, {})
    for _ in range(args.rounds):
        for name in ("sqlite", "off"):
            ended_sessions.ended = real_check if name == "sqlite" else (lambda self, session_id: False)
            results.setdefault(dash_path, {}).setdefault(name, []).append(_mean_us(dash, dash_path, args.requests, {}))
    ended_sessions.ended = real_check

    print(f"load average before/after: {open('/proc/loadavg').read().split()[:3]}", file=sys.stderr)
    summary = {}
    for path, variants in results.items():
        base = statistics.median(variants["off"])
        summary[path] = {name: {"us_per_request": round(statistics.median(v), 1),
                                "added_us": round(statistics.median(v) - base, 1),
                                "ratio_to_off": round(statistics.median(v) / base, 3)} for name, v in variants.items()}
    print(json.dumps({"requests_per_variant_and_round": args.requests, "rounds": args.rounds,
                      "loadavg": open("/proc/loadavg").read().split()[:3], "results": summary,
                      "storage_operations": _storage_us(folder)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
