"""One database per service process: engine, connection pool, health and migrations.

``DATABASE_URL`` may be any SQLAlchemy URL; Heroku's ``postgres://`` form is read as
PostgreSQL through psycopg 3. The engine is created lazily in each process (gunicorn forks
workers after ``--preload``; a pool must never cross a fork). Every failure is a
:class:`DatabaseUnavailable` whose message names no host, port or password (the API answers
it with 503).

SQLite is the embedded default (rollback journal, busy timeout so concurrent writers wait). A
write to SQLite is acknowledged only when the file it went to is still the file at its path:
a database whose file or directory was removed while the service ran would otherwise
accept writes into a deleted inode and lose them at restart.

No SQLite file is ever mapped into memory: the journal is a rollback journal (``TRUNCATE``: the
``-journal`` file stays, so writes go on in a directory that became immutable) and ``mmap_size`` is 0.
WAL mode maps its ``-shm`` file, and once that file can no longer be written (made immutable with
``chattr +i``, write-protected) the next write into the mapping -- made even for a read, and possibly
by a request that checked the file a microsecond earlier -- kills the process with SIGBUS. Without a
mapping such a file only makes SQLite calls fail: writes are refused with :data:`READ_ONLY` (checked
before, and recognised after a failure), reads keep working, and a connection opened read-only is
replaced once the file is writable again. No connection crosses a fork (the child would share the
parent's locks).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, SQLAlchemyError

log = logging.getLogger("model_service.storage")

SQLITE_BUSY_TIMEOUT_MS = 15_000
#: A rollback journal, never WAL (its memory-mapped ``-shm`` turns a read-only file into SIGBUS).
SQLITE_JOURNAL_MODE = "TRUNCATE"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Serialises migrations of PostgreSQL databases shared by several instances (any constant).
PG_MIGRATION_LOCK = 7_150_015


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or written; the message is safe to show to a caller."""


READ_ONLY = ("the database file is read-only (write-protected or immutable): nothing can be stored "
             "until it is writable again")
#: Every Database of this process, closed before the process forks (see ``_before_fork``).
_OPEN: weakref.WeakSet[Database] = weakref.WeakSet()


