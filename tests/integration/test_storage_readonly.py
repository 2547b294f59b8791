"""A SQLite database whose files stop being writable while the real service runs (``bin/web`` ->
gunicorn, 2 workers): made immutable with ``chattr +i`` -- its ``-journal`` alone, then the database
and its journal -- and its directory made immutable.

In WAL mode the first write into the memory-mapped ``-shm`` killed the worker with SIGBUS (118 deaths
in 10 s before a guard; with the guard, still a worker now and then: a request that checked the file
just before it froze). Now no file is mapped: no worker dies (same PIDs, two boots in the log, no
SIGBUS, also at shutdown), no client is disconnected, writes are answered 503 in JSON, reads (the
decision history) and scoring still answer 200, /health reports the database state, and once the
files are writable again decisions are stored and every prediction record of the whole run is in the
database (spilled while the database refused, then replayed).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.load import Gunicorn, get_json, http_request
from model_service.decisions import DecisionStore
from model_service.storage.database import READ_ONLY, Database, DatabaseUnavailable
from model_service.storage.schema import decisions, predictions

pytestmark = pytest.mark.slow

SECONDS_PER_PHASE = 4.0
THREADS = 4


def _chattr(flag: str, *paths: Path) -> None:
    subprocess.run(["chattr", flag, *map(str, paths)], check=True, capture_output=True)


@pytest.fixture
def folder(tmp_path):
    """A directory on a file system that supports ``chattr +i``; never left immutable."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr (e2fsprogs) is not installed")
    probe = tmp_path / "probe"
    probe.write_text("x")
    if subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode != 0:
        pytest.skip("this file system or user cannot make a file immutable (chattr +i needs root on ext4/xfs)")
    _chattr("-i", probe)
    db_dir = tmp_path / "db"
    db_dir.mkdir()
    try:
        yield db_dir
    finally:
        subprocess.run(["chattr", "-R", "-i", str(tmp_path)], capture_output=True)


