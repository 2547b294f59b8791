"""The service's durable state on SQLite and on a real PostgreSQL server (each test runs on both):
migrations, decisions (revisions, paging, concurrent writers in several processes), outcomes,
the prediction log in the database (batches, spill and replay, lost count), retention, and the
defects found by probing the stores (removed SQLite directory, postgres:// URLs, racing start-ups,
error details naming the server)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from model_service.decisions import Conflict, DecisionStore
from model_service.outcomes import record as record_outcomes
from model_service.prediction_log import BatchEntry, Entry, PredictionLog, now
from model_service.storage.__main__ import enforce_retention
from model_service.storage.database import Database, DatabaseUnavailable, normalise_url
from model_service.storage.log_sinks import DatabaseSink
from model_service.storage.schema import decisions, outcomes, prediction_batches, predictions

MODEL = {"probability": 0.1, "score": 40.0, "decision": "approve"}
CTX = multiprocessing.get_context("spawn")  # a clean interpreter, like a second dyno


def count(db: Database, table) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --- migrations --------------------------------------------------------------------------------------
def test_migrations_create_the_schema_and_rerun_as_a_no_op(database_url):
    db = Database(database_url, create_parent=True)
    assert db.health() == {"status": "ok", "backend": db.backend}
    engine = create_engine(normalise_url(database_url))
    tables = set(inspect(engine).get_table_names())
    assert {"advisor_decisions", "prediction_log", "outcomes", "oversight_switch", "alembic_version"} <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
    Database(database_url).health()  # second start: nothing to do, nothing broken
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()


def test_a_database_of_the_previous_service_is_upgraded_keeping_its_decisions(database_url):
    engine = create_engine(normalise_url(database_url))
    key = "SERIAL PRIMARY KEY" if engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    with engine.begin() as conn:  # the table as the previous service created it (create_all, no Alembic)
        conn.execute(text(
            f"CREATE TABLE advisor_decisions (id {key}, client_id BIGINT NOT NULL, "
            "decision VARCHAR(16) NOT NULL, reason TEXT NOT NULL, advisor VARCHAR(200) NOT NULL, "
            "created_at TIMESTAMP NOT NULL, model_probability FLOAT, model_score FLOAT, "
            "model_decision VARCHAR(16), model_version VARCHAR(100))"))
        for _ in range(3):
            conn.execute(text("INSERT INTO advisor_decisions (client_id, decision, reason, advisor, created_at, "
                              "model_probability, model_score, model_decision, model_version) VALUES (5, 'approve', "
                              "'old reason', 'x', '2026-01-01 10:00:00', 0.1, 40, 'approve', 'v0')"))
    engine.dispose()
    store = DecisionStore(Database(database_url))
    rows, total = store.for_client(5)
    assert total == 3 and [r["sequence"] for r in rows] == [3, 2, 1]
    assert store.add(5, "approve", "still a good file", "b", MODEL, "v1", "key:x")["sequence"] == 4


def test_the_release_phase_migrates_an_empty_database_then_has_nothing_to_do(database_url, tmp_path):
    """``bin/release`` (Heroku's release phase: ``python -m model_service.storage upgrade``) on an empty
    database, with the URL as Heroku gives it; run again, it changes nothing; ``current`` names the head."""
    import subprocess
    import sys
    import time

    from alembic.script import ScriptDirectory

    from model_service.storage.database import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "APP_ROLE": "service", "DATABASE_URL": database_url, "PYTHONPATH": str(repo),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    runs = []
    for _ in range(2):
        t0 = time.perf_counter()
        done = subprocess.run([str(repo / "bin" / "release")], env=env, capture_output=True, text=True, timeout=120)
        runs.append((done.returncode, time.perf_counter() - t0, done.stdout.strip()))
        assert done.returncode == 0, done.stderr[-2000:]
    current = subprocess.run([sys.executable, "-m", "model_service.storage", "current"], env=env,
                             capture_output=True, text=True, timeout=120)
    print(f"\nmigrations on {database_url.split(':')[0]}: first run {runs[0][1]:.1f} s, second {runs[1][1]:.1f} s; "
          f"current {current.stdout.strip()} (head {head}); prints '{runs[0][2].splitlines()[-1]}'")
    assert current.returncode == 0 and current.stdout.strip() == head
    db = Database(database_url, migrate=False)
    assert {"advisor_decisions", "prediction_log", "outcomes", "oversight_switch"} <= set(
        inspect(db.engine()).get_table_names())
    db.dispose()


def _start(url: str) -> dict[str, str]:
    return Database(url).health()


def test_instances_starting_together_do_not_race_on_creating_the_tables(database_url):
    """Four instances open a new database at once: all report it ok (a failure shows the detail)."""
    with CTX.Pool(4) as pool:
        states = pool.map(_start, [database_url] * 4)
    assert [state["status"] for state in states] == ["ok"] * 4, states


def test_heroku_postgres_url_is_read_with_psycopg():
    assert normalise_url("postgres://u:p@host:5432/db") == "postgresql+psycopg://u:p@host:5432/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_an_unreachable_server_is_reported_without_its_address():
    db = Database("postgres://user:secret@127.0.0.1:1/db")
    state = db.health()
    assert state["status"] == "unavailable" and state["backend"] == "postgresql"
    for leak in ("127.0.0.1", "secret", "user", ":1", "port"):
        assert leak not in state["detail"], state
    with pytest.raises(DatabaseUnavailable) as err:
        DecisionStore(db).add(1, "approve", "a fine reason", "a", MODEL, "v1", "key:x")
    assert "127.0.0.1" not in str(err.value)


# --- decisions ---------------------------------------------------------------------------------------
def test_contradicting_decision_needs_the_latest_id_and_is_recorded_as_a_revision(database_url):
    store = DecisionStore(Database(database_url, create_parent=True))
    first = store.add(7, "approve", "stable income", "alice", MODEL, "v1", "key:aaa")
    same = store.add(7, "approve", "confirmed on file", "bob", MODEL, "v1", "key:aaa")
    assert same["revision_of"] is None and same["sequence"] == 2
    with pytest.raises(Conflict) as err:
        store.add(7, "decline", "new debt found", "bob", MODEL, "v1", "key:aaa")
    assert err.value.latest["id"] == same["id"]
    with pytest.raises(Conflict):  # naming an older decision is not enough
        store.add(7, "decline", "new debt found", "bob", MODEL, "v1", "key:aaa", revises=first["id"])
    revised = store.add(7, "decline", "new debt found", "bob", MODEL, "v1", "key:bbb", revises=same["id"])
    assert revised["revision_of"] == same["id"] and revised["api_key_id"] == "key:bbb"
    with pytest.raises(Conflict):  # a second advisor revising the same decision: it is no longer the latest
        store.add(7, "decline", "also new debt", "carol", MODEL, "v1", "key:aaa", revises=same["id"])
    assert store.latest([7])[7]["id"] == revised["id"]


def test_decisions_are_paged_with_a_total_beyond_500(database_url):
    db = Database(database_url, create_parent=True)
    now_ = datetime.now(UTC)
    with db.begin() as conn:
        conn.execute(decisions.insert(), [
            {"client_id": 9, "sequence": k, "decision": "approve", "reason": f"reason {k}", "advisor": "a",
             "api_key_id": "key:x", "created_at": now_, "model_version": "v1"} for k in range(1, 601)])
    store = DecisionStore(db)
    rows, total = store.for_client(9, page=1, per_page=500)
    assert total == 600 and len(rows) == 500 and rows[0]["sequence"] == 600
    rest, _ = store.for_client(9, page=2, per_page=500)
    assert len(rest) == 100 and rest[-1]["sequence"] == 1
    assert {r["id"] for r in rows} | {r["id"] for r in rest} == set(range(1, 601))


def _write_decisions(args: tuple[str, int]) -> list[int]:
    url, worker = args
    store = DecisionStore(Database(url))
    ids = []
    for k in range(40):
        ids.append(store.add(100 + k % 3, "approve", f"reason {worker}-{k}", f"advisor {worker}", MODEL, "v1",
                             f"key:{worker}")["id"])
    return ids


def test_concurrent_writers_in_several_processes_lose_and_duplicate_nothing(database_url):
    Database(database_url, create_parent=True).health()
    with CTX.Pool(4) as pool:
        acknowledged = [i for ids in pool.map(_write_decisions, [(database_url, w) for w in range(4)]) for i in ids]
    store = DecisionStore(Database(database_url))
    rows = [r for cid in (100, 101, 102) for r in store.for_client(cid, per_page=500)[0]]
    assert len(acknowledged) == len(set(acknowledged)) == 160
    assert sorted(r["id"] for r in rows) == sorted(acknowledged)
    assert {r["reason"] for r in rows} == {f"reason {w}-{k}" for w in range(4) for k in range(40)}
    for cid in (100, 101, 102):
        seqs = sorted(r["sequence"] for r in rows if r["client_id"] == cid)
        assert seqs == list(range(1, len(seqs) + 1))


def test_decisions_are_refused_once_the_sqlite_directory_is_removed(tmp_path):
    folder = tmp_path / "var"
    db = Database(f"sqlite:///{folder / 'd.db'}", create_parent=True)
    store = DecisionStore(db)
    store.add(1, "approve", "a fine reason", "a", MODEL, "v1", "key:x")
    shutil.rmtree(folder)
    with pytest.raises(DatabaseUnavailable, match="moved or deleted"):
        store.add(1, "approve", "a fine reason", "a", MODEL, "v1", "key:x")
    assert db.health()["status"] == "unavailable"


def test_a_database_left_in_wal_mode_is_used_while_held_then_switched_to_the_rollback_journal(tmp_path):
    """A SQLite file in WAL mode (an earlier version, or another process, has it open in a read transaction):
    the service stores and reads at once (no 15 s wait, no "database is locked"), and the first connection that
    finds the file alone switches it to the rollback journal: no -wal or -shm (no memory-mapped file) is left."""
    path = tmp_path / "service.db"
    first = Database(f"sqlite:///{path}")
    DecisionStore(first).add(1, "approve", "a fine reason", "a", MODEL, "v1", "key:x")
    first.dispose()
    other = sqlite3.connect(path, isolation_level=None)
    assert other.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    other.execute("BEGIN")
    assert other.execute("SELECT count(*) FROM advisor_decisions").fetchone() == (1,)  # a read transaction open
    db = Database(f"sqlite:///{path}")
    store = DecisionStore(db)
    started = time.monotonic()
    store.add(1, "approve", "stored while the other process reads", "a", MODEL, "v1", "key:x")
    assert store.for_client(1)[1] == 2 and time.monotonic() - started < 5
    with db.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").fetchone() == ("wal",)  # kept while held
    db.dispose()
    other.close()
    again = Database(f"sqlite:///{path}")
    with again.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").fetchone() == ("truncate",)
    assert DecisionStore(again).for_client(1)[1] == 2
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    again.dispose()


def test_no_connection_crosses_a_fork(database_url):
    """gunicorn forks its workers from the process that loaded the app and checked the database: that
    process's connections are closed just before (a child sharing them corrupts SQLite's locks, or
    shares a PostgreSQL socket); the child and the parent reopen theirs."""
    db = Database(database_url, create_parent=True)
    store = DecisionStore(db)
    store.add(1, "approve", "a fine reason", "a", MODEL, "v1", "key:x")
    assert db._engine is not None
    pid = os.fork()
    if pid == 0:  # the child: nothing inherited, and it stores on its own connection
        code = 3 if db._engine is not None else 0
        try:
            store.add(1, "approve", "written by the child", "a", MODEL, "v1", "key:x")
        except Exception:  # noqa: BLE001
            code = code or 4
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert [r["reason"] for r in store.for_client(1)[0]] == ["written by the child", "a fine reason"]
    db.dispose()


# --- outcomes ----------------------------------------------------------------------------------------
def test_outcomes_are_inserted_updated_and_never_duplicated(database_url):
    db = Database(database_url, create_parent=True)
    day = date(2026, 11, 30)
    first = record_outcomes(db, [(1, True, day), (2, False, day), (2, False, day)], "csv:a.csv")
    assert first == {"received": 3, "inserted": 2, "updated": 0, "unchanged": 0}
    again = record_outcomes(db, [(1, True, day), (2, True, day), (3, False, day + timedelta(days=1))], "api:k")
    assert again == {"received": 3, "inserted": 1, "updated": 1, "unchanged": 1}
    with db.connect() as conn:
        got = {(r.client_id, r.defaulted) for r in conn.execute(select(outcomes.c.client_id, outcomes.c.defaulted))}
    assert got == {(1, True), (2, True), (3, False)}


# --- prediction log in the database ------------------------------------------------------------------
def _entries(n: int) -> list:
    out: list = [Entry(now(), "score", k, 0.1, 12.5, "approve", ["A", "B"], [1.5, float("nan")]) for k in range(n)]
    out.append(BatchEntry(now(), "batch", [8, 9], np.array([0.2, 0.9]), np.array([20.0, 90.0]),
                          np.array(["approve", "decline"]), None))
    return out


def test_prediction_log_goes_to_the_database_in_batches(database_url, tmp_path):
    db = Database(database_url, create_parent=True)
    log = PredictionLog(DatabaseSink(db), "v1", maxsize=10_000, spill_dir=tmp_path / "spill")
    for item in _entries(1000):
        log.put(item)
    log.close()
    assert count(db, predictions) == 1002
    assert log.health() == {"enabled": True, "target": "database", "written": 1002, "spilled": 0, "pending": 0,
                            "lost": 0}
    with db.connect() as conn:
        row = conn.execute(select(predictions).where((predictions.c.client_id == 9) & (predictions.c.endpoint == "batch"))).mappings().one()
    assert row["features"] is None and row["features_source"] == "store" and row["decision"] == "decline"


class FlakySink(DatabaseSink):
    """Fails while ``down`` is set, like a database restarting."""

    def __init__(self, db):
        super().__init__(db)
        self.down = True

    def write(self, records):
        if self.down:
            raise DatabaseUnavailable("OperationalError: cannot connect to the database server")
        super().write(records)


def test_records_spill_to_disk_while_the_database_is_down_and_are_replayed_once(database_url, tmp_path):
    db = Database(database_url, create_parent=True)
    sink = FlakySink(db)
    log = PredictionLog(sink, "v1", maxsize=8, spill_dir=tmp_path / "spill")
    for item in _entries(300):  # the small queue overflows too: the request side spills
        log.put(item)
    log.flush()
    state = log.health()
    assert state["lost"] == 0 and state["spilled"] == 302 and state["pending"] == 302
    assert count(db, predictions) == 0
    sink.down = False
    log.flush()
    log.close()
    assert count(db, predictions) == 302
    with db.connect() as conn:
        assert conn.execute(select(func.count(func.distinct(predictions.c.record_id)))).scalar_one() == 302
    assert log.health()["pending"] == 0 and log.health()["lost"] == 0


def test_records_that_can_be_neither_written_nor_spilled_are_counted_lost(database_url, tmp_path):
    db = Database(database_url, create_parent=True)
    spill = tmp_path / "spill"
    log = PredictionLog(FlakySink(db), "v1", maxsize=8, spill_dir=spill)
    log._spill_lock.acquire()  # noqa: SLF001 - nothing happens until the spill directory is gone
    shutil.rmtree(spill)
    spill.write_text("not a directory")
    log._spill_lock.release()  # noqa: SLF001
    for item in _entries(20):
        log.put(item)
    log.close()
    assert log.lost == 22


def test_retention_deletes_only_records_older_than_the_limit(database_url, tmp_path):
    db = Database(database_url, create_parent=True)
    today = datetime.now(UTC)
    rows = [{"record_id": f"r{k}", "logged_at": today - timedelta(days=k * 100), "endpoint": "score",
             "client_id": k, "probability": 0.1, "score": 10.0, "decision": "approve", "model_version": "v1",
             "role": "champion", "features": None, "features_source": "store"} for k in range(6)]
    batches = [{"kind": "batch", "batch_id": f"b{k}", "logged_at": today - timedelta(days=k * 300), "n_rows": 1,
                "columns": '{"AMT_CREDIT": [1.0]}'} for k in range(2)]  # a columnar batch's values, 0 and 300 days
    old_batch = {**rows[0], "record_id": "rb", "logged_at": today - timedelta(days=600), "features_source": "batch",
                 "batch_id": "b2", "batch_row": 0}
    DatabaseSink(db).write([*rows, *batches, {**batches[1], "batch_id": "b2", "logged_at": old_batch["logged_at"]},
                            old_batch])
    assert enforce_retention(db, 400, now=today) == 2  # 500 and 600 days old; 400 is kept (not older than 400 days)
    assert count(db, predictions) == 5
    assert count(db, prediction_batches) == 2  # the 600-day-old batch went with its row
    Path(tmp_path).exists()
