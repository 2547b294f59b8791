"""Advisors' decisions, stored with SQLAlchemy Core: SQLite by default (WAL journal,
busy timeout, so concurrent writers wait instead of failing), PostgreSQL or any
SQLAlchemy URL through ``DATABASE_URL``.

The engine is created lazily in each process (gunicorn forks workers after
``--preload``; a connection pool must never cross a fork). Any database failure
raises :class:`DatabaseUnavailable`, which the API answers with 503.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

log = logging.getLogger("model_service.decisions")

metadata = MetaData()
decisions = Table(
    "advisor_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", BigInteger, nullable=False, index=True),
    Column("decision", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("advisor", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("model_probability", Float, nullable=True),
    Column("model_score", Float, nullable=True),
    Column("model_decision", String(16), nullable=True),
    Column("model_version", String(100), nullable=True),
)

SQLITE_BUSY_TIMEOUT_MS = 15_000


class DatabaseUnavailable(RuntimeError):
    """The decision database cannot be reached or written."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class DecisionStore:
    def __init__(self, url: str, create_parent: bool = False):
        self.url = url
        self.create_parent = create_parent
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._ready = False
        self._lock = threading.Lock()

    @property
    def safe_url(self) -> str:
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            return "(invalid DATABASE_URL)"

    def _make_engine(self) -> Engine:
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            if self.create_parent and database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                                      "check_same_thread": False}, pool_pre_ping=False)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                if self._engine is not None:  # inherited across a fork: leave the parent's connections alone
                    self._engine.dispose(close=False)
                try:
                    self._engine = self._make_engine()
                except (ArgumentError, SQLAlchemyError, ImportError, OSError) as exc:
                    raise DatabaseUnavailable(f"cannot configure the decision database: {exc}") from None
                self._pid = os.getpid()
                self._ready = False
            if not self._ready:
                try:
                    metadata.create_all(self._engine, checkfirst=True)
                except SQLAlchemyError as exc:
                    raise DatabaseUnavailable(f"decision database unreachable: {_short(exc)}") from None
                self._ready = True
            return self._engine

    def check(self) -> bool:
        try:
            self.engine()
            return True
        except DatabaseUnavailable as exc:
            log.warning("decision database unavailable at start-up (%s): %s", self.safe_url, exc)
            return False

    def add(self, client_id: int, decision: str, reason: str, advisor: str, model: dict[str, Any],
            model_version: str) -> dict[str, Any]:
        row = {
            "client_id": int(client_id), "decision": decision, "reason": reason, "advisor": advisor,
            "created_at": datetime.now(UTC),
            "model_probability": model.get("probability"), "model_score": model.get("score"),
            "model_decision": model.get("decision"), "model_version": model_version,
        }
        engine = self.engine()
        try:
            with engine.begin() as conn:
                result = conn.execute(insert(decisions).values(**row))
                new_id = int(result.inserted_primary_key[0])
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(f"could not store the decision: {_short(exc)}") from None
        return as_json({"id": new_id, **row})

    def for_client(self, client_id: int, limit: int = 500) -> list[dict[str, Any]]:
        engine = self.engine()
        query = (select(decisions).where(decisions.c.client_id == int(client_id))
                 .order_by(decisions.c.created_at.desc(), decisions.c.id.desc()).limit(limit))
        try:
            with engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(f"could not read decisions: {_short(exc)}") from None
        return [as_json(dict(r)) for r in rows]

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    created = row["created_at"]
    if isinstance(created, datetime):
        created = (created if created.tzinfo else created.replace(tzinfo=UTC)).astimezone(UTC)
        row["created_at"] = created.isoformat().replace("+00:00", "Z")
    return row


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return text[:200]
