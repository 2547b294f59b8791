"""Time until the dashboard's client page is fully rendered (goal: <= 1.5 s on loopback).

"Fully rendered": the gauge, the contribution chart and the comparison chart are drawn,
the counterfactual, similar clients and decision history are shown, and no Dash callback
is pending. Timed from ``page.goto`` in a logged-in Chromium.

    PYTHONPATH=. .venv/bin/python bench/dashboard.py                        # starts service + dashboard
    PYTHONPATH=. .venv/bin/python bench/dashboard.py --bundle models --runs 10
    PYTHONPATH=. .venv/bin/python bench/dashboard.py --dashboard http://127.0.0.1:8050 \\
        --service http://127.0.0.1:8000 --api-key devkey --user alice --password ...

Without ``--dashboard`` it starts the real service on ``--bundle`` and a dashboard
(gunicorn subprocesses on free ports, temporary users file and database).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.servers import (  # noqa: E402
    launch_chromium,
    login,
    make_users_file,
    start_dashboard,
    start_service,
)

GOAL_S = 1.5
READY_JS = """() => {
  const done = (sel) => document.querySelector(sel) !== null;
  if (!done('#client-gauge .main-svg') || !done('#client-waterfall .main-svg')) return false;
  if (!done('#client-compare-graph .main-svg') && !done('#client-compare-body .service-message')) return false;
  if (!done('#client-counterfactual p, #client-counterfactual .service-message')) return false;
  if (!done('#client-similar-rate, #client-similar-body .service-message')) return false;
  if (!done('#client-history-list, #client-history-empty, #client-history .service-message')) return false;
  if (document.querySelector('[data-dash-is-loading="true"]')) return false;
  return true;
}"""


def pick_clients(service: str, api_key: str) -> list[int]:
    session = requests.Session()
    session.headers["X-API-Key"] = api_key
    ids = []
    for decision in ("approve", "review", "decline"):
        items = session.get(f"{service}/clients", params={"decision": decision, "per_page": 1}, timeout=30).json()
        ids += [item["id"] for item in items.get("items", [])]
    return ids


def measure(dashboard: str, user: str, password: str, client_ids: list[int], runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    timings: dict[int, list[float]] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        page = context.new_page()
        login(page, dashboard, user, password)
        page.goto(f"{dashboard}/")  # load the JavaScript bundles once (a returning advisor's browser cache)
        page.wait_for_selector("#clients-table")
        for cid in client_ids:
            timings[cid] = []
            for _ in range(runs):
                started = time.perf_counter()
                page.goto(f"{dashboard}/client/{cid}")
                page.wait_for_function(READY_JS, timeout=30_000, polling=10)
                timings[cid].append(time.perf_counter() - started)
        browser.close()
    return timings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dashboard", help="URL of a running dashboard (else one is started)")
    parser.add_argument("--service", help="URL of a running service (else one is started)")
    parser.add_argument("--bundle", default=str(REPO / "models"), help="model bundle for a started service")
    parser.add_argument("--api-key", default="benchkey")
    parser.add_argument("--user", default="bench")
    parser.add_argument("--password", default="bench-password")
    parser.add_argument("--client", type=int, action="append", help="client id (repeatable; default: one per band)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    started = []
    work = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    try:
        service = args.service
        if not service:
            server = start_service(Path(args.bundle), work, api_key=args.api_key)
            started.append(server)
            service = server.url
        dashboard = args.dashboard
        if not dashboard:
            users = make_users_file(work / "users.json", args.user, args.password)
            server = start_dashboard(service, users, work, api_key=args.api_key)
            started.append(server)
            dashboard = server.url
        ids = args.client or pick_clients(service, args.api_key)
        timings = measure(dashboard, args.user, args.password, ids, args.runs)
    finally:
        for server in reversed(started):
            server.stop()

    every = [t for values in timings.values() for t in values]
    print(f"client page fully rendered ({args.runs} runs per client, loopback, Chromium headless):")
    for cid, values in timings.items():
        print(f"  client {cid}: first {values[0]:.3f} s, median {statistics.median(values):.3f} s, "
              f"max {max(values):.3f} s")
    median, worst = statistics.median(every), max(every)
    print(f"overall: median {median:.3f} s, max {worst:.3f} s, goal <= {GOAL_S} s: "
          f"{'met' if worst <= GOAL_S else 'NOT met'}")
    return 0 if worst <= GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
