"""Monitoring (/monitoring): data drift summary, link to the latest report, production scores by day."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dash_app.api_client import ServiceError, get_client
from dash_app.components import error_alert, graph, safe_layout, section
from dash_app.figures import scores_by_day_figure
from dash_app.formatting import fmt_date, fmt_float, fmt_int
from dash_app.i18n import t, value_label

dash.register_page(__name__, path="/monitoring", order=6, title=t("monitoring.title") + " – " + t("app.brand"))


def _first(d: dict, *keys, default=None):
    return next((d[k] for k in keys if k in d and d[k] is not None), default)


def drift_rows(summary: dict) -> list[dict]:
    """Per-feature drift rows ``{"feature", "drifted", "score"}`` from the summary's usual shapes."""
    raw = _first(summary, "features", "columns", "drift_by_columns", default=[])
    if isinstance(raw, dict):
        raw = [{"feature": k, **(v if isinstance(v, dict) else {"score": v})} for k, v in raw.items()]
    rows = []
    for r in raw if isinstance(raw, list) else []:
        if not isinstance(r, dict):
            continue
        rows.append({"feature": _first(r, "label", "feature", "column", "column_name", default="–"),
                     "drifted": bool(_first(r, "drifted", "drift_detected", default=False)),
                     "score": _first(r, "score", "drift_score", "p_value", "statistic")})
    rows.sort(key=lambda r: not r["drifted"])  # stable: keeps the service's "most drifted first" order
    return rows


def _drift_section(summary: dict) -> html.Section:
    rows = drift_rows(summary)
    total = _first(summary, "n_features", "number_of_columns", "n_columns", default=len(rows))
    drifted = _first(summary, "n_drifted", "number_of_drifted_columns", "drifted_columns",
                     default=sum(r["drifted"] for r in rows))
    if isinstance(drifted, list):
        drifted = len(drifted)
    detected = bool(_first(summary, "dataset_drift", "drift_detected", default=False))
    headline = t("monitoring.drift_detected" if detected else "monitoring.drift_none", n=fmt_int(drifted),
                 total=fmt_int(total))
    generated = _first(summary, "generated_at", "created", "timestamp", "date")
    table = dbc.Table([
        html.Thead(html.Tr([html.Th(t("col.feature"), scope="col"), html.Th(t("monitoring.drifted"), scope="col"),
                            html.Th(t("monitoring.score"), scope="col")])),
        html.Tbody([html.Tr([html.Td(value_label(r["feature"])),
                             html.Td(("⚠ " + t("monitoring.yes")) if r["drifted"] else t("monitoring.no")),
                             html.Td(fmt_float(r["score"], 4) if isinstance(r["score"], (int, float)) else "–")])
                    for r in rows[:40]]),
    ], bordered=True, striped=True, size="sm", responsive=True, id="monitoring-drift-table") if rows else None
    verdict = summary.get("verdict") if isinstance(summary.get("verdict"), dict) else {}
    status = verdict.get("status")
    psi = summary.get("score_psi") if isinstance(summary.get("score_psi"), dict) else {}
    has_report = any(summary.get(k) for k in ("report_html", "report_url", "report"))
    return section(t("monitoring.drift"), [
        html.P(("⚠ " if detected else "✔ ") + headline, className="fw-semibold", id="monitoring-headline"),
        html.P(t("monitoring.verdict", status=t(f"monitoring.status.{status}")), id="monitoring-verdict")
        if status in ("stable", "watch", "act") else None,
        html.Ul([html.Li(r) for r in verdict.get("reasons") or []]) if verdict.get("reasons") else None,
        html.P(t("monitoring.psi", value=fmt_float(psi["value"], 3),
                 status=t(f"monitoring.status.{psi.get('status')}")), id="monitoring-psi")
        if isinstance(psi.get("value"), (int, float)) and psi.get("status") in ("stable", "watch", "act") else None,
        html.P(t("monitoring.generated", date=fmt_date(generated))) if generated else None,
        html.P(html.A(t("monitoring.report_link"), href="/monitoring/report", target="_blank", rel="noopener",
                      id="monitoring-report-link")) if has_report else None,
        html.H3(t("monitoring.features"), className="h6") if rows else None,
        table,
    ], section_id="monitoring-drift")


def _scores_section(summary: dict | None) -> html.Section:
    rows = (summary or {}).get("scores_by_day") or []
    if not rows:
        return section(t("monitoring.scores"), [html.P(t("monitoring.scores_none"))], section_id="monitoring-scores")
    return section(t("monitoring.scores"), [graph("monitoring-scores-graph", scores_by_day_figure(rows),
                                                  alt=t("monitoring.scores_alt", n=len(rows)))],
                   section_id="monitoring-scores")


@safe_layout
def layout(**_query):
    title = html.H1(t("monitoring.title"), className="h3 mb-3")
    try:
        summary = get_client().monitoring_summary()
    except ServiceError as exc:
        return html.Div([title, error_alert(exc)])
    if summary is None:
        return html.Div([title, dbc.Alert(t("monitoring.no_report"), color="info", id="monitoring-no-report")])
    return html.Div([title, _drift_section(summary), _scores_section(summary)])
