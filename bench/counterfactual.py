"""Counterfactual latency (not a test: it prints figures).

    PYTHONPATH=. .venv/bin/python bench/counterfactual.py [--bundle models] [--requests 300]

Calls ``GET /clients/<id>/counterfactual`` through the Flask app (test client, so
routing, validation and JSON are included) for declined and review clients of
the bundle, and prints p50/p99 (goal: p99 <= 300 ms), the share of clients for
which a change reaching approval exists, and the size of the candidate grid.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model_service import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=os.environ.get("MODEL_BUNDLE", str(REPO / "models")))
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="credit-cf-bench-"))
    app = create_app({"MODEL_BUNDLE": args.bundle, "API_KEYS": "bench", "PREDICTION_LOG": "off",
                      "DATABASE_URL": f"sqlite:///{work / 'd.db'}", "RATE_LIMIT": "10000000 per minute",
                      "DRIFT_SUMMARY": str(work / "none.json")})
    client = app.test_client()
    headers = {"X-API-Key": "bench"}
    ids = []
    for decision in ("decline", "review"):
        answer = client.get(f"/clients?decision={decision}&per_page=200&sort=-score", headers=headers).get_json()
        ids += [item["id"] for item in answer["items"]]
    if not ids:
        raise SystemExit("no declined or review client in this bundle")
    for cid in ids[:5]:
        client.get(f"/clients/{cid}/counterfactual", headers=headers)
    times, found, candidates = [], 0, []
    for k in range(args.requests):
        cid = ids[k % len(ids)]
        started = time.perf_counter()
        response = client.get(f"/clients/{cid}/counterfactual", headers=headers)
        times.append(time.perf_counter() - started)
        body = response.get_json()
        assert response.status_code == 200, body
        found += bool(body["found"])
        candidates.append(body["candidates"])
    ms = np.asarray(times) * 1000
    print(f"bundle {app.extensions['model_service'].version}: {len(ids)} declined/review clients, "
          f"{args.requests} requests, load average {os.getloadavg()[0]:.2f}")
    print(f"counterfactual: p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, "
          f"max {ms.max():.1f} ms    [goal p99 <= 300 ms]")
    print(f"approval reachable for {found / args.requests:.0%} of requests; "
          f"candidates per search: median {int(np.median(candidates))}, max {max(candidates)}")


if __name__ == "__main__":
    main()
