"""Sessions ended by a logout, remembered until their cookie would expire anyway.

The dashboard's session is a signed cookie (Flask): nothing on the server forgets it, so a copy
taken before the logout would stay valid until it expires (``PERMANENT_SESSION_LIFETIME``,
8 hours). Each login gets a random session id; a logout records that id here, in the login
throttle's shared storage (every worker, every dyno with Redis), and the guard refuses a
cookie whose id is recorded. One storage read per logged-in request.
"""

from __future__ import annotations

import secrets

from limits.storage import Storage


class EndedSessions:
    def __init__(self, storage: Storage, lifetime_seconds: int):
        self.storage = storage
        self.lifetime = max(1, int(lifetime_seconds))

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(18)

    @staticmethod
    def _key(session_id: str) -> str:
        return f"dashboard-session-ended/{session_id}"

    def end(self, session_id: str | None) -> None:
        if session_id:
            self.storage.incr(self._key(session_id), self.lifetime)

    def ended(self, session_id: str | None) -> bool:
        """True for a session logged out (or one without an id: issued before ids existed)."""
        return not session_id or self.storage.get(self._key(session_id)) > 0
