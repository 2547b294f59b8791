from __future__ import annotations

from flask import Blueprint

from ..api import operation
from ..schemas import HealthOut
from ..services import services

bp = Blueprint("health", __name__)


@operation(bp, "/health", summary="Liveness and model identity (no API key needed)", tags="service",
           response=HealthOut, auth=False)
def health():
    s = services()
    return s.stamp({"status": "ok", "clients": len(s.clients), "synthetic": s.synthetic,
                    "oversight": s.oversight.state()})
