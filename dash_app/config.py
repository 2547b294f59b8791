"""Dashboard configuration, read from the environment once.

- ``SERVICE_URL``           base URL of the scoring service (default http://127.0.0.1:8000)
- ``SERVICE_API_KEY``       key sent as ``X-API-Key`` to the service
- ``SERVICE_TIMEOUT``       read timeout in seconds (default 8)
- ``SERVICE_CONNECT_TIMEOUT`` connect timeout in seconds (default 2)
- ``SECRET_KEY``            Flask session signing key (required outside ``DASHBOARD_DEV=1``)
- ``DASHBOARD_USERS_FILE``  JSON or ``user:werkzeug-hash`` lines (see ``dash_app.users``)
- ``DASHBOARD_LANG``        UI language (``fr``)
- ``SESSION_COOKIE_SECURE`` ``1`` behind HTTPS (Heroku)
- ``TRUST_PROXY_HOPS``      proxies whose X-Forwarded-* headers are trusted (``bin/web`` sets 1 on Heroku, else 0)
- ``RATELIMIT_STORAGE_URI`` where the login throttle keeps its counters (``redis://...`` for several dynos;
                            default: a SQLite file shared by the workers of this machine)
- ``LOGIN_ADDRESS_LIMIT``   failed logins per client address, all user names together (default ``20 per 10 minutes``)
- ``LOGIN_FREE_FAILURES``   failed logins on one user name before the delays start (default 3)
- ``LOGIN_MAX_DELAY``       longest delay between two attempts on one user name, in seconds (default 60)
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from limits import parse


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _count(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number >= 0 (got {value!r})")
    return int(value)


def _limit(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or default
    try:
        parse(value)
    except ValueError:
        raise RuntimeError(f"{name} must read like '20 per 10 minutes' (got {value!r})") from None
    return value


@dataclass(frozen=True)
class ServiceSettings:
    """How the dashboard reaches the scoring service (read by :mod:`dash_app.api_client`)."""

    url: str
    api_key: str
    connect_timeout: float
    read_timeout: float


def service_settings() -> ServiceSettings:
    return ServiceSettings(
        url=os.environ.get("SERVICE_URL", "http://127.0.0.1:8000").rstrip("/"),
        api_key=os.environ.get("SERVICE_API_KEY", ""),
        connect_timeout=float(os.environ.get("SERVICE_CONNECT_TIMEOUT", "2")),
        read_timeout=float(os.environ.get("SERVICE_TIMEOUT", "8")),
    )


@dataclass(frozen=True)
class Settings:
    """The dashboard's own web application (session, users, language, login throttle)."""

    secret_key: str
    users_file: Path
    lang: str
    cookie_secure: bool
    trust_proxy_hops: int = 0
    ratelimit_storage_uri: str = ""
    login_address_limit: str = "20 per 10 minutes"
    login_free_failures: int = 3
    login_max_delay: int = 60


def load_settings() -> Settings:
    dev = _flag("DASHBOARD_DEV")
    secret = os.environ.get("SECRET_KEY", "").strip()
    if not secret:
        if not dev:
            raise RuntimeError(
                "SECRET_KEY is not set: the dashboard signs its session cookies with it "
                "(set DASHBOARD_DEV=1 to use a throw-away key on a single-process dev server)"
            )
        secret = secrets.token_hex(32)
    return Settings(
        secret_key=secret,
        users_file=Path(os.environ.get("DASHBOARD_USERS_FILE", "dashboard_users.json")),
        lang=os.environ.get("DASHBOARD_LANG", "fr"),
        cookie_secure=_flag("SESSION_COOKIE_SECURE"),
        trust_proxy_hops=_count("TRUST_PROXY_HOPS", 0),
        ratelimit_storage_uri=os.environ.get("RATELIMIT_STORAGE_URI", "").strip(),
        login_address_limit=_limit("LOGIN_ADDRESS_LIMIT", "20 per 10 minutes"),
        login_free_failures=_count("LOGIN_FREE_FAILURES", 3),
        login_max_delay=max(1, _count("LOGIN_MAX_DELAY", 60)),
    )
