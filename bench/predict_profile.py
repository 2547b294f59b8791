"""cProfile of POST /predict (one application) and of a raw-record batch, in process (not a test).

    PYTHONPATH=. .venv/bin/python bench/predict_profile.py --bundle models [--mode quick|explain|batch] [-n 300]

The service is built with ``create_app`` (SQLite decisions, file prediction log) and called through
Flask's test client with real applications from the bundle's ``store/info.parquet``: ``quick`` is
``explain=false``, ``explain`` is the default answer with its explanation, ``batch`` sends 1,000 raw
records per request. Prints the p50 without the profiler, then the top of the cumulative profile.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model_service.app import create_app  # noqa: E402

HEADERS = {"X-API-Key": "bench-key"}


def applications(bundle: Path, n: int) -> list[dict]:
    rows = pq.read_table(bundle / "store" / "info.parquet").slice(0, n).to_pylist()
    return [{k: v for k, v in r.items() if v is not None and k not in ("TARGET", "FLAG_MOBIL")
             and not (isinstance(v, float) and v != v)} for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=os.environ.get("MODEL_BUNDLE", str(REPO / "models")))
    parser.add_argument("--mode", default="quick", choices=("quick", "explain", "batch"))
    parser.add_argument("-n", type=int, default=300, help="requests (batches for --mode batch)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    bundle = Path(args.bundle)
    work = Path(tempfile.mkdtemp(prefix="credit-profile-"))
    app = create_app({"MODEL_BUNDLE": str(bundle), "API_KEYS": HEADERS["X-API-Key"],
                      "DATABASE_URL": f"sqlite:///{work / 'decisions.db'}", "PREDICTION_LOG": str(work / "p.jsonl"),
                      "DRIFT_SUMMARY": str(work / "none.json"), "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    records = applications(bundle, 2000)

    if args.mode == "batch":
        import json

        # encoded once: the profile is the server's work, not the test client's JSON encoding
        body = json.dumps({"records": records[:1000]}).encode()
        batch_headers = {**HEADERS, "Content-Type": "application/json"}

        def call(k: int) -> None:
            assert client.post("/predict/batch", data=body, headers=batch_headers).status_code == 200
    else:
        explain = args.mode == "explain"

        def call(k: int) -> None:
            body = {"application": records[k % len(records)], "top": 5, "explain": explain}
            assert client.post("/predict", json=body, headers=HEADERS).status_code == 200

    for k in range(min(30, args.n)):
        call(k)
    times = []
    for k in range(args.n):
        started = time.perf_counter()
        call(k)
        times.append(time.perf_counter() - started)
    unit = "per batch of 1,000" if args.mode == "batch" else "per request"
    print(f"{args.mode}: p50 {np.median(times) * 1000:.2f} ms {unit} without the profiler; "
          f"load average {os.getloadavg()[0]:.2f}")
    profile = cProfile.Profile()
    profile.enable()
    for k in range(args.n):
        call(k)
    profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
