"""Production monitoring: the summary the Monitoring page shows, and the offline drift report's HTML."""

from __future__ import annotations

from typing import Literal

from flask import send_file

from scoring.monitoring.contract import MonitoringSummary

from ..api import Routes, operation
from ..errors import NotFound
from ..schemas import Query
from ..services import services

bp = Routes("monitoring")


class MonitoringQuery(Query):
    period: Literal["day", "week"] = "day"


@operation(bp, "/monitoring/summary", summary="Production monitoring: score distribution against training "
           "(PSI), volumes, decision shares, drifted features, overrides, backtest, drift report summary",
           tags="monitoring", query=MonitoringQuery, response=MonitoringSummary)
def summary(query: MonitoringQuery):
    s = services()
    health = s.predictions.health()
    log = {"written": health["written"], "lost": health["lost"]}
    return s.stamp({**s.monitoring.summary(query.period), "log": log})


@operation(bp, "/monitoring/report", summary="The latest offline drift report (HTML, evidently)",
           tags="monitoring", errors=(404,), content_type="text/html", endpoint="drift_report")
def report():
    path = services().monitoring.report_path()
    if path is None:
        raise NotFound("no drift report is available yet (python -m reports.drift writes one)")
    return send_file(path, mimetype="text/html", max_age=0)
