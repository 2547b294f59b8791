"""Monitoring (/monitoring): production scores against training, backtest, overrides, drift report."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dash_app.api_client import ServiceError, get_client
from dash_app.components import error_alert, safe_layout
from dash_app.formatting import fmt_int
from dash_app.i18n import t
from dash_app.views.monitoring import (
    backtest_section,
    challenger_section,
    drift_section,
    overrides_section,
    production_section,
)

dash.register_page(__name__, path="/monitoring", order=6, nav=t("nav.monitoring"), title=t("monitoring.title") + " – " + t("app.brand"))

PERIODS = ("day", "week")


def _period_links(current: str) -> html.Nav:
    return html.Nav([html.Span(t("monitoring.period_label") + " : ", className="me-2"), *[
        html.A(t(f"monitoring.period.{p}"), href=f"/monitoring?period={p}", id=f"monitoring-period-{p}",
               className="me-3 fw-semibold" if p == current else "me-3", **({"aria-current": "page"} if p == current else {}))
        for p in PERIODS]], className="mb-3", **{"aria-label": t("monitoring.period_label")})


@safe_layout
def layout(period: str = "day", **_query):
    period = period if period in PERIODS else "day"
    title = html.H1(t("monitoring.title"), className="h3 mb-3")
    try:
        summary = get_client().monitoring_summary(period)
    except ServiceError as exc:
        return html.Div([title, error_alert(exc)])
    lost = (dbc.Alert(t("monitoring.log_lost", n=fmt_int(summary.log.lost)), color="warning", id="monitoring-log-lost")
            if summary.log.lost else None)
    return html.Div([title, _period_links(period), lost, production_section(summary.production),
                     backtest_section(summary.backtest), overrides_section(summary.overrides),
                     challenger_section(summary.challenger), drift_section(summary.drift, summary.report_available)])
