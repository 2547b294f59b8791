"""Database maintenance: ``python -m model_service.storage upgrade|current|retention``.

- ``upgrade``   applies the Alembic migrations to ``DATABASE_URL`` (the deploy runs it; the service
                also does at start-up, several instances taking turns).
- ``current``   prints the database's migration revision.
- ``retention`` deletes prediction-log records older than ``--days`` (default
                ``PREDICTION_RETENTION_DAYS``, else 400): run it daily (Heroku Scheduler, cron).
Without ``DATABASE_URL`` the embedded SQLite database (``var/decisions.db``) is used.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, text

from ..config import DEFAULT_DATABASE, DEFAULT_RETENTION_DAYS
from .database import Database, DatabaseUnavailable, upgrade
from .schema import prediction_batches, predictions


def database_from_env() -> Database:
    url = os.environ.get("DATABASE_URL", "").strip()
    return Database(url or f"sqlite:///{DEFAULT_DATABASE}", create_parent=not url, migrate=False)


def enforce_retention(db: Database, days: int, now: datetime | None = None) -> int:
    """Delete prediction-log records logged more than ``days`` days ago, and the batches' values logged with
    them (a batch and its rows share their time); returns how many records."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    with db.begin() as conn:
        removed = int(conn.execute(delete(predictions).where(predictions.c.logged_at < cutoff)).rowcount or 0)
        conn.execute(delete(prediction_batches).where(prediction_batches.c.logged_at < cutoff))
        return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model_service.storage", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("upgrade", help="apply the migrations")
    sub.add_parser("current", help="print the migration revision")
    keep = sub.add_parser("retention", help="delete prediction-log records older than --days")
    default_days = int(os.environ.get("PREDICTION_RETENTION_DAYS", "").strip() or DEFAULT_RETENTION_DAYS)
    keep.add_argument("--days", type=int, default=default_days)
    opts = parser.parse_args(argv)
    db = database_from_env()
    try:
        if opts.command == "upgrade":
            upgrade(db.engine(), db.sqlite_path)
            print(f"database {db.safe_url}: migrations applied")
        elif opts.command == "current":
            with db.connect() as conn:
                print(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())
        else:
            if opts.days < 1:
                parser.error("--days must be at least 1")
            upgrade(db.engine(), db.sqlite_path)
            removed = enforce_retention(db, opts.days)
            print(f"prediction log: {removed} record(s) older than {opts.days} days deleted")
    except DatabaseUnavailable as exc:
        print(f"database unavailable: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
