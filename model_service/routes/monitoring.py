from __future__ import annotations

from flask import Blueprint

from ..api import operation
from ..errors import NotFound
from ..schemas import MonitoringOut
from ..services import services

bp = Blueprint("monitoring", __name__)


@operation(bp, "/monitoring/summary", summary="Data drift summary and production score distribution by day",
           tags="monitoring", response=MonitoringOut, errors=(404,))
def summary():
    s = services()
    drift = s.monitoring.drift()
    if drift is None:
        raise NotFound("no drift report is available yet (generate one, then point DRIFT_SUMMARY at it)")
    return s.stamp({**drift, "scores_by_day": s.monitoring.scores_by_day()})
