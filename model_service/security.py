"""API keys, security headers and CORS."""

from __future__ import annotations

import hmac

from flask import Flask, Response, request
from flask_cors import CORS

from .config import Settings
from .errors import ApiError

API_KEY_HEADER = "X-API-Key"
#: Endpoints that need no key: the health probe and the static shell of the docs page
#: (it holds no data; it asks for the key before calling the API).
PUBLIC_ENDPOINTS = frozenset({"health.health", "docs.docs_page", "docs.docs_asset", "static"})

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def install_auth(app: Flask, settings: Settings) -> None:
    keys = [k.encode() for k in settings.api_keys]

    @app.before_request
    def _require_key() -> None:
        if not keys or request.method == "OPTIONS" or request.endpoint in PUBLIC_ENDPOINTS:
            return
        given = request.headers.get(API_KEY_HEADER, "").encode()
        if not given:
            raise ApiError(401, "unauthorized", f"missing {API_KEY_HEADER} header")
        valid = False
        for key in keys:  # compare with every key: no early exit that would leak which one matched
            valid |= hmac.compare_digest(given, key)
        if not valid:
            raise ApiError(401, "unauthorized", f"invalid {API_KEY_HEADER}")


def install_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        if request.endpoint in ("docs.docs_page", "docs.docs_asset"):
            headers["Content-Security-Policy"] = DOCS_CSP
        else:
            headers["Content-Security-Policy"] = JSON_CSP
            headers.setdefault("Cache-Control", "no-store")
        return response


def install_cors(app: Flask, settings: Settings) -> None:
    """CORS headers only for the configured origins (none by default)."""
    if settings.cors_origins:
        CORS(app, origins=list(settings.cors_origins), allow_headers=["Content-Type", API_KEY_HEADER],
             methods=["GET", "POST", "OPTIONS"], max_age=600)
