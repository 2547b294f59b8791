"""Security headers on every dashboard response, proxy headers, and the same-origin rule.

The Content-Security-Policy allows scripts only from the dashboard itself plus
the hashes of Dash's inline scripts (``app.csp_hashes()``, computed once all
callbacks are registered). Styles need 'unsafe-inline': React components and
plotly.js set ``style`` attributes and plotly injects ``<style>`` elements.
The browser tests record any CSP violation on every page.

Behind Heroku's router (``TRUST_PROXY_HOPS=1``, which ``bin/web`` sets when ``$DYNO`` is) the
router's ``X-Forwarded-For/-Proto/-Port`` are trusted (werkzeug's ``ProxyFix``) and HTTPS
responses carry ``Strict-Transport-Security``; elsewhere those headers are ignored, so a client
can neither claim HTTPS nor another address (the login throttle counts per address).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

EXTRA_SCRIPT_SRC = os.environ.get("DASHBOARD_CSP_EXTRA_SCRIPT", "").split()
HSTS = "max-age=31536000; includeSubDomains"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def same_origin() -> bool:
    """The request says it comes from this dashboard: its ``Origin``, else its ``Referer``, is this site.

    Browsers send ``Origin`` on every POST (Dash callbacks are fetch POSTs, the login form a
    form POST) and the pages' ``Referrer-Policy: same-origin`` keeps ``Referer`` on same-site
    requests. Neither header, ``Origin: null`` (sandboxed frames, some redirects) or another site:
    not same-origin.
    """
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if not sent:
        return False
    theirs = _origin(sent)
    return theirs is not None and theirs == _origin(f"{request.scheme}://{request.host}")


def install_proxy_fix(server: Flask, hops: int) -> None:
    """Trust ``X-Forwarded-For/-Proto/-Port`` from exactly ``hops`` proxies (0: trust none)."""
    if hops:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_port=hops)  # type: ignore[method-assign]


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
        if request.is_secure:  # HTTPS, directly or through the trusted router (install_proxy_fix)
            response.headers["Strict-Transport-Security"] = HSTS
        if not request.path.startswith(("/assets/", "/_dash-component-suites/")):
            response.headers["Cache-Control"] = "no-store"
        return response
