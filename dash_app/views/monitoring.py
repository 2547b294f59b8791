"""Sections of the Monitoring page, built from the typed summary the service answers
(:class:`scoring.monitoring.contract.MonitoringSummary`): nothing is guessed."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dash_app.components import graph, section
from dash_app.figures import backtest_figure, distribution_figure, volumes_figure
from dash_app.formatting import fmt_date, fmt_float, fmt_int, fmt_pct
from dash_app.i18n import t, value_label
from scoring.monitoring.contract import (
    Backtest,
    BacktestRow,
    Challenger,
    DefaultRate,
    DriftSummary,
    Overrides,
    Production,
)

REPORT_URL = "/monitoring/report"


def _table(table_id: str, head: list[str], rows: list[list]) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
                      html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
                     bordered=True, striped=True, size="sm", responsive=True, id=table_id)


def _status(status: str | None) -> str:
    return t(f"monitoring.status.{status}") if status else "–"


def production_section(p: Production) -> html.Section:
    window = t("monitoring.production_window", days=p.window_days) if p.window_days else ""
    if not p.total:
        none = t("monitoring.scores_none_window", days=p.window_days) if p.window_days else t("monitoring.scores_none")
        return section(t("monitoring.production"), [html.P(none, id="monitoring-production-none")],
                       section_id="monitoring-production")
    psi = (t("monitoring.production_psi", value=fmt_float(p.psi, 3), status=_status(p.psi_status))
           if p.psi is not None else t("monitoring.production_psi_none"))
    shares = {k: fmt_pct(p.decision_shares.get(k)) for k in ("approve", "review", "decline")}
    periods = _table("monitoring-periods-table",
                     [t("monitoring.col.period"), t("monitoring.col.requests"), t("monitoring.col.mean_score"),
                      t("monitoring.model.approve"), t("monitoring.model.review"), t("monitoring.model.decline"),
                      t("monitoring.col.psi"), t("monitoring.col.reading")],
                     [[x.period, fmt_int(x.count), fmt_float(x.mean_score, 1), fmt_pct(x.approve), fmt_pct(x.review),
                       fmt_pct(x.decline), fmt_float(x.psi, 3) if x.psi is not None else "–", _status(x.psi_status)]
                      for x in reversed(p.periods)])
    features = (_table("monitoring-features-table",
                       [t("col.feature"), t("monitoring.col.psi"), t("monitoring.col.reading"), t("monitoring.col.values")],
                       [[f.label, fmt_float(f.psi, 3), _status(f.status), fmt_int(f.n)]
                        for f in p.top_features])
                if p.top_features else html.P(t("monitoring.top_features_none")))
    return section(t("monitoring.production"), [
        html.P(t("monitoring.production_headline", n=fmt_int(p.total), first=fmt_date(p.first_time),
                 last=fmt_date(p.last_time)), className="fw-semibold", id="monitoring-production-headline"),
        html.P(window, className="text-muted small", id="monitoring-production-window"),
        html.P(psi, id="monitoring-production-psi"),
        html.P(t("monitoring.psi_reading"), className="text-muted small"),
        html.P(t("monitoring.shares", **shares), id="monitoring-shares"),
        graph("monitoring-distribution-graph", distribution_figure(p), alt=t("monitoring.distribution_alt")),
        graph("monitoring-volumes-graph", volumes_figure(p), alt=t("monitoring.volumes_alt", n=len(p.periods))),
        periods,
        html.H3(t("monitoring.top_features"), className="h6"),
        features,
    ], section_id="monitoring-production")


def _backtest_rows(rows: list[BacktestRow]) -> list[list]:
    return [[r.key, fmt_int(r.n), fmt_pct(r.expected), f"{fmt_pct(r.expected_low)} – {fmt_pct(r.expected_high)}",
             fmt_pct(r.observed), fmt_float(r.auc, 3) if r.auc is not None else "–", fmt_float(r.cost, 3),
             t(f"monitoring.flag.{r.flag}") if r.flag else "✔"] for r in rows]


def backtest_section(b: Backtest | None) -> html.Section:
    if b is None or not b.n or b.overall is None:
        return section(t("monitoring.backtest"), [html.P(t("monitoring.backtest_none"), id="monitoring-backtest-none")],
                       section_id="monitoring-backtest")
    head = [t("monitoring.col.group"), t("monitoring.col.loans"), t("monitoring.col.expected"),
            t("monitoring.col.interval"), t("monitoring.col.observed"), t("monitoring.col.auc"),
            t("monitoring.col.cost"), t("monitoring.col.flag")]
    return section(t("monitoring.backtest"), [
        html.P(t("monitoring.backtest_headline", n=fmt_int(b.n), expected=fmt_pct(b.overall.expected),
                 observed=fmt_pct(b.overall.observed)), className="fw-semibold", id="monitoring-backtest-headline"),
        html.P(t("monitoring.backtest_flagged", n=b.flagged) if b.flagged else t("monitoring.backtest_ok"),
               id="monitoring-backtest-flags"),
        graph("monitoring-backtest-graph", backtest_figure(b), alt=t("monitoring.backtest_alt")),
        html.H3(t("monitoring.backtest_by_band"), className="h6"),
        _table("monitoring-backtest-bands", head, _backtest_rows(b.by_band)),
        html.H3(t("monitoring.backtest_by_vintage"), className="h6"),
        _table("monitoring-backtest-vintages", head, _backtest_rows(b.by_vintage)),
    ], section_id="monitoring-backtest")


def _rate(r: DefaultRate) -> str:
    if r.rate is None:
        return "–"
    return f"{fmt_pct(r.rate)} ({fmt_pct(r.low)} – {fmt_pct(r.high)})"


def overrides_section(o: Overrides | None) -> html.Section:
    if o is None or not o.decisions:
        return section(t("monitoring.overrides"), [html.P(t("monitoring.overrides_none"), id="monitoring-overrides-none")],
                       section_id="monitoring-overrides")
    head = [t("monitoring.col.decisions"), t("monitoring.col.overrides"), t("monitoring.col.rate"),
            t("monitoring.col.granted")]
    children = [
        html.P(t("monitoring.overrides_headline", n=fmt_int(o.decisions), k=fmt_int(o.overrides),
                 rate=fmt_pct(o.override_rate)), className="fw-semibold", id="monitoring-overrides-headline"),
        html.H3(t("monitoring.overrides_by_band"), className="h6"),
        _table("monitoring-overrides-bands", [t("monitoring.col.model_opinion"), *head],
               [[t(f"monitoring.model.{r.key}"), fmt_int(r.n), fmt_int(r.overrides), fmt_pct(r.rate), fmt_int(r.granted)]
                for r in o.by_band]),
        html.H3(t("monitoring.overrides_by_advisor"), className="h6"),
        _table("monitoring-overrides-advisors", [t("monitoring.col.advisor"), *head],
               [[r.key, fmt_int(r.n), fmt_int(r.overrides), fmt_pct(r.rate), fmt_int(r.granted)] for r in o.by_advisor]),
    ]
    if o.by_reason:
        children += [html.H3(t("monitoring.overrides_by_reason"), className="h6"),
                     _table("monitoring-overrides-reasons", [t("monitoring.col.reason"), t("monitoring.col.overrides"),
                                                              t("monitoring.col.share")],
                            [[r.key, fmt_int(r.overrides), fmt_pct(r.share)] for r in o.by_reason])]
    if o.outcomes is not None:
        groups = (("against_model", o.outcomes.against_model), ("followed_model", o.outcomes.followed_model),
                  ("review_band", o.outcomes.review_band))
        children += [html.H3(t("monitoring.overrides_outcomes"), className="h6"),
                     _table("monitoring-overrides-outcomes", [t("monitoring.col.group"), t("monitoring.col.loans"),
                                                               t("monitoring.col.defaults"),
                                                               t("monitoring.col.default_rate")],
                            [[t(f"monitoring.outcome.{k}"), fmt_int(r.n), fmt_int(r.defaults), _rate(r)]
                             for k, r in groups])]
    return section(t("monitoring.overrides"), children, section_id="monitoring-overrides")


def challenger_section(c: Challenger | None) -> html.Section | None:
    if c is None or not c.n:
        return None
    children = [
        html.P(t("monitoring.challenger_headline", n=fmt_int(c.n), agreement=fmt_pct(c.agreement),
                 diff=fmt_float(c.mean_abs_score_diff, 1)), className="fw-semibold", id="monitoring-challenger-headline"),
        _table("monitoring-challenger-flips", [t("monitoring.col.model_opinion"), t("monitoring.col.requests"),
                                               t("monitoring.col.flipped")],
               [[t(f"monitoring.model.{f.band}"), fmt_int(f.n), fmt_int(f.flipped)] for f in c.flips]),
    ]
    if c.outcomes is not None:
        o = c.outcomes
        children.append(html.P(t("monitoring.challenger_outcomes", n=fmt_int(o.n),
                                 auc_a=fmt_float(o.champion.auc, 3), auc_b=fmt_float(o.challenger.auc, 3),
                                 cost_a=fmt_float(o.champion.cost, 3), cost_b=fmt_float(o.challenger.cost, 3))))
    return section(t("monitoring.challenger"), children, section_id="monitoring-challenger")


def drift_section(d: DriftSummary | None, report_available: bool) -> html.Section:
    link = html.P(html.A(t("monitoring.report_link"), href=REPORT_URL, target="_blank", rel="noopener",
                         id="monitoring-report-link")) if report_available else None
    if d is None:
        return section(t("monitoring.drift_offline"), [html.P(t("monitoring.report_none"), id="monitoring-no-report"),
                                                      link], section_id="monitoring-drift")
    headline = t("monitoring.drift_detected" if d.dataset_drift else "monitoring.drift_none", n=fmt_int(d.n_drifted),
                 total=fmt_int(d.n_columns))
    table = _table("monitoring-drift-table", [t("col.feature"), t("monitoring.drifted"), t("monitoring.score")],
                   [[value_label(c.label), ("⚠ " + t("monitoring.yes")) if c.drifted else t("monitoring.no"),
                     fmt_float(c.score, 4)] for c in d.columns[:40]]) if d.columns else None
    psi = (html.P(t("monitoring.psi", value=fmt_float(d.score_psi.value, 3), status=_status(d.score_psi.status)),
                  id="monitoring-psi") if d.score_psi.value is not None else None)
    return section(t("monitoring.drift_offline"), [
        html.P(("⚠ " if d.dataset_drift else "✔ ") + headline, className="fw-semibold", id="monitoring-headline"),
        html.P(t("monitoring.verdict", status=_status(d.verdict.status)), id="monitoring-verdict"),
        html.Ul([html.Li(r) for r in d.verdict.reasons]) if d.verdict.reasons else None,
        psi,
        html.P(t("monitoring.generated", date=fmt_date(d.generated_at))),
        link,
        html.H3(t("monitoring.features"), className="h6") if table else None,
        table,
    ], section_id="monitoring-drift")
