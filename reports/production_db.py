"""Read the service's database (prediction log, decisions, outcomes) for the offline reports.

The tables are those of ``model_service/storage`` (see docs/deploy.md): ``prediction_log``,
``advisor_decisions`` and ``outcomes``. They are reflected from the database, so these
read-only tools work on any migrated database, SQLite or PostgreSQL (Heroku's
``postgres://`` form accepted), without running migrations.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import MetaData, Table, create_engine, inspect, select
from sqlalchemy.engine import Engine

from scoring.monitoring.challenger import shadow_pairs
from scoring.monitoring.log_rows import fill_features

__all__ = ["shadow_pairs", "read_predictions", "read_outcomes", "read_decisions", "engine_for", "normalise_url"]

PREDICTIONS, DECISIONS, OUTCOMES = "prediction_log", "advisor_decisions", "outcomes"
BATCHES = "prediction_batches"


class DatabaseInputError(ValueError):
    """The database lacks a table or cannot be read."""


def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def engine_for(url: str) -> Engine:
    return create_engine(normalise_url(url))


def _table(engine: Engine, name: str) -> Table | None:
    if not inspect(engine).has_table(name):
        return None
    return Table(name, MetaData(), autoload_with=engine)


def _utc(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    t = pd.Timestamp(value)
    return (t.tz_localize(UTC) if t.tzinfo is None else t.tz_convert(UTC)).to_pydatetime()


def read_predictions(engine: Engine, since=None, until=None, role: str | None = "champion",
                     with_features: bool = False) -> pd.DataFrame:
    """Scored rows in [since, until): scored_at (UTC), client_id, probability, score, decision,
    model_version, endpoint, role (+ features, parsed, when asked)."""
    table = _table(engine, PREDICTIONS)
    if table is None:
        raise DatabaseInputError(f"the database has no {PREDICTIONS} table (run the migrations, or log to it first)")
    cols = [table.c.logged_at, table.c.client_id, table.c.probability, table.c.score, table.c.decision,
            table.c.model_version, table.c.endpoint]
    has_role = "role" in table.c
    if has_role:
        cols.append(table.c.role)
    batched = with_features and "batch_id" in table.c and _table(engine, BATCHES) is not None
    if with_features:
        cols.append(table.c.features)
    if batched:
        cols += [table.c.batch_id, table.c.batch_row]
    query = select(*cols)
    if since is not None:
        query = query.where(table.c.logged_at >= _utc(since))
    if until is not None:
        query = query.where(table.c.logged_at < _utc(until))
    if role is not None and has_role:
        query = query.where(table.c.role == role)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query.order_by(table.c.logged_at)).mappings().all(),
                             columns=[c.name for c in cols])
    frame = frame.rename(columns={"logged_at": "scored_at"})
    if not has_role:
        frame["role"] = "champion"
    frame["scored_at"] = pd.to_datetime(frame["scored_at"], utc=True)
    if with_features:
        frame["features"] = [json.loads(f) if isinstance(f, str) else f for f in frame["features"]]
    if batched:  # rows of a columnar batch: their values are the batch's (scoring.monitoring.log_rows)
        records = [{"features": f, "batch_id": b if isinstance(b, str) else None,
                    "batch_row": None if pd.isna(k) else int(k)}
                   for f, b, k in zip(frame["features"], frame.pop("batch_id"), frame.pop("batch_row"), strict=True)]
        wanted = sorted({r["batch_id"] for r in records if r["batch_id"] is not None})
        if wanted:
            batches = _table(engine, BATCHES)
            with engine.connect() as conn:
                found = dict(conn.execute(select(batches.c.batch_id, batches.c.columns)
                                          .where(batches.c.batch_id.in_(wanted))).all())
            fill_features(records, found)
        frame["features"] = [r["features"] for r in records]
    return frame


def read_outcomes(engine: Engine) -> pd.DataFrame:
    """Each client's latest outcome: client_id, defaulted (0/1), observed_at (UTC)."""
    table = _table(engine, OUTCOMES)
    if table is None:
        return pd.DataFrame(columns=["client_id", "defaulted", "observed_at"])
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.client_id, table.c.defaulted, table.c.observed_on)).all()
    frame = pd.DataFrame(rows, columns=["client_id", "defaulted", "observed_at"])
    if frame.empty:
        return frame
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True) + pd.Timedelta(days=1)  # end of that day
    frame["defaulted"] = frame["defaulted"].astype(int)
    return frame.sort_values(["client_id", "observed_at"]).groupby("client_id", as_index=False).tail(1)


def read_decisions(engine: Engine) -> pd.DataFrame:
    table = _table(engine, DECISIONS)
    columns = ["client_id", "decision", "reason", "advisor", "created_at", "model_decision"]
    if table is None:
        return pd.DataFrame(columns=columns)
    with engine.connect() as conn:
        rows = conn.execute(select(*[table.c[c] for c in columns])).all()
    return pd.DataFrame(rows, columns=columns)
