"""Human oversight switch (EU AI Act art. 14): "every application goes to an advisor".

Two ways to turn it on: the configuration (``OVERSIGHT_ALL_TO_ADVISOR=1``, which no call can
undo) and an authenticated admin call (``POST /admin/oversight`` with an ``X-Admin-Key`` from
``ADMIN_API_KEYS``). The admin switch is stored in the decision database (one row per change,
who and why), so every worker and every instance sees it; each process rereads it at most
once per ``ttl`` seconds and at once after its own change. While it is on, every answer that
carries a score says ``all_to_advisor: true``, and ``/health`` and ``/model`` report it.
The model's probability, score and decision are unchanged: one score everywhere.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from .storage.database import Database, DatabaseUnavailable
from .storage.schema import oversight_switch as switches

log = logging.getLogger("model_service.oversight")

MESSAGES = {
    True: ("Contrôle humain renforcé : chaque demande est examinée par un conseiller, quel que soit le score.",
           "Human oversight mode: every application goes to an advisor, whatever the score."),
    False: ("Le score éclaire le conseiller, qui décide.", "The score informs the advisor, who decides."),
}


class OversightSwitch:
    def __init__(self, forced: bool, database: Database, ttl: float = 1.0):
        self.forced = forced
        self.database = database
        self.ttl = ttl
        self._lock = threading.Lock()
        self._read_at = -float("inf")
        self._row: dict[str, Any] | None = None

    def _latest(self) -> dict[str, Any] | None:
        """The last admin change (cached for ``ttl`` seconds; the last known one if the database fails)."""
        now = time.monotonic()
        with self._lock:
            if now - self._read_at < self.ttl:
                return self._row
            try:
                with self.database.connect() as conn:
                    row = conn.execute(select(switches).order_by(switches.c.id.desc()).limit(1)).mappings().first()
                self._row = dict(row) if row is not None else None
            except DatabaseUnavailable as exc:
                log.warning("oversight switch unreadable, keeping the last known state: %s", exc)
            self._read_at = now
            return self._row

    @property
    def on(self) -> bool:
        if self.forced:
            return True
        row = self._latest()
        return bool(row and row["all_to_advisor"])

    def state(self) -> dict[str, Any]:
        row = None if self.forced else self._latest()
        on = self.forced or bool(row and row["all_to_advisor"])
        source = "configuration" if self.forced else ("admin" if on else "off")
        since = None
        if row is not None:
            changed = row["changed_at"]
            changed = changed if changed.tzinfo else changed.replace(tzinfo=UTC)
            since = changed.astimezone(UTC).isoformat().replace("+00:00", "Z")
        message, message_en = MESSAGES[on]
        return {"all_to_advisor": on, "source": source, "since": since,
                "reason": None if row is None else row["reason"], "message": message, "message_en": message_en}

    def set(self, on: bool, reason: str, changed_by: str) -> dict[str, Any]:
        row = {"all_to_advisor": bool(on), "reason": reason, "changed_by": changed_by,
               "changed_at": datetime.now(UTC)}
        try:
            with self.database.begin() as conn:
                conn.execute(insert(switches).values(**row))
        except DatabaseUnavailable as exc:
            raise DatabaseUnavailable(f"could not store the oversight switch: {exc}") from None
        with self._lock:
            self._row = row
            self._read_at = time.monotonic()
        log.warning("oversight switch set to %s by %s: %s", "ON" if on else "off", changed_by, reason)
        return self.state()
