"""Faults, end to end against real gunicorn processes (``bin/web``) on 127.0.0.1.

- a missing or corrupt model bundle: the service refuses to start, quickly, with a message that
  names the culprit file (no crash-looping workers, no half-working service);
- the decision database unavailable: decisions answer 503 JSON, scoring keeps working;
- concurrent decision writes through 2 workers x 4 threads: none lost, none duplicated;
- the dashboard with the service down still serves its login page and health probe.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from bench.load import Gunicorn, free_port, get_json, http_request
from scoring.bundle import resolve

pytestmark = pytest.mark.slow


def _env(bundle, tmp: Path, key: str, **extra: str) -> dict[str, str]:
    env = {"MODEL_BUNDLE": str(bundle), "API_KEYS": key, "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}",
           "PREDICTION_LOG": "off", "RATE_LIMIT": "100000 per minute"}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def bundle_dir(fast_bundle) -> Path:
    return resolve(fast_bundle)


def _copy(bundle_dir: Path, tmp: Path) -> Path:
    root = tmp / "models"
    shutil.copytree(bundle_dir, root / bundle_dir.name)
    (root / "CURRENT").write_text(bundle_dir.name + "\n")
    return root


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: max(1, len(data) // 3)])


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00not what you expect\xff" * 64)


CORRUPTIONS = {
    "model_cbm_garbage": ("model.cbm", _garbage),
    "model_cbm_truncated": ("model.cbm", _truncate),
    "metadata_not_json": ("metadata.json", lambda p: p.write_text('{"version": "x", ')),
    "calibration_not_json": ("calibration.json", _garbage),
    "features_npy_truncated": ("store/features.npy", _truncate),
    "ids_npy_missing": ("store/ids.npy", lambda p: p.unlink()),
}


def _refuses_to_start(env: dict[str, str], tmp: Path) -> tuple[int, str]:
    server = Gunicorn("service", env, workers=2, log_dir=tmp).start(wait=False)
    try:
        code = server.wait_exit(timeout=120)
    except Exception:
        server.stop()
        raise
    return code, server.log()


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupt_bundle_stops_the_start_naming_the_file(bundle_dir, tmp_path, case):
    name, corrupt = CORRUPTIONS[case]
    root = _copy(bundle_dir, tmp_path)
    target = root / bundle_dir.name / name
    corrupt(target)
    code, log = _refuses_to_start(_env(root, tmp_path, "k"), tmp_path)
    assert code != 0, log
    assert "cannot start" in log, log
    assert str(target) in log, f"the message should name {target}:\n{log}"
    assert "Traceback" not in log.split("cannot start", 1)[1][:400]


def test_missing_bundle_stops_the_start_naming_the_path(tmp_path):
    missing = tmp_path / "nowhere" / "models"
    code, log = _refuses_to_start(_env(missing, tmp_path, "k"), tmp_path)
    assert code != 0
    assert "cannot start" in log and str(missing) in log, log


def test_current_pointing_at_a_missing_version(bundle_dir, tmp_path):
    root = _copy(bundle_dir, tmp_path)
    (root / "CURRENT").write_text("20000101-000000-gone\n")
    code, log = _refuses_to_start(_env(root, tmp_path, "k"), tmp_path)
    assert code != 0
    assert str(root / "20000101-000000-gone") in log, log


def test_no_api_keys_stops_the_start(bundle_dir, tmp_path):
    env = _env(bundle_dir, tmp_path, "")
    code, log = _refuses_to_start(env, tmp_path)
    assert code != 0
    assert "API_KEYS" in log, log


# ------------------------------------------------------------------------------ decision database

@pytest.fixture(scope="module")
def service_without_db(bundle_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ops-nodb")
    blocker = tmp / "not-a-directory"
    blocker.write_text("a file where the database directory should be\n")
    key = "nodb-" + secrets.token_hex(8)
    env = _env(bundle_dir, tmp, key, DATABASE_URL=f"sqlite:///{blocker / 'decisions.db'}")
    with Gunicorn("service", env, workers=2, log_dir=tmp).start(timeout=240) as server:
        yield server, key


def test_database_unavailable_gives_503_and_scoring_keeps_working(service_without_db):
    server, key = service_without_db
    auth = {"X-API-Key": key}
    status, page = get_json(server.port, "/clients?page=1&per_page=3", key)
    assert status == 200
    cid = page["items"][0]["id"]

    body = json.dumps({"decision": "approve", "reason": "stable income", "advisor": "ops-test"}).encode()
    for _ in range(3):  # and it stays a clean 503, not a 500, on every try and every worker
        status, headers, data = http_request(server.port, "POST", f"/clients/{cid}/decision", body=body,
                                             headers={**auth, "Content-Type": "application/json"})
        assert status == 503, data[:300]
        assert headers["content-type"].startswith("application/json")
        payload = json.loads(data)
        assert payload["error"] and payload["detail"]
        status, headers, data = http_request(server.port, "GET", f"/clients/{cid}/decisions", headers=auth)
        assert status == 503 and headers["content-type"].startswith("application/json"), data[:300]

    status, score = get_json(server.port, f"/clients/{cid}/score", key)
    assert status == 200 and 0 <= score["probability"] <= 1
    status, batch = http_request(server.port, "POST", "/predict/batch", body=json.dumps({"ids": [cid]}).encode(),
                                 headers={**auth, "Content-Type": "application/json"})[::2]
    assert status == 200, batch[:300]
    assert http_request(server.port, "GET", "/health")[0] == 200
    assert http_request(server.port, "GET", f"/clients/{cid}/explanation?top=3", headers=auth)[0] == 200


def test_concurrent_decisions_are_all_kept(bundle_dir, tmp_path):
    key = "conc-" + secrets.token_hex(8)
    db = tmp_path / "decisions.db"
    with Gunicorn("service", _env(bundle_dir, tmp_path, key, GUNICORN_THREADS="4"), workers=2,
                  log_dir=tmp_path).start(timeout=240) as server:
        status, page = get_json(server.port, "/clients?page=1&per_page=4", key)
        clients = [item["id"] for item in page["items"]]
        threads_n, per_thread = 8, 30
        statuses: list[int] = []
        created: list[dict] = []
        lock = threading.Lock()

        def writer(t: int) -> None:
            for i in range(per_thread):
                cid = clients[(t + i) % len(clients)]
                body = json.dumps({"decision": "approve", "reason": f"writer {t} file {i}",
                                   "advisor": f"advisor-{t}"}).encode()
                status, _, data = http_request(server.port, "POST", f"/clients/{cid}/decision", body=body,
                                               headers={"X-API-Key": key, "Content-Type": "application/json"})
                with lock:
                    statuses.append(status)
                    if status == 201:
                        created.append(json.loads(data))

        workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads_n)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(180)
        expected = {f"writer {t} file {i}" for t in range(threads_n) for i in range(per_thread)}
        assert statuses.count(201) == len(expected), sorted(set(statuses))
        assert len({row["id"] for row in created}) == len(expected)

        stored = []
        for cid in clients:
            status, answer = get_json(server.port, f"/clients/{cid}/decisions?per_page=500", key)
            assert status == 200
            stored += answer["decisions"]
        assert sorted(d["reason"] for d in stored) == sorted(expected)
        assert len({d["id"] for d in stored}) == len(expected)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*), count(distinct reason) from advisor_decisions").fetchone() == (
            len(expected), len(expected))


# ------------------------------------------------------------------------------ dashboard, service down

def test_dashboard_serves_login_with_the_service_down(tmp_path):
    from werkzeug.security import generate_password_hash

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    env = {"SERVICE_URL": dead, "SERVICE_API_KEY": "k", "SECRET_KEY": secrets.token_hex(32),
           "DASHBOARD_USERS": json.dumps({"advisor": generate_password_hash("a-long-password")})}
    with Gunicorn("dashboard", env, workers=1, log_dir=tmp_path).start(timeout=240) as dash:
        status, _, body = http_request(dash.port, "GET", "/login")
        assert status == 200 and b'type="password"' in body
        status, _, body = http_request(dash.port, "GET", "/healthz")
        assert status == 200
