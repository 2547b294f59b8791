"""What an attacker or a bad client can reach: API keys (with failures limited per address),
proxy headers, security headers (HSTS over HTTPS), CORS, the nesting depth of JSON bodies, and
error details that never name the infrastructure.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
import time
from itertools import chain
from typing import Any

import numpy as np
from flask import Flask, Response, current_app, request
from flask_cors import CORS
from limits import parse as parse_limit
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Settings
from .errors import ApiError, error_response

log = logging.getLogger("model_service.security")

API_KEY_HEADER = "X-API-Key"
#: Endpoints that need no key: the health probe and the static shell of the docs page
#: (it holds no data; it asks for the key before calling the API).
PUBLIC_ENDPOINTS = frozenset({"health.health", "docs.openapi_document", "docs.docs_page", "docs.docs_asset", "static"})

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
HSTS = "max-age=31536000; includeSubDomains"
AUTH_FAILURE_SCOPE = "auth-failures"
#: gunicorn's request-line limit (bin/web, gunicorn_conf.py): up to it every answer is JSON.
MAX_REQUEST_LINE = 8190
LIMITS_DESCRIPTION = (
    f"Limits: the request line (method, path and query) is at most {MAX_REQUEST_LINE} bytes (a longer one "
    "gets the HTTP server's own 400 page, not JSON); JSON bodies nest at most MAX_JSON_DEPTH levels "
    "(default 64, else 400); failed authentications and requests are rate limited "
    "(429 with `Retry-After`)."
)


def install_proxy_fix(app: Flask, settings: Settings) -> None:
    """Trust ``X-Forwarded-For/-Proto/-Port`` from exactly ``TRUST_PROXY_HOPS`` proxies (Heroku's router: 1).

    With 0 (the default off Heroku) the headers are ignored: a client cannot claim HTTPS or
    another address.
    """
    hops = settings.trust_proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_port=hops)  # type: ignore[method-assign]


def client_address() -> str:
    return request.remote_addr or "unknown"


def install_auth(app: Flask, settings: Settings) -> None:
    """Every non-public endpoint needs a configured key; failed keys are limited per client address.

    An address over ``AUTH_FAILURE_LIMIT`` failures gets 429 with ``Retry-After`` before its key is
    even compared (a correct guess must not get through while limited). Every failure is logged.
    The counters live in the rate limiter's shared storage (``app.extensions["rate_limiter"]``).
    """
    keys = [k.encode() for k in settings.api_keys]
    failure_limit = parse_limit(settings.auth_failure_limit)

    @app.before_request
    def _require_key() -> Response | None:
        if not keys or request.method == "OPTIONS" or request.endpoint in PUBLIC_ENDPOINTS:
            return None
        counters = app.extensions["rate_limiter"].limiter
        address = client_address()
        if not counters.test(failure_limit, AUTH_FAILURE_SCOPE, address):
            reset_at = counters.get_window_stats(failure_limit, AUTH_FAILURE_SCOPE, address).reset_time
            retry = max(1, math.ceil(reset_at - time.time()))
            log.warning("API key not checked: %s is over %s failed authentications (%s %s)",
                        address, settings.auth_failure_limit, request.method, request.path)
            response = error_response(429, "too many requests",
                                      f"too many failed authentications from this address; retry in {retry} s")
            response.headers["Retry-After"] = str(retry)
            return response
        given = request.headers.get(API_KEY_HEADER, "").encode()
        valid = False
        for key in keys:  # compare with every key: no early exit that would leak which one matched
            valid |= hmac.compare_digest(given, key)
        if valid:
            return None
        counters.hit(failure_limit, AUTH_FAILURE_SCOPE, address)
        log.warning("authentication failed from %s: %s %s header (%s %s)", address,
                    "invalid" if given else "missing", API_KEY_HEADER, request.method, request.path)
        raise ApiError(401, "unauthorized", f"{'invalid' if given else 'missing'} {API_KEY_HEADER}"
                       + ("" if given else " header"))


# ---------------------------------------------------------------------------- JSON nesting depth

#: Every byte but brackets and quotes (deleted with ``bytes.translate``).
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')


def _opening_brackets(data: bytes) -> int:
    """How many ``[`` and ``{`` the text holds (two ``bytes.count``): at least as many as its arrays and
    objects (brackets inside strings count too), so no nesting can be deeper."""
    return data.count(b"[") + data.count(b"{")


def _few_brackets(data: bytes, limit: int) -> bool:
    return _opening_brackets(data) <= limit


def json_depth_exceeds(data: bytes, limit: int) -> bool:
    """True when arrays/objects nest deeper than ``limit`` (brackets inside strings do not count).

    The common case costs two ``bytes.count``: fewer opening brackets than the limit. Otherwise
    escapes are dropped (an escaped backslash, then an escaped quote: what is left of a string is
    plain text between two quotes), only brackets and quotes are kept, and a bracket counts when
    an even number of quotes precedes it. All of it runs in C or numpy (a regular expression over
    the strings of a 3 MB batch took 0.4 s).
    """
    if _few_brackets(data, limit):
        return False
    if b"\\" in data:  # most bodies hold no escape at all: two copies saved
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    kept = np.frombuffer(data.translate(None, _NOT_STRUCTURE), dtype=np.uint8)
    quote = kept == ord('"')
    outside = kept[~quote & (np.cumsum(quote) % 2 == 0)]
    steps = np.where((outside == ord("[")) | (outside == ord("{")), 1, -1)
    return bool(steps.size) and int(np.cumsum(steps).max()) > limit


_CONTAINERS = frozenset((dict, list))


def nesting_exceeds(value: Any, limit: int, brackets: int | None = None) -> bool:
    """True when a parsed JSON value nests arrays/objects deeper than ``limit`` (the same depth as
    :func:`json_depth_exceeds` of its text). Level by level; a level's values are typed in one
    ``set(map(type, ...))``, so 1,000 flat records (88,000 values) cost ~2 ms, a third of the bytes' check.

    ``brackets``: the text's :func:`_opening_brackets`, an upper bound of its arrays and objects. Once
    that many have been found, the deepest level found holds only scalars and is not scanned: the
    1,000 applications of a columnar batch (100,000 numbers in 105 lists) are three levels, not read."""
    level = [value] if value.__class__ in _CONTAINERS else []
    depth, found = 0, len(level)
    while level:
        depth += 1
        if depth > limit:
            return True
        if brackets is not None and found >= brackets:
            return False  # every array and object is found: nothing below this level is one
        values = list(chain.from_iterable(v.values() if v.__class__ is dict else v for v in level))
        if _CONTAINERS.isdisjoint(map(type, values)):
            return False
        level = [v for v in values if v.__class__ in _CONTAINERS]
        found += len(level)
    return False


def install_body_guard(app: Flask, settings: Settings) -> None:
    """A JSON body nested deeper than ``MAX_JSON_DEPTH`` is a 400 before any view or model sees it.

    A body with fewer brackets than the limit passes at once. Otherwise it is parsed (pydantic-core's
    parser stops at 200 levels, cleanly; the parsed value is cached for the view) and the value's depth
    decides; a body that does not parse is judged on its bytes (:func:`json_depth_exceeds`: an 8,000-level
    body gets the depth message, not "malformed"). Python's own parser recurses: 1,000 levels raise
    RecursionError, which :func:`model_service.jsoncodec.loads` turns into a parse error.
    """
    limit = settings.max_json_depth

    @app.before_request
    def _bounded_json() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.is_json:
            return
        data = request.get_data(cache=True)
        brackets = _opening_brackets(data)
        if brackets <= limit:
            return
        parsed = request.get_json(silent=True)
        deep = (nesting_exceeds(parsed, limit, brackets) if parsed is not None
                else json_depth_exceeds(data, limit))
        if deep:
            raise ApiError(400, "malformed JSON", f"the request body nests arrays or objects deeper than {limit} levels")


# ---------------------------------------------------------------------------- headers, CORS

def install_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        if request.is_secure:  # HTTPS, directly or through a trusted proxy (see install_proxy_fix)
            headers["Strict-Transport-Security"] = HSTS
        if request.endpoint in ("docs.docs_page", "docs.docs_asset"):
            headers["Content-Security-Policy"] = DOCS_CSP
        else:
            headers["Content-Security-Policy"] = JSON_CSP
            headers.setdefault("Cache-Control", "no-store")
        if response.status_code >= 500 and response.is_json:
            _redact_infrastructure(response)
        return response


def install_cors(app: Flask, settings: Settings) -> None:
    """CORS headers only for the configured origins (none by default)."""
    if settings.cors_origins:
        CORS(app, origins=list(settings.cors_origins), allow_headers=["Content-Type", API_KEY_HEADER],
             methods=["GET", "POST", "OPTIONS"], max_age=600)


# ---------------------------------------------------------------------------- error details

_INFRASTRUCTURE = re.compile(
    r"""(?:^|[\s'"(=,\[])/(?:[\w.@+~-]+/)+[\w.@+~-]*"""  # an absolute POSIX path
    r"|\b[A-Za-z]:\\"                                   # a Windows path
    r"|\b[a-z][\w+.-]*://"                               # a URL (database, broker)
    r"|\b\d{1,3}(?:\.\d{1,3}){3}\b"                      # an IPv4 address
    r"|\[?[0-9a-f]*:[0-9a-f]*:[0-9a-f:]+\]?"             # an IPv6 address
    r"|\bport\s*\d+|\b[\w-]+(?:\.[\w-]+)*:\d{2,5}\b"     # a port, host:port
    r"|\bhost\b|\bserver at\b|\bsocket\b",              # a host or server named by a driver
    re.IGNORECASE,
)
GENERIC_DETAIL = "the server could not complete the request; the details are in the server log"


def reveals_infrastructure(text: str) -> bool:
    return bool(_INFRASTRUCTURE.search(text))


def public_detail(detail: Any) -> Any:
    """``detail`` without infrastructure: the clean part before the first ``": "``, or a generic text."""
    if not isinstance(detail, str) or not reveals_infrastructure(detail):
        return detail
    head = detail.split(": ", 1)[0]
    return head if head != detail and not reveals_infrastructure(head) else GENERIC_DETAIL


def _redact_infrastructure(response: Response) -> None:
    payload = response.get_json(silent=True)
    if not isinstance(payload, dict) or "detail" not in payload:
        return
    cleaned = public_detail(payload["detail"])
    if cleaned is not payload["detail"]:
        log.warning("error detail withheld from the client (%s %s): %s", request.method, request.path,
                    payload["detail"])
        payload["detail"] = cleaned
        response.set_data(current_app.json.dumps(payload) + "\n")