def normalise_url(url: str) -> str:
    """Heroku's ``postgres://`` and plain ``postgresql://`` use psycopg 3 (the driver installed)."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def pool_size() -> int:
    """Connections per process: one per request thread plus the prediction-log writer."""
    configured = os.environ.get("DATABASE_POOL_SIZE", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    threads = os.environ.get("GUNICORN_THREADS", "4").strip()
    return (int(threads) if threads.isdigit() and int(threads) > 0 else 4) + 1


def short_error(exc: BaseException) -> str:
    """The first line of a driver error without connection details (host, port, user, file path)."""
    orig = getattr(exc, "orig", None) or exc
    name = type(orig).__name__
    message = str(orig).splitlines()[0] if str(orig) else name
    lowered = message.lower()
    if "connect" in lowered or "could not translate host" in lowered or "resolve host" in lowered:
        return f"{name}: cannot connect to the database server"
    if "unable to open database file" in lowered:
        return f"{name}: cannot open the database file"
    return f"{name}: {message}"[:200]


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    _journal_mode(cursor)
    cursor.execute("PRAGMA mmap_size=0")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    dbapi_connection.isolation_level = None  # transactions begun by _sqlite_begin below


def _journal_mode(cursor) -> None:
    """The rollback journal. A database left in WAL mode by an earlier version cannot leave it while another
    process has it open (SQLite answers "database is locked" at once): it is used as it is meanwhile (its
    ``-wal``/``-shm`` are guarded like the other files) and switched by the first connection that finds it
    alone, at the latest when the service restarts. A rollback-mode database (new: ``delete``) is switched
    under the usual busy timeout, like any write."""
    mode = str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if mode == SQLITE_JOURNAL_MODE.lower():
        return
    try:
        cursor.execute(f"PRAGMA journal_mode={SQLITE_JOURNAL_MODE}")
    except sqlite3.OperationalError:
        if mode != "wal":
            raise
        log.warning("SQLite database in WAL mode, held open by another process: switched to the rollback "
                    "journal once it is alone")


def _sqlite_begin(conn) -> None:
    """Take the write lock when a transaction starts: a read-then-write transaction never fails
    with "database is locked" because another process wrote in between (the busy timeout waits)."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    def __init__(self, url: str, create_parent: bool = False, migrate: bool = True):
        self.url = normalise_url(url)
        self.create_parent = create_parent
        self.migrate_at_start = migrate
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._ready = False
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()
        try:
            parsed = make_url(self.url)
            self.backend = parsed.get_backend_name()
            database = parsed.database or ""
        except ArgumentError:
            self.backend, database = "invalid", ""
        self.sqlite_path = (Path(database).resolve() if self.backend == "sqlite" and database
                            and database != ":memory:" and not database.startswith("file:") else None)
        self._sqlite_files = (() if self.sqlite_path is None else
                              tuple(Path(f"{self.sqlite_path}{suffix}") for suffix in ("", "-journal", "-wal", "-shm")))
        _OPEN.add(self)

    @property
    def safe_url(self) -> str:
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            return "(invalid DATABASE_URL)"

    # --- engine --------------------------------------------------------------------------------
    def _make_engine(self) -> Engine:
        url = make_url(self.url)
        if self.backend == "sqlite":
            if self.sqlite_path is not None:
                if self.create_parent:
                    self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
                elif not self.sqlite_path.parent.is_dir():
                    raise DatabaseUnavailable("the database directory does not exist")
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                                      "check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "connect", self._note_read_only)
            event.listen(engine, "checkout", self._replace_read_only)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        return create_engine(url, pool_pre_ping=True, pool_size=pool_size(), max_overflow=2, pool_timeout=10)

    def _read_only(self) -> bool:
        return any(_unwritable(path) for path in self._sqlite_files)

    def _check_writable(self) -> None:
        """SQLite: refuse a write while one of its files exists and cannot be written."""
        if self._read_only():
            raise DatabaseUnavailable(READ_ONLY)

    def _note_read_only(self, _dbapi_connection, record) -> None:
        """SQLite opens an unwritable database file read-only, for the connection's whole life."""
        record.info["read_only"] = self.sqlite_path is not None and _unwritable(self.sqlite_path)

    def _replace_read_only(self, _dbapi_connection, record, _proxy) -> None:
        if record.info.get("read_only") and not self._read_only():
            raise DisconnectionError("the database file is writable again")  # the pool reconnects

    def _unavailable(self, exc: SQLAlchemyError) -> DatabaseUnavailable:
        """A failed SQLite call because a file became read-only meanwhile says so, like the check before."""
        return DatabaseUnavailable(READ_ONLY if self._read_only() else short_error(exc))

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                if self._engine is not None:  # inherited across a fork: leave the parent's connections alone
                    self._engine.dispose(close=False)
                try:
                    self._engine = self._make_engine()
                except DatabaseUnavailable:
                    raise
                except (ArgumentError, SQLAlchemyError, ImportError, OSError) as exc:
                    raise DatabaseUnavailable(f"cannot configure the database: {type(exc).__name__}: "
                                              f"{str(exc).splitlines()[0][:160]}") from None
                self._pid = os.getpid()
                self._ready = False
            if not self._ready:
                read_only = self._read_only()  # reads go on; migrating waits until the files are writable
                try:
                    if self.migrate_at_start and not read_only:
                        upgrade(self._engine, self.sqlite_path)
                    with self._engine.connect() as conn:
                        conn.execute(text("SELECT 1"))
                except SQLAlchemyError as exc:
                    raise DatabaseUnavailable(f"database unreachable: {short_error(exc)}") from None
                except OSError as exc:
                    raise DatabaseUnavailable(f"database unreachable: {type(exc).__name__}") from None
                self._identity = self._file_identity()
                self._ready = not (read_only and self.migrate_at_start)
            return self._engine

    def _file_identity(self) -> tuple[int, int] | None:
        if self.sqlite_path is None:
            return None
        try:
            st = os.stat(self.sqlite_path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _check_durable(self) -> None:
        """SQLite: the file written is still the one at the path (else reopen, and refuse this write)."""
        if self.sqlite_path is None:
            return
        if self._file_identity() != self._identity or self._identity is None:
            with self._lock:
                if self._engine is not None:
                    self._engine.dispose()
                self._ready = False
            raise DatabaseUnavailable("the database file was moved or deleted while the service ran; "
                                      "nothing was stored")

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction, committed only if the database is still the durable one."""
        self._check_writable()
        engine = self.engine()
        self._check_durable()
        try:
            with engine.begin() as conn:
                yield conn
                if self.sqlite_path is not None:
                    self._check_durable()
        except SQLAlchemyError as exc:
            raise self._unavailable(exc) from exc

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        engine = self.engine()
        self._check_durable()
        try:
            with engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self._unavailable(exc) from exc

    def health(self) -> dict[str, str]:
        """``{"status": "ok"|"unavailable", "backend", "detail"?}`` for /health (no host, no path);
        a SQLite file that cannot be written is "unavailable": nothing can be stored."""
        try:
            self._check_writable()
            with self.connect() as conn:
                conn.execute(text("SELECT 1"))
            return {"status": "ok", "backend": self.backend}
        except DatabaseUnavailable as exc:
            return {"status": "unavailable", "backend": self.backend, "detail": str(exc)}

    def check(self) -> bool:
        state = self.health()
        if state["status"] != "ok":
            log.warning("database unavailable at start-up (%s): %s", self.safe_url, state.get("detail"))
        return state["status"] == "ok"

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _before_fork(self) -> None:
        """Close this process's connections so that no child inherits them (gunicorn forks its
        workers from the process that loaded the app, and checked the database)."""
        if self._engine is None or self._pid != os.getpid():
            return
        with self._lock:
            self._engine.dispose()
            self._engine, self._pid, self._ready = None, None, False


def _unwritable(path: Path) -> bool:
    """The file exists and cannot be written, by two looks in a row (each: ``access``, then existence).
    Another process may create or delete the ``-journal`` (or the database) between two calls: a
    file that was absent and then appeared writable, or appeared and was deleted again, must not read
    as read-only."""
    return all(not os.access(path, os.W_OK) and os.path.lexists(path) for _ in range(2))


def _before_fork() -> None:
    for db in list(_OPEN):
        db._before_fork()


os.register_at_fork(before=_before_fork)


def alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, sqlite_path: Path | None = None, revision: str = "head") -> None:
    """Bring the database to ``revision``; several processes starting together take turns."""
    from alembic import command

    cfg = alembic_config()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            try:
                conn.commit()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
                conn.commit()
        return
    with _file_lock(sqlite_path), engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


@contextmanager
def _file_lock(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    fd = os.open(f"{path}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
