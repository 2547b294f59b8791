"""Administration calls: the human oversight switch (every application goes to an advisor).

They need, besides the usual ``X-API-Key``, an ``X-Admin-Key`` listed in ``ADMIN_API_KEYS``.
"""

from __future__ import annotations

import hmac

from flask import request

from ..api import Routes, operation
from ..decisions import DatabaseUnavailable, key_identity
from ..errors import ApiError, Unavailable
from ..openapi import ADMIN_KEY_HEADER
from ..schemas import Oversight, OversightIn
from ..services import services

bp = Routes("admin")


def require_admin() -> str:
    """The identity of the admin key sent, or 403."""
    keys = services().settings.admin_api_keys
    given = request.headers.get(ADMIN_KEY_HEADER, "")
    if not keys:
        raise ApiError(403, "forbidden", "no administrator key is configured on this service (ADMIN_API_KEYS)")
    if not given:
        raise ApiError(403, "forbidden", f"missing {ADMIN_KEY_HEADER} header")
    match = None
    for key in keys:  # compare with every key: no early exit
        if hmac.compare_digest(given.encode(), key.encode()):
            match = key
    if match is None:
        raise ApiError(403, "forbidden", f"invalid {ADMIN_KEY_HEADER}")
    return key_identity(match)


@operation(bp, "/admin/oversight", method="POST", summary="Switch the human oversight mode "
           "(every application goes to an advisor)", tags="service", body=OversightIn, response=Oversight,
           errors=(400, 403, 409, 413, 415, 422, 503), admin=True)
def set_oversight(body: OversightIn):
    s = services()
    who = require_admin()
    if s.oversight.forced and not body.all_to_advisor:
        raise ApiError(409, "conflict", "the configuration (OVERSIGHT_ALL_TO_ADVISOR) forces the oversight mode; "
                                        "only a configuration change can turn it off")
    try:
        return s.oversight.set(body.all_to_advisor, body.reason, who)
    except DatabaseUnavailable as exc:
        raise Unavailable(str(exc)) from None
