"""Bounded loopback load test of the scoring service (stdlib only).

    PYTHONPATH=. .venv/bin/python bench/load.py --requests 20000 --concurrency 8
        starts the service itself (bin/web, APP_ROLE=service, WEB_CONCURRENCY=2) on 127.0.0.1
        with the bundle named by MODEL_BUNDLE (default models/), runs the load, stops it.
    PYTHONPATH=. .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --api-key KEY
        drives an already running service instead.

N requests are spread over C threads, each with its own keep-alive ``http.client`` connection,
cycling through a read-heavy mix of the API (score, client file, listing, batch scoring,
health). Prints throughput and latency percentiles; exits 1 if any request failed.

Also home of :class:`Gunicorn`, which the end-to-end tests and ``bench/slug.py`` use to run the
real Heroku entry point (``bin/web``) on a free loopback port.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def http_request(port: int, method: str, path: str, *, body: bytes | None = None,
                 headers: dict[str, str] | None = None, timeout: float = 30.0):
    """One request on a fresh loopback connection -> (status, headers dict (lower-case), body bytes)."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def get_json(port: int, path: str, api_key: str | None = None, timeout: float = 30.0):
    headers = {"X-API-Key": api_key} if api_key else {}
    status, _, data = http_request(port, "GET", path, headers=headers, timeout=timeout)
    return status, (json.loads(data) if data else None)


