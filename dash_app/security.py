"""Security headers on every dashboard response.

The Content-Security-Policy allows scripts only from the dashboard itself plus
the hashes of Dash's inline scripts (``app.csp_hashes()``, computed once all
callbacks are registered). Styles need 'unsafe-inline': React components and
plotly.js set ``style`` attributes and plotly injects ``<style>`` elements.
The browser tests record any CSP violation on every page.
"""

from __future__ import annotations

import os

from flask import Flask, request

EXTRA_SCRIPT_SRC = os.environ.get("DASHBOARD_CSP_EXTRA_SCRIPT", "").split()


def content_security_policy(script_hashes: list[str]) -> str:
    script_src = " ".join(["'self'", *(h if h.startswith("'") else f"'{h}'" for h in script_hashes), *EXTRA_SCRIPT_SRC])
    return "; ".join([
        "default-src 'self'",
        f"script-src {script_src}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def setup_security(server: Flask, app) -> None:
    cache: dict[tuple, str] = {}

    def policy() -> str:
        # Dash adds inline scripts (clientside callbacks) when it sets itself up: key the cached
        # policy on the current hashes rather than freezing the first one computed.
        hashes = tuple(app.csp_hashes())
        if hashes not in cache:
            cache[hashes] = content_security_policy(list(hashes))
        return cache[hashes]

    @server.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", policy())
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if not request.path.startswith(("/assets/", "/_dash-component-suites/")):
            response.headers["Cache-Control"] = "no-store"
        return response
