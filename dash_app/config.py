"""Dashboard configuration, read from the environment once.

- ``SERVICE_URL``           base URL of the scoring service (default http://127.0.0.1:8000)
- ``SERVICE_API_KEY``       key sent as ``X-API-Key`` to the service
- ``SERVICE_TIMEOUT``       read timeout in seconds (default 8; connect timeout is 2 s)
- ``SECRET_KEY``            Flask session signing key (required outside ``DASHBOARD_DEV=1``)
- ``DASHBOARD_USERS_FILE``  JSON or ``user:werkzeug-hash`` lines (see ``dash_app.users``)
- ``DASHBOARD_LANG``        UI language (``fr``)
- ``SESSION_COOKIE_SECURE`` ``1`` behind HTTPS (Heroku)
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    service_url: str
    service_api_key: str
    connect_timeout: float
    read_timeout: float
    secret_key: str
    users_file: Path
    lang: str
    cookie_secure: bool
    dev: bool


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
        service_url=os.environ.get("SERVICE_URL", "http://127.0.0.1:8000").rstrip("/"),
        service_api_key=os.environ.get("SERVICE_API_KEY", ""),
        connect_timeout=float(os.environ.get("SERVICE_CONNECT_TIMEOUT", "2")),
        read_timeout=float(os.environ.get("SERVICE_TIMEOUT", "8")),
        secret_key=secret,
        users_file=Path(os.environ.get("DASHBOARD_USERS_FILE", "dashboard_users.json")),
        lang=os.environ.get("DASHBOARD_LANG", "fr"),
        cookie_secure=_flag("SESSION_COOKIE_SECURE"),
        dev=dev,
    )