class Gunicorn:
    """``bin/web`` (the Heroku web process) on 127.0.0.1:<free port>, in its own process group.

    ``env`` is laid over a clean copy of the environment; ``venv`` names the virtual environment
    whose ``gunicorn`` runs the app (default: the one running this code).
    """

    def __init__(self, role: str, env: dict[str, str] | None = None, *, workers: int = 2,
                 venv: str | Path | None = None, ready_path: str | None = None, log_dir: str | Path | None = None):
        self.role = role
        self.port = free_port()
        self.workers = workers
        self.venv_bin = Path(venv) / "bin" if venv else Path(sys.executable).parent
        self.ready_path = ready_path or ("/health" if role == "service" else "/login")
        self.env = dict(os.environ)
        for name in ("MODEL_BUNDLE", "API_KEYS", "DATABASE_URL", "PREDICTION_LOG", "CORS_ORIGINS", "RATE_LIMIT",
                     "MAX_CONTENT_LENGTH", "DASHBOARD_USERS", "DASHBOARD_USERS_FILE", "SERVICE_URL",
                     "SERVICE_API_KEY", "SECRET_KEY", "WEB_CONCURRENCY", "PORT", "DYNO"):
            self.env.pop(name, None)
        self.env.update({
            "APP_ROLE": role, "PORT": str(self.port), "BIND_HOST": LOOPBACK, "WEB_CONCURRENCY": str(workers),
            "PATH": f"{self.venv_bin}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(REPO),
            "GUNICORN": str(self.venv_bin / "gunicorn"), "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
        })
        self.env.update({k: str(v) for k, v in (env or {}).items()})
        self.log_path = Path(tempfile.mkstemp(prefix=f"gunicorn-{role}-", suffix=".log",
                                              dir=str(log_dir) if log_dir else None)[1])
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 120.0, wait: bool = True) -> Gunicorn:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([str(REPO / "bin" / "web")], cwd=REPO, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.role} exited with {self.proc.returncode} before serving:\n{self.log()}")
            try:
                status, _, _ = http_request(self.port, "GET", self.ready_path, timeout=5)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise TimeoutError(f"{self.role} not ready on {self.url} after {timeout:.0f}s:\n{self.log()}")

    def wait_exit(self, timeout: float = 120.0) -> int:
        """For a process expected to stop by itself (e.g. refusing to boot): its exit code."""
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._log.close()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-20000:]
        except OSError:
            return ""

    def pids(self) -> list[int]:
        """The master and its workers."""
        import psutil

        if self.proc is None or self.proc.poll() is not None:
            return []
        master = psutil.Process(self.proc.pid)
        return [master.pid] + [c.pid for c in master.children(recursive=True)]

    def stop(self, timeout: float = 30.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        if not self._log.closed:
            self._log.close()

    def __enter__(self) -> Gunicorn:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------------------------- load

@dataclass
class Result:
    requests: int = 0
    errors: int = 0
    reconnects: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    kind_latencies: dict = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)  # nearest-rank percentile
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        return {
            "requests": self.requests, "errors": self.errors, "reconnects": self.reconnects,
            "seconds": round(self.seconds, 2), "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 2), "p90_ms": round(self.percentile(90), 2),
            "p99_ms": round(self.percentile(99), 2), "max_ms": round(max(self.latencies_ms, default=0), 2),
            "statuses": dict(sorted(self.statuses.items())), "mix": dict(sorted(self.by_kind.items())),
            "p50_ms_by_kind": {k: round(sorted(v)[len(v) // 2], 2) for k, v in sorted(self.kind_latencies.items())},
        }

    def report(self) -> str:
        s = self.summary()
        return (f"{s['requests']} requests, {s['errors']} errors, {s['reconnects']} keep-alive reconnects in "
                f"{s['seconds']} s -> {s['throughput_rps']} req/s; latency p50 {s['p50_ms']} ms, "
                f"p90 {s['p90_ms']} ms, p99 {s['p99_ms']} ms, max {s['max_ms']} ms; statuses {s['statuses']}; "
                f"mix {s['mix']}; p50 by kind {s['p50_ms_by_kind']}")


def service_mix(port: int, api_key: str, seed: int = 0) -> list[tuple[str, str, str, bytes | None]]:
    """A cyclic list of (kind, method, path, body) over known clients, read-heavy like the dashboard."""
    status, page = get_json(port, "/clients?page=1&per_page=100", api_key)
    if status != 200 or not page.get("items"):
        raise RuntimeError(f"cannot list clients (status {status}): {page}")
    ids = [item["id"] for item in page["items"]]
    rng = random.Random(seed)
    mix: list[tuple[str, str, str, bytes | None]] = []
    for i in range(200):
        cid = rng.choice(ids)
        slot = i % 10
        if slot in (0, 1, 2, 3):
            mix.append(("score", "GET", f"/clients/{cid}/score", None))
        elif slot in (4, 5):
            mix.append(("client", "GET", f"/clients/{cid}", None))
        elif slot == 6:
            mix.append(("list", "GET", f"/clients?page={rng.randint(1, 5)}&per_page=20", None))
        elif slot == 7:
            batch = rng.sample(ids, 10)
            mix.append(("batch", "POST", "/predict/batch", json.dumps({"ids": batch}).encode()))
        elif slot == 8:
            mix.append(("health", "GET", "/health", None))
        else:
            mix.append(("explanation", "GET", f"/clients/{cid}/explanation?top=5", None))
    return mix


def run_load(port: int, mix: list[tuple[str, str, str, bytes | None]], *, total: int = 20_000,
             concurrency: int = 8, headers: dict[str, str] | None = None, max_seconds: float = 600.0,
             timeout: float = 30.0) -> Result:
    """``total`` requests over ``concurrency`` keep-alive connections; stops early after ``max_seconds``."""
    base_headers = {"Connection": "keep-alive", **(headers or {})}
    result = Result()
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + max_seconds

    def worker(offset: int) -> None:
        conn: http.client.HTTPConnection | None = None
        fresh = True
        lat: list[float] = []
        statuses: Counter = Counter()
        kinds: Counter = Counter()
        kind_lat: dict[str, list[float]] = {}
        errors = reconnects = done = 0
        samples: list[str] = []
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            kind, method, path, body = mix[(n + offset) % len(mix)]
            hdrs = dict(base_headers)
            if body is not None:
                hdrs["Content-Type"] = "application/json"
            for attempt in (1, 2):
                if conn is None:
                    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
                    fresh = True
                t0 = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers=hdrs)
                    response = conn.getresponse()
                    data = response.read()
                    elapsed = (time.perf_counter() - t0) * 1000
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                    conn.close()
                    conn = None
                    if attempt == 1 and not fresh:
                        # The server closed an idle keep-alive connection: reconnect and resend once,
                        # as every HTTP/1.1 client does. A failure on a fresh connection is an error.
                        reconnects += 1
                        continue
                    errors += 1
                    if len(samples) < 5:
                        samples.append(f"{method} {path}: {type(exc).__name__}: {exc}")
                    break
                except OSError as exc:
                    conn.close()
                    conn = None
                    errors += 1
                    if len(samples) < 5:
                        samples.append(f"{method} {path}: {type(exc).__name__}: {exc}")
                    break
                fresh = False
                done += 1
                lat.append(elapsed)
                statuses[response.status] += 1
                kinds[kind] += 1
                kind_lat.setdefault(kind, []).append(elapsed)
                if response.status != 200:
                    errors += 1
                    if len(samples) < 5:
                        samples.append(f"{method} {path}: {response.status} {data[:200]!r}")
                if response.getheader("Connection", "").lower() == "close" or response.will_close:
                    conn.close()
                    conn = None
                break
        if conn is not None:
            conn.close()
        with lock:
            result.requests += done
            result.errors += errors
            result.reconnects += reconnects
            result.latencies_ms.extend(lat)
            result.statuses.update(statuses)
            result.by_kind.update(kinds)
            for k, v in kind_lat.items():
                result.kind_latencies.setdefault(k, []).extend(v)
            result.error_samples.extend(samples[: max(0, 10 - len(result.error_samples))])

    threads = [threading.Thread(target=worker, args=(i * 7,), daemon=True) for i in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max_seconds + timeout + 10)
    result.seconds = time.perf_counter() - t0
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already running service (loopback only); default: start one")
    parser.add_argument("--api-key", default=os.environ.get("SERVICE_API_KEY", ""))
    parser.add_argument("--bundle", default=os.environ.get("MODEL_BUNDLE", str(REPO / "models")))
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY of the started service")
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)

    server = None
    if args.url:
        parsed = urllib.parse.urlsplit(args.url)
        if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("only loopback targets are allowed")
        port, key = parsed.port or 80, args.api_key
    else:
        key = "bench-" + os.urandom(8).hex()
        tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
        server = Gunicorn("service", {
            "MODEL_BUNDLE": args.bundle, "API_KEYS": key, "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}",
            "PREDICTION_LOG": "off", "RATE_LIMIT": "100000000 per minute",
        }, workers=args.workers, log_dir=tmp).start()
        port = server.port
    try:
        mix = service_mix(port, key)
        run_load(port, mix[:20], total=200, concurrency=args.concurrency, headers={"X-API-Key": key})  # warm-up
        result = run_load(port, mix, total=args.requests, concurrency=args.concurrency,
                          headers={"X-API-Key": key}, max_seconds=args.max_seconds)
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(result.summary()) if args.json else result.report())
    for sample in result.error_samples:
        print("  error:", sample, file=sys.stderr)
    return 0 if result.errors == 0 and result.requests == args.requests else 1


if __name__ == "__main__":
    sys.exit(main())
