"""Advisors' decisions (table ``advisor_decisions`` of the service database).

Each decision takes the next place (``sequence``) in its client's history; the unique
``(client_id, sequence)`` constraint makes two writers racing on one client take turns
instead of both succeeding blindly. A decision that contradicts the client's latest one is
a *revision*: it must name the decision it revises (``revises``), otherwise it is refused
with :class:`Conflict` (the dashboard asks the advisor to confirm, then sends it again). A
decision naming a ``revises`` that is no longer the latest is refused too: two advisors
revising the same decision at once, one wins and the other sees what was decided.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from .storage.database import Database, DatabaseUnavailable
from .storage.schema import decisions

__all__ = ["Conflict", "DatabaseUnavailable", "DecisionStore", "key_identity"]

MAX_PAGE = 500
_RETRIES = 20


class Conflict(Exception):
    """The decision contradicts the latest one and does not say it revises it."""

    def __init__(self, latest: dict[str, Any] | None):
        super().__init__("contradicts the latest decision")
        self.latest = latest


def key_identity(api_key: str | None) -> str:
    """How an API key is recorded: never the key itself, a short fingerprint of it."""
    if not api_key:
        return "no-auth"
    return "key:" + hashlib.sha256(api_key.encode()).hexdigest()[:12]


class DecisionStore:
    def __init__(self, database: Database):
        self.db = database

    def engine(self):
        """The process's engine (readers such as the Monitoring summary query the table directly)."""
        return self.db.engine()

    def add(self, client_id: int, decision: str, reason: str, advisor: str, model: dict[str, Any],
            model_version: str, api_key_id: str, revises: int | None = None) -> dict[str, Any]:
        client_id = int(client_id)
        for _ in range(_RETRIES):
            try:
                with self.db.begin() as conn:
                    latest = conn.execute(
                        select(decisions).where(decisions.c.client_id == client_id)
                        .order_by(decisions.c.sequence.desc()).limit(1)).mappings().first()
                    revision_of = None
                    if latest is not None and latest["decision"] != decision:
                        if revises != latest["id"]:
                            raise Conflict(as_json(dict(latest)))
                        revision_of = latest["id"]
                    elif revises is not None and (latest is None or revises != latest["id"]):
                        # meant to revise a decision that is no longer the latest (someone decided meanwhile)
                        raise Conflict(as_json(dict(latest)) if latest is not None else None)
                    row = {
                        "client_id": client_id, "sequence": (latest["sequence"] + 1) if latest else 1,
                        "decision": decision, "reason": reason, "advisor": advisor, "api_key_id": api_key_id,
                        "created_at": datetime.now(UTC), "revision_of": revision_of,
                        "model_probability": model.get("probability"), "model_score": model.get("score"),
                        "model_decision": model.get("decision"), "model_version": model_version,
                    }
                    new_id = int(conn.execute(insert(decisions).values(**row)).inserted_primary_key[0])
                return as_json({"id": new_id, **row})
            except DatabaseUnavailable as exc:
                if isinstance(exc.__cause__, IntegrityError) and "sequence" in str(exc.__cause__.orig):
                    continue  # another writer took this place in the client's history: read again
                raise
        raise DatabaseUnavailable("too many concurrent decisions on this client; try again")

    def for_client(self, client_id: int, page: int = 1, per_page: int = 50) -> tuple[list[dict[str, Any]], int]:
        """One page of the client's decisions, newest first, and their total."""
        per_page = max(1, min(int(per_page), MAX_PAGE))
        where = decisions.c.client_id == int(client_id)
        with self.db.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(decisions).where(where)).scalar_one())
            rows = conn.execute(select(decisions).where(where).order_by(decisions.c.sequence.desc())
                                .limit(per_page).offset((max(1, int(page)) - 1) * per_page)).mappings().all()
        return [as_json(dict(r)) for r in rows], total

    def latest(self, client_ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
        """The latest decision of each client (all clients, or those given)."""
        last = (select(decisions.c.client_id, func.max(decisions.c.sequence).label("sequence"))
                .group_by(decisions.c.client_id))
        if client_ids is not None:
            last = last.where(decisions.c.client_id.in_([int(i) for i in client_ids]))
        sub = last.subquery()
        query = select(decisions).join(sub, (decisions.c.client_id == sub.c.client_id)
                                       & (decisions.c.sequence == sub.c.sequence))
        with self.db.connect() as conn:
            return {int(r["client_id"]): as_json(dict(r)) for r in conn.execute(query).mappings()}


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    created = row.get("created_at")
    if isinstance(created, datetime):
        created = (created if created.tzinfo else created.replace(tzinfo=UTC)).astimezone(UTC)
        row["created_at"] = created.isoformat().replace("+00:00", "Z")
    return row
