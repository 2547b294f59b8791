"""``/monitoring/report``: the latest drift report, fetched from the service for logged-in advisors.

The service needs its API key, which the browser never sees, so the dashboard
relays the HTML. The report (Evidently) runs its own inline scripts: it is served
sandboxed (opaque origin, no access to the dashboard's cookies or pages).
"""

from __future__ import annotations

from flask import Flask

from dash_app.api_client import ServiceError, get_client
from dash_app.components import error_text
from dash_app.i18n import t

REPORT_CSP = ("sandbox allow-scripts allow-popups; default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
              "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; frame-ancestors 'none'")


def setup_report_proxy(server: Flask) -> None:
    @server.route("/monitoring/report")
    def drift_report():
        try:
            html = get_client().monitoring_report()
        except ServiceError as exc:
            return _plain(error_text(exc), 503)
        if html is None:
            return _plain(t("monitoring.no_report"), 404)
        return html, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": REPORT_CSP}


def _plain(message: str, status: int):
    return message, status, {"Content-Type": "text/plain; charset=utf-8"}
