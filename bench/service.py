"""Benchmark of the scoring service under gunicorn (not a test: it prints figures).

    PYTHONPATH=. .venv/bin/python bench/service.py [--bundle models] [--clients 356255] [--requests 10000]

1. Builds (once, cached under $TMPDIR) a Kaggle-size bundle from a real one: the
   real model, calibrator and metadata, with the client store replicated to
   ``--clients`` synthetic clients (ids, features, outcomes, probabilities, info
   and the neighbour matrix tiled). Nothing is retrained.
2. Starts ``gunicorn --preload`` on 127.0.0.1 (random free port), sends a bounded
   number of requests (one at a time, so latency is not queueing), stops it.
3. Prints p50/p99 of score-by-id, explanation and POST /predict (also as ratios to
   GET /health, the no-op floor of the same run), batch throughput (rows/s), the
   workers' CPU time per request (psutil; less inflated than latency by a loaded
   machine), worker RSS, and the ratio of score-by-id latency to a bare single-row
   ``model.predict`` measured in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scoring.bundle import load_bundle, resolve  # noqa: E402

KAGGLE_CLIENTS = 356_255
API_KEY = "bench-key"
FIRST_ID = 100_001
RECORDS = 1_000  # raw records per batch request (the body limit bounds it)
RECORD_BATCHES = 20


def build_big_bundle(source: Path, n: int, out_root: Path) -> Path:
    """A bundle with ``n`` clients made by tiling ``source``'s store (cached by version and size)."""
    src = resolve(source)
    meta = json.loads((src / "metadata.json").read_text())
    target = out_root / f"{meta['version']}-x{n}"
    if (target / "metadata.json").exists():
        return target
    tmp = out_root / f".{target.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "store").mkdir(parents=True)
    (tmp / "extras").mkdir()
    for name in ("model.cbm", "calibration.json"):
        shutil.copy2(src / name, tmp / name)
    shutil.copy2(src / "store" / "categories.json", tmp / "store" / "categories.json")
    for extra in (src / "extras").glob("*"):
        if extra.name != "neighbours.npz":
            shutil.copy2(extra, tmp / "extras" / extra.name)
    real_n = len(np.load(src / "store" / "ids.npy", mmap_mode="r"))
    take = np.arange(n) % real_n
    ids = FIRST_ID + np.arange(n, dtype=np.int64)
    np.save(tmp / "store" / "ids.npy", ids)
    for name in ("target", "probability"):
        np.save(tmp / "store" / f"{name}.npy", np.load(src / "store" / f"{name}.npy")[take])
    real = np.load(src / "store" / "features.npy", mmap_mode="r")
    big = np.lib.format.open_memmap(tmp / "store" / "features.npy", mode="w+", dtype=np.float32,
                                    shape=(n, real.shape[1]))
    for start in range(0, n, 50_000):
        big[start:start + 50_000] = real[take[start:start + 50_000]]
    big.flush()
    del big
    info = pq.read_table(src / "store" / "info.parquet").take(pa.array(take))
    if "SK_ID_CURR" in info.column_names:
        info = info.set_column(info.column_names.index("SK_ID_CURR"), "SK_ID_CURR", pa.array(ids))
    pq.write_table(info, tmp / "store" / "info.parquet", row_group_size=65_536)
    neighbours_path = src / "extras" / "neighbours.npz"
    if neighbours_path.exists():
        data = dict(np.load(neighbours_path, allow_pickle=False))
        position = {int(v): k for k, v in enumerate(data["ids"])}
        rows = np.array([position.get(int(i), 0) for i in np.load(src / "store" / "ids.npy")])[take]
        data["matrix"], data["ids"] = data["matrix"][rows], ids
        np.savez(tmp / "extras" / "neighbours.npz", **data)
    meta["version"] = f"{meta['version']}-bench{n}"
    meta["synthetic"] = True
    (tmp / "metadata.json").write_text(json.dumps(meta))
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """Minimal HTTP/1.1 client (reconnects when the server closes the connection)."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {"X-API-Key": API_KEY}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, data
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def timed(client: Client, method: str, paths, bodies=None) -> np.ndarray:
    out = []
    for k, path in enumerate(paths):
        body = bodies[k] if bodies is not None else None
        started = time.perf_counter()
        status, data = client.request(method, path, body)
        out.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"{method} {path} -> {status}: {data[:300]!r}")
    return np.asarray(out) * 1000


def pct(ms: np.ndarray) -> str:
    return f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms (n={len(ms)})"


def bare_predict_ms(bundle_path: Path, rows: np.ndarray) -> np.ndarray:
    bundle = load_bundle(bundle_path)
    model, store = bundle.model, bundle.store
    for i in rows[:50]:
        model.predict([store.model_row(int(i))], prediction_type="Probability", thread_count=1)
    out = []
    for i in rows:
        row = store.model_row(int(i))
        started = time.perf_counter()
        model.predict([row], prediction_type="Probability", thread_count=1)
        out.append(time.perf_counter() - started)
    return np.asarray(out) * 1000


def raw_applications(bundle_path: Path, count: int, seed: int) -> list[bytes]:
    info = pq.read_table(bundle_path / "store" / "info.parquet").slice(0, 5000).to_pylist()
    rng = np.random.default_rng(seed)
    bodies = []
    for k in rng.integers(0, len(info), count):
        record = {c: v for c, v in info[int(k)].items()
                  if v is not None and c not in ("TARGET", "FLAG_MOBIL") and not (isinstance(v, float) and v != v)}
        bodies.append(json.dumps({"application": record, "top": 5}).encode())
    return bodies


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the server's workers: the cost of a request
    that the machine's load does not inflate as much as its latency (a shared machine)."""
    total = 0.0
    for child in psutil.Process(master).children():
        times = child.cpu_times()
        total += times.user + times.system
    return total