class Traffic:
    """Bounded concurrent traffic, one fresh connection per request: decisions, decision history,
    scores (each logged) and /health. Counts statuses per kind and connections that got no answer."""

    def __init__(self, port: int, key: str, clients: list[int]):
        self.port, self.key, self.clients = port, key, clients
        self.statuses: Counter = Counter()
        self.disconnects: Counter = Counter()
        self.bodies: dict[tuple[str, int], dict] = {}
        self.scored = 0
        self.calls = 0
        self._lock = threading.Lock()

    def call(self, kind: str, n: int) -> int:
        cid = self.clients[n % len(self.clients)]
        headers = {"X-API-Key": self.key, "Content-Type": "application/json"}
        method, path, body = {
            "decision": ("POST", f"/clients/{cid}/decision",
                         json.dumps({"decision": "approve", "reason": f"Dossier complet, appel {n}",
                                     "advisor": "adv", "revises": None}).encode()),
            "history": ("GET", f"/clients/{cid}/decisions?per_page=1", None),
            "score": ("GET", f"/clients/{cid}/score", None),
            "health": ("GET", "/health", None),
        }[kind]
        try:
            status, _, data = http_request(self.port, method, path, body=body, headers=headers, timeout=20)
        except OSError as exc:  # RemoteDisconnected, reset, refused: the worker died under the request
            with self._lock:
                self.disconnects[f"{kind}: {type(exc).__name__}"] += 1
            return -1
        with self._lock:
            self.calls += 1
            self.statuses[(kind, status)] += 1
            self.scored += kind == "score" and status == 200
            self.bodies.setdefault((kind, status), json.loads(data))
        return status

    def run(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        kinds = ("decision", "history", "score", "health")

        def loop(t: int) -> None:
            n = t
            while time.monotonic() < end:
                self.call(kinds[n % len(kinds)], n)
                n += THREADS

        threads = [threading.Thread(target=loop, args=(t,)) for t in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 60)

    def reset(self) -> None:
        self.statuses.clear()
        self.bodies.clear()


def _records(url: str) -> int:
    db = Database(url, migrate=False)
    try:
        with db.connect() as conn:
            return conn.execute(select(func.count()).select_from(predictions)).scalar_one()
    finally:
        db.dispose()


def test_read_only_sqlite_files_answer_503_and_kill_no_worker(fast_bundle, folder, tmp_path):
    key = "ro-" + secrets.token_hex(8)
    db_path = folder / "service.db"
    url = f"sqlite:///{db_path}"
    files = [db_path, Path(f"{db_path}-journal")]
    env = {"MODEL_BUNDLE": str(fast_bundle), "API_KEYS": key, "DATABASE_URL": url, "LOG_LEVEL": "INFO",
           "PREDICTION_SPILL_DIR": str(tmp_path / "spill"), "RATE_LIMIT": "100000000 per minute",
           "GUNICORN_THREADS": "4"}
    server = Gunicorn("service", env, workers=2, log_dir=tmp_path).start(timeout=240)
    try:
        clients = [i["id"] for i in get_json(server.port, "/clients?page=1&per_page=8", key)[1]["items"]]
        traffic = Traffic(server.port, key, clients)
        traffic.run(2.0)  # both workers open their connections
        assert traffic.statuses[("decision", 201)] > 0 and not traffic.disconnects, traffic.statuses
        assert all(f.exists() for f in files), "the database has no persistent rollback journal"
        assert not any(Path(f"{db_path}{suffix}").exists() for suffix in ("-wal", "-shm")), "WAL mode"
        workers = sorted(server.pids()[1:])
        assert len(workers) == 2

        for frozen in ([files[1]], files):
            _chattr("+i", *frozen)
            traffic.reset()
            traffic.run(SECONDS_PER_PHASE)
            seen = dict(traffic.statuses)
            print(f"\n{len(frozen)} file(s) immutable: {seen}, disconnects {dict(traffic.disconnects)}")
            assert not traffic.disconnects, traffic.disconnects
            assert {s for (k, s) in seen if k == "decision"} == {503}, seen
            assert traffic.bodies[("decision", 503)] == {"error": "service unavailable", "detail": READ_ONLY}
            assert {s for (k, s) in seen if k in ("history", "score", "health")} == {200}, seen
            health = traffic.bodies[("health", 200)]
            assert health["status"] == "degraded"
            assert health["database"] == {"status": "unavailable", "backend": "sqlite", "detail": READ_ONLY}
            _chattr("-i", *frozen)
            assert traffic.call("decision", 10_001) == 201  # writable again: stored again, same workers
            assert get_json(server.port, "/health")[1]["database"] == {"status": "ok", "backend": "sqlite"}

        # an immutable directory with writable files: nothing to refuse, nothing crashes
        _chattr("+i", folder)
        traffic.reset()
        traffic.run(2.0)
        _chattr("-i", folder)
        assert not traffic.disconnects and traffic.statuses[("decision", 201)] > 0, traffic.statuses

        # the records spilled while the database refused are replayed. Each worker answers /health for its own
        # queue (and the shared spill files): nothing pending in 6 answers in a row, not one (CI: one worker's
        # 0, then the other's 6 still queued)
        deadline, settled = time.monotonic() + 30, 0
        while time.monotonic() < deadline and settled < 6:
            state = get_json(server.port, "/health")[1]["prediction_log"]
            settled = settled + 1 if state["pending"] == 0 else 0
            time.sleep(0.2)
        assert state["lost"] == 0 and state["pending"] == 0, state
        assert sorted(server.pids()[1:]) == workers, "a worker died and was replaced"

        _chattr("+i", *files)  # stopping with the files immutable: closing a connection would crash it
        server.stop()
    finally:
        server.stop()
        subprocess.run(["chattr", "-R", "-i", str(folder)], capture_output=True)
    log = server.log_path.read_text(errors="replace")
    print(f"worker boots: {log.count('Booting worker')}, SIGBUS: {log.count('SIGBUS')}, "
          f"records logged {traffic.scored}")
    assert log.count("Booting worker") == 2 and "SIGBUS" not in log, log[-3000:]
    assert _records(url) == traffic.scored  # every score answered was logged, once
    with Database(url, migrate=False).connect() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar_one() > 0


REPO = Path(__file__).resolve().parents[2]
_COUNTERS_CHILD = """
import subprocess, sys
from pathlib import Path
from limits_sqlite import SQLiteStorage
folder = Path(sys.argv[1])
store = SQLiteStorage(f"sqlite:///{folder / 'counters.db'}")
store.incr("login:advisor", 60)
store.incr("login:advisor", 60)
subprocess.run(["chattr", "+i", *map(str, folder.iterdir())], check=True)
for _ in range(2):
    try:
        store.incr("login:advisor", 60)
        print("counted")
    except Exception as exc:
        print("refused", type(exc).__name__)
print("alive")
"""


def test_rate_limit_counters_on_an_immutable_file_are_refused_not_a_sigbus(folder):
    """The shared rate-limit / login-throttle counters (``limits_sqlite``) on a file that turned immutable:
    the increment fails with a SQLite error (the apps answer 503), the process lives on (WAL's memory-mapped
    ``-shm`` would kill it with SIGBUS: exit status -7)."""
    proc = subprocess.run([sys.executable, "-c", _COUNTERS_CHILD, str(folder)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, f"counter process died with status {proc.returncode}: {proc.stderr[-500:]}"
    lines = proc.stdout.split("\n")
    assert lines[:3] == ["refused OperationalError", "refused OperationalError", "alive"], proc.stdout
    assert not list(folder.glob("*-shm")) and not list(folder.glob("*-wal"))  # no memory-mapped file beside it


_RACE_CHILD = """
import subprocess, sys
from pathlib import Path
from model_service.decisions import DecisionStore
from model_service.storage import database
from model_service.storage.database import Database, DatabaseUnavailable
folder = Path(sys.argv[1])
db = Database(f"sqlite:///{folder / 'service.db'}")
store = DecisionStore(db)
model = {"probability": 0.05, "score": 20.0, "decision": "approve"}
store.add(1, "approve", "Dossier complet", "adv", model, "v1", "key:x")  # the connection is open
database._unwritable = lambda path: False  # the check ran just before the files froze
subprocess.run(["chattr", "+i", *map(str, folder.iterdir())], check=True)
for _ in range(2):
    try:
        store.add(1, "approve", "Dossier complet", "adv", model, "v1", "key:x")
        print("stored")
    except DatabaseUnavailable:
        print("refused")
print("read", store.for_client(1)[1])
print("alive")
"""


def test_a_write_that_passed_the_check_just_before_the_file_froze_is_refused_not_a_sigbus(folder):
    """The check before a write and the write itself are two moments: a file frozen in between (CI saw it
    once under traffic: one worker gone, one client disconnected) must make the write fail, not kill the
    process. With WAL (``SQLITE_JOURNAL_MODE = "WAL"``) this child dies of SIGBUS (status -7)."""
    proc = subprocess.run([sys.executable, "-c", _RACE_CHILD, str(folder)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, f"the process died with status {proc.returncode}: {proc.stderr[-800:]}"
    assert proc.stdout.split("\n")[:4] == ["refused", "refused", "read 1", "alive"], proc.stdout


def test_a_connection_opened_while_the_file_was_immutable_is_replaced_once_it_is_writable(folder):
    """SQLite opens an unwritable database file read-only for the connection's whole life: such a pooled
    connection would refuse every write after the file is writable again. It reads while the file is
    immutable, and is replaced by a writable one afterwards."""
    url = f"sqlite:///{folder / 'service.db'}"
    model = {"probability": 0.05, "score": 20.0, "decision": "approve"}
    DecisionStore(Database(url)).add(1, "approve", "Dossier complet", "adv", model, "v1", "key:x")
    _chattr("+i", *folder.iterdir())
    db = Database(url)  # a new process's pool: its first connection opens the file read-only
    store = DecisionStore(db)
    try:
        assert store.for_client(1)[1] == 1  # reads go on
        with pytest.raises(DatabaseUnavailable) as refused:
            store.add(1, "approve", "Dossier complet", "adv", model, "v1", "key:x")
        assert str(refused.value) == READ_ONLY
        assert db.health() == {"status": "unavailable", "backend": "sqlite", "detail": READ_ONLY}
    finally:
        _chattr("-i", *folder.iterdir())
    store.add(1, "approve", "Dossier complet, à nouveau", "adv", model, "v1", "key:x")
    assert store.for_client(1)[1] == 2 and db.health() == {"status": "ok", "backend": "sqlite"}
    db.dispose()
