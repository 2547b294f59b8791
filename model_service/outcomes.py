"""Loan outcomes (table ``outcomes``): per client, whether the loan defaulted and when it was observed.

Recorded by ``POST /outcomes`` and ``python -m reports.outcomes load FILE.csv``; a client and
date already recorded is updated when its value changed and counted unchanged otherwise, so
loading the same file twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import select, tuple_, update

from .storage.database import Database
from .storage.schema import outcomes

_CHUNK = 500


def record(db: Database, rows: Iterable[tuple[int, bool, date]], source: str) -> dict[str, int]:
    """Store ``(client_id, defaulted, observed_on)`` rows in one transaction; counts of what happened."""
    latest: dict[tuple[int, date], bool] = {}
    received = 0
    for client_id, defaulted, observed_on in rows:
        received += 1
        latest[(int(client_id), observed_on)] = bool(defaulted)  # the last row of a key wins
    counts = {"received": received, "inserted": 0, "updated": 0, "unchanged": 0}
    now = datetime.now(UTC)
    keys = list(latest)
    with db.begin() as conn:
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            existing = {(int(r.client_id), r.observed_on): bool(r.defaulted) for r in conn.execute(
                select(outcomes.c.client_id, outcomes.c.observed_on, outcomes.c.defaulted)
                .where(tuple_(outcomes.c.client_id, outcomes.c.observed_on).in_(chunk)))}
            new = []
            for key in chunk:
                value = latest[key]
                if key not in existing:
                    new.append({"client_id": key[0], "observed_on": key[1], "defaulted": value,
                                "recorded_at": now, "source": source[:200]})
                elif existing[key] != value:
                    conn.execute(update(outcomes).where((outcomes.c.client_id == key[0])
                                                        & (outcomes.c.observed_on == key[1]))
                                 .values(defaulted=value, recorded_at=now, source=source[:200]))
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
            if new:
                conn.execute(outcomes.insert(), new)
                counts["inserted"] += len(new)
    return counts