class CpuMeter:
    """Workers' CPU milliseconds per request of each timed section."""

    def __init__(self, master: int):
        self.master = master
        self.per_request: dict[str, float] = {}

    def timed(self, label: str, client: Client, method: str, paths, bodies=None) -> np.ndarray:
        before = workers_cpu(self.master)
        out = timed(client, method, paths, bodies)
        self.per_request[label] = (workers_cpu(self.master) - before) * 1000 / len(out)
        return out


def worker_rss(master: int) -> list[tuple[int, float, float]]:
    out = []
    for child in psutil.Process(master).children():
        info = child.memory_full_info()
        out.append((child.pid, info.rss / 2**20, getattr(info, "uss", 0) / 2**20))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=os.environ.get("MODEL_BUNDLE", str(REPO / "models")))
    parser.add_argument("--clients", type=int, default=KAGGLE_CLIENTS)
    parser.add_argument("--requests", type=int, default=10_000, help="total number of requests (bounded)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--prediction-log", default="file", choices=("file", "database", "off"),
                        help="where the service logs each scored row (default: a JSON-lines file)")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "credit-bench-bundles"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    Path(args.cache).mkdir(parents=True, exist_ok=True)
    bundle = build_big_bundle(Path(args.bundle), args.clients, Path(args.cache))
    print(f"bundle: {bundle} ({args.clients:,} clients, built/cached in {time.perf_counter() - started:.1f}s)")
    with open(bundle / "store" / "features.npy", "rb") as handle:  # a running service has a warm page cache
        while handle.read(1 << 24):
            pass
    work = Path(tempfile.mkdtemp(prefix="credit-bench-"))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "MODEL_BUNDLE": str(bundle), "API_KEYS": API_KEY,
           "DATABASE_URL": f"sqlite:///{work / 'decisions.db'}",
           "PREDICTION_LOG": str(work / "predictions.jsonl") if args.prediction_log == "file" else args.prediction_log,
           "DRIFT_SUMMARY": str(work / "none.json"), "LOG_LEVEL": "WARNING"}  # default RATE_LIMIT
    command = [str(Path(sys.executable).parent / "gunicorn"), "--preload", "--workers", str(args.workers),
               "--worker-class", args.worker_class, "-b", f"127.0.0.1:{port}", "model_service.wsgi:app"]
    if args.worker_class == "gthread":
        command[-1:-1] = ["--threads", "2", "--keep-alive", "5"]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    client = Client(port)
    try:
        for _ in range(600):
            try:
                if client.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                raise SystemExit(server.stderr.read().decode())
            time.sleep(0.1)
        print(f"gunicorn ({args.workers} {args.worker_class} workers) ready in {time.perf_counter() - started:.1f}s;"
              f" load average {os.getloadavg()[0]:.2f}")
        rng = np.random.default_rng(args.seed)
        total = args.requests
        n_batch, n_predict, n_explain = 20, max(200, total // 40), max(1000, total // 10)
        n_score = total - n_batch - n_predict - n_explain
        ids = FIRST_ID + rng.permutation(args.clients)
        warm = ids[:200]
        timed(client, "GET", [f"/clients/{i}/score" for i in warm])
        timed(client, "GET", [f"/clients/{i}/explanation" for i in warm[:50]])
        cpu = CpuMeter(server.pid)
        score_ms = cpu.timed("score", client, "GET", [f"/clients/{i}/score" for i in ids[200:200 + n_score]])
        explain_ms = timed(client, "GET", [f"/clients/{i}/explanation?top=5" for i in ids[-n_explain:]])
        health_ms = cpu.timed("health", client, "GET", ["/health"] * n_predict)
        bodies = raw_applications(bundle, n_predict, args.seed)
        quick = [b.replace(b'"top": 5}', b'"top": 5, "explain": false}') for b in bodies]
        timed(client, "POST", ["/predict"] * 20, quick[:20])
        predict_ms = cpu.timed("predict", client, "POST", ["/predict"] * n_predict, quick)
        predict_explain_ms = cpu.timed("explain", client, "POST", ["/predict"] * n_predict, bodies)
        records = [json.loads(b)["application"] for b in raw_applications(bundle, RECORDS, args.seed + 1)]
        record_bodies = [json.dumps({"records": records}).encode()] * 2
        timed(client, "POST", ["/predict/batch"], record_bodies[:1])
        records_ms = cpu.timed("records", client, "POST", ["/predict/batch"] * RECORD_BATCHES,
                               record_bodies[1:] * RECORD_BATCHES)
        records_per_s = RECORDS * RECORD_BATCHES / (records_ms.sum() / 1000)
        # the same applications as one list per field (the columnar form of POST /predict/batch)
        columns = {name: [r.get(name) for r in records] for name in sorted(set().union(*records))}
        column_bodies = [json.dumps({"columns": columns}).encode()] * 2
        timed(client, "POST", ["/predict/batch"], column_bodies[:1])
        columns_ms = cpu.timed("columns", client, "POST", ["/predict/batch"] * RECORD_BATCHES,
                               column_bodies[1:] * RECORD_BATCHES)
        columns_per_s = RECORDS * RECORD_BATCHES / (columns_ms.sum() / 1000)
        batch_bodies = [json.dumps({"ids": rng.choice(ids, 10_000, replace=False).tolist()}).encode()
                        for _ in range(n_batch + 4)]
        timed(client, "POST", ["/predict/batch"] * 4, batch_bodies[:4])  # warm-up, both workers
        batch_ms = timed(client, "POST", ["/predict/batch"] * n_batch, batch_bodies[4:])
        rows_per_s = 10_000 * n_batch / (batch_ms.sum() / 1000)
        rss = worker_rss(server.pid)
        sent = len(warm) + 50 + n_score + n_explain + 3 * n_predict + 20 + n_batch + 4 + 2 * (1 + RECORD_BATCHES)
        print(f"requests sent: {sent:,} (bounded); load average {os.getloadavg()[0]:.2f}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            errors = server.communicate(timeout=60)[1].decode(errors="replace")
        except subprocess.TimeoutExpired:
            server.kill()
            errors = "gunicorn did not stop within 60 s"
    bare = bare_predict_ms(bundle, ids[: max(2000, n_score // 4)] - FIRST_ID)
    ratio = np.percentile(score_ms, 50) / np.percentile(bare, 50)
    log_path = work / "predictions.jsonl"
    logged = sum(1 for _ in open(log_path, "rb")) if log_path.exists() else 0
    print()
    print(f"score by id        : {pct(score_ms)}    [goal p50 <= 2 ms, p99 <= 8 ms]")
    print(f"explanation        : {pct(explain_ms)}    [goal p99 <= 60 ms]")
    floor = np.percentile(health_ms, 50)
    print(f"GET /health        : {pct(health_ms)}    [no-op floor]")
    print(f"POST /predict      : {pct(predict_ms)}; p50 {np.percentile(predict_ms, 50) / floor:.1f}x /health"
          "    [goal p50 <= 5 ms, p99 <= 15 ms]")
    print(f"POST /predict+expl : {pct(predict_explain_ms)}; p50 {np.percentile(predict_explain_ms, 50) / floor:.1f}x"
          " /health    [goal p50 <= 15 ms]")
    # rows/s over all the batches, and at the median batch (less moved by a neighbour's burst on a shared machine)
    typical = {label: RECORDS / (np.percentile(ms, 50) / 1000) for label, ms in (("records", records_ms),
                                                                                 ("columns", columns_ms))}
    print(f"batch (raw records): {records_per_s:,.0f} rows/s, {typical['records']:,.0f} at the median batch "
          f"({pct(records_ms)})    [goal >= 20,000 rows/s]")
    print(f"batch (raw columns): {columns_per_s:,.0f} rows/s, {typical['columns']:,.0f} at the median batch "
          f"({pct(columns_ms)}); {columns_per_s / records_per_s:.1f}x the records form    [goal >= 20,000 rows/s]")
    rows_per_cpu_s = 1000 / (cpu.per_request["records"] / RECORDS)
    print(f"workers' CPU       : /health {cpu.per_request['health']:.2f} ms, score by id {cpu.per_request['score']:.2f} ms,"
          f" /predict {cpu.per_request['predict']:.2f} ms ({cpu.per_request['predict'] / cpu.per_request['health']:.1f}x),"
          f" /predict+expl {cpu.per_request['explain']:.2f} ms"
          f" ({cpu.per_request['explain'] / cpu.per_request['health']:.1f}x) per request;"
          f" raw records {rows_per_cpu_s:,.0f}, raw columns {1000 / (cpu.per_request['columns'] / RECORDS):,.0f}"
          " rows per CPU second")
    print(f"batch (10k ids)    : {rows_per_s:,.0f} rows/s ({pct(batch_ms)})    [goal >= 100,000 rows/s]")
    for pid, resident, unique in rss:
        print(f"worker {pid}       : RSS {resident:.0f} MB (USS {unique:.0f} MB)    [goal RSS <= 400 MB]")
    print(f"bare model.predict : {pct(bare)} (single row, in-process)")
    print(f"score-by-id / bare predict (p50): {ratio:.1f}x")
    print(f"prediction log     : {logged:,} lines written (a batch by ids is one line)")
    crashes = [line for line in errors.splitlines() if "SIG" in line or "uncaught" in line or "Traceback" in line]
    print(f"gunicorn shutdown  : {'clean (exit ' + str(server.returncode) + ')' if not crashes else crashes}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
