"""Counterfactual coverage and latency (not a test: it prints figures).

    PYTHONPATH=. .venv/bin/python bench/counterfactual.py [--bundle models] [--per-decision 100]

Calls ``GET /clients/<id>/counterfactual`` through the Flask app (test client, so
routing, validation and JSON are included) for declined and review clients of
the bundle (evenly spread over each group's score range), and prints, per group, the share of
clients for which a change within the lender's bounds (``scoring.levers.BOUNDS``) reaches
approval (and, for declines, at least review), p50/p99 time, and the size of the candidate grid.
The baseline of the same run is ``GET /clients/<id>/score`` (ratio printed).
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
from scoring.levers import BOUNDS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=os.environ.get("MODEL_BUNDLE", str(REPO / "models")))
    parser.add_argument("--per-decision", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="credit-cf-bench-"))
    app = create_app({"MODEL_BUNDLE": args.bundle, "API_KEYS": "bench", "PREDICTION_LOG": "off",
                      "DATABASE_URL": f"sqlite:///{work / 'd.db'}", "RATE_LIMIT": "10000000 per minute",
                      "DRIFT_SUMMARY": str(work / "none.json")})
    client = app.test_client()
    headers = {"X-API-Key": "bench"}
    print(f"bundle {app.extensions['model_service'].version}; bounds: {BOUNDS.text('en')}")
    times_all, base_times = [], []
    for decision in ("review", "decline"):
        ids: list[int] = []
        page = 1
        while True:
            answer = client.get(f"/clients?decision={decision}&per_page=200&page={page}&sort=score",
                                headers=headers).get_json()
            ids += [item["id"] for item in answer["items"]]
            if len(ids) >= answer["total"] or not answer["items"]:
                break
            page += 1
        if not ids:
            print(f"{decision}: no client")
            continue
        picked = [ids[k] for k in np.unique(np.linspace(0, len(ids) - 1, min(args.per_decision, len(ids)))
                                            .astype(int))]
        client.get(f"/clients/{picked[0]}/counterfactual", headers=headers)  # warm-up
        times, found, to_review, candidates = [], 0, 0, []
        for cid in picked:
            started = time.perf_counter()
            client.get(f"/clients/{cid}/score", headers=headers)
            base_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            response = client.get(f"/clients/{cid}/counterfactual", headers=headers)
            times.append(time.perf_counter() - started)
            body = response.get_json()
            assert response.status_code == 200, body
            found += bool(body["found"])
            closest = body.get("closest") or {}
            to_review += bool(body["found"]) or (closest.get("score", {}).get("decision") == "review")
            candidates.append(body["candidates"])
        ms = np.asarray(times) * 1000
        times_all += times
        line = (f"{decision}: {len(picked)} of {len(ids)} clients; approval reachable for {found}/{len(picked)} "
                f"({found / len(picked):.0%})")
        if decision == "decline":
            line += f", at least review for {to_review}/{len(picked)} ({to_review / len(picked):.0%})"
        print(line + f"; p50 {np.percentile(ms, 50):.0f} ms, p99 {np.percentile(ms, 99):.0f} ms; "
                     f"candidates median {int(np.median(candidates))}, max {max(candidates)}")
    ms = np.asarray(times_all) * 1000
    base = np.asarray(base_times) * 1000
    print(f"all: p50 {np.percentile(ms, 50):.0f} ms, p99 {np.percentile(ms, 99):.0f} ms; baseline GET score p50 "
          f"{np.percentile(base, 50):.2f} ms (ratio {np.percentile(ms, 50) / np.percentile(base, 50):.0f}x); "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
