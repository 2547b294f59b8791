"""Login throttling: growing delays per user name, a limit per client address, shared by every worker.

Two rules, both checked before the password is (a correct guess must not get through while
throttled), both answered with 429 and ``Retry-After``:

- **Per user name, growing delays, never a lockout.** The first ``free_failures`` failures on a
  name cost nothing; after that each failure makes the next attempt on that name wait
  1 s, 2 s, 4 s... up to ``max_delay`` seconds (60 by default). An attacker gets one guess a
  minute on a name; its advisor waits at most a minute for one attempt, whatever the attacker
  did before. The count is forgotten an hour after the first failure, or at a successful login.
- **Per client address, all names together** (password spraying: many names, one try each):
  ``address_limit`` failed logins (``20 per 10 minutes`` by default; IPv6 counted per /64).
  Only failures count, so advisors sharing an office address log in as usual.

The counters live in a ``limits`` storage: Redis when ``RATELIMIT_STORAGE_URI`` names one (several
dynos), else a SQLite file created before gunicorn forks, so all workers of a machine share it.
Attempts refused unchecked are not counted (waiting out a delay never makes it longer).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time

from limits import parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

import limits_sqlite

#: Seconds a user name's failures are remembered, from the first one.
MEMORY = 3600
ADDRESS_SCOPE = "dashboard-login-address"


def open_storage(uri: str = "") -> Storage:
    """The configured storage, else a SQLite file in a new private folder (created now, before the fork).

    Its failures are raised as ``limits.errors.StorageError`` (the dashboard answers 503: an
    unreachable store never means unthrottled logins).
    """
    return storage_from_string(uri or limits_sqlite.default_uri("dashboard-login-"), wrap_exceptions=True)


def address_group(address: str) -> str:
    """The unit limited per address: the address itself, an IPv6 address's /64 (one subscriber's block)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


class LoginThrottle:
    def __init__(self, storage: Storage, address_limit: str = "20 per 10 minutes", free_failures: int = 3,
                 max_delay: int = 60):
        self.storage = storage
        self.address_limit = parse(address_limit)
        self.windows = FixedWindowRateLimiter(storage)
        self.free_failures = free_failures
        self.max_delay = max_delay

    @staticmethod
    def _name_key(username: str, kind: str) -> str:
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        return f"dashboard-login-{kind}/{digest}"

    def delay_after(self, failures: int) -> int:
        """Seconds the next attempt on a name waits after its ``failures``-th failure."""
        if failures < self.free_failures:
            return 0
        return min(self.max_delay, 2 ** min(failures - self.free_failures, 30))

    def wait(self, username: str, address: str) -> int:
        """Seconds before an attempt on ``username`` from ``address`` may be checked (0: check it now)."""
        now, waits = time.time(), []
        group = address_group(address)
        if not self.windows.test(self.address_limit, ADDRESS_SCOPE, group):
            waits.append(self.windows.get_window_stats(self.address_limit, ADDRESS_SCOPE, group).reset_time - now)
        pause = self._name_key(username, "pause")
        if self.storage.get(pause) > 0:
            waits.append(self.storage.get_expiry(pause) - now)
        return max(1, math.ceil(max(waits))) if waits else 0

    def failed(self, username: str, address: str) -> tuple[int, int]:
        """Count a failed login: ``(failures on this name, seconds before its next attempt)``."""
        self.windows.hit(self.address_limit, ADDRESS_SCOPE, address_group(address))
        failures = self.storage.incr(self._name_key(username, "failures"), MEMORY)
        delay = self.delay_after(failures)
        if delay:
            pause = self._name_key(username, "pause")
            self.storage.clear(pause)
            self.storage.incr(pause, delay)
        return failures, delay

    def succeeded(self, username: str) -> None:
        for kind in ("failures", "pause"):
            self.storage.clear(self._name_key(username, kind))
