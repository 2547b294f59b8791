"""Small shared UI pieces: error messages, decision badges, labelled fields, figure wrappers."""

from __future__ import annotations

import functools
import logging

import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app.api_client import ServiceError, ServiceUnavailable
from dash_app.formatting import decision_text
from dash_app.i18n import t
from dash_app.theme import ICON_OF_DECISION, band_of

log = logging.getLogger(__name__)


def error_text(exc: Exception) -> str:
    """The sentence an advisor reads for a failure (never a traceback)."""
    if isinstance(exc, ServiceUnavailable):
        return t("error.timeout") if exc.code == "timeout" else t("error.unavailable")
    if isinstance(exc, ServiceError):
        if exc.status == 404:
            return t("error.not_found")
        if exc.status in (401, 403):
            return t("error.auth")
        if exc.status in (400, 413, 415, 422):
            detail = exc.detail if isinstance(exc.detail, str) else (exc.code or "")
            return t("error.rejected", detail=detail or "–")
        if exc.status == 429:
            return t("error.timeout")
    return t("error.generic")


def error_alert(exc: Exception, **props) -> dbc.Alert:
    if not isinstance(exc, ServiceError):
        log.exception("unexpected error in the dashboard", exc_info=exc)
    colour = "warning" if isinstance(exc, ServiceUnavailable) else "danger"
    return dbc.Alert(error_text(exc), color=colour, className="service-message mb-2", **props)


def guarded(*fallback_factories):
    """Decorator for callbacks: a ServiceError (or any bug) becomes an alert in the first output,
    the other outputs get the fallback values. ``fallback_factories`` are values or callables."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - the page must stay usable whatever happens
                alert = error_alert(exc)
                if not fallback_factories:
                    return alert
                rest = [f() if callable(f) else f for f in fallback_factories]
                return (alert, *rest)

        return wrapper

    return decorate


def safe_layout(fn):
    """Decorator for page layouts: a failure becomes a message in words instead of a broken page."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            return html.Div([html.H1(t("app.title"), className="h3"), error_alert(exc)])

    return wrapper


def decision_badge(decision: str | None, size: str = "") -> html.Span:
    """Icon + word + colour: the decision never rests on colour alone."""
    band = band_of(decision) or "none"
    return html.Span(
        [html.Span(ICON_OF_DECISION.get(decision or "", "•"), className="decision-icon", **{"aria-hidden": "true"}),
         " ", decision_text(decision)],
        className=f"decision decision-{band} {size}".strip(),
        **{"data-decision": decision or "", "data-band": band},
    )


def labelled_input(component_id: str, label: str, help_text: str | None = None, **props) -> html.Div:
    children = [dbc.Label(label, html_for=component_id, className="form-label"), dbc.Input(id=component_id, **props)]
    if help_text:
        children.append(dbc.FormText(help_text, id=f"{component_id}-help"))
    return html.Div(children, className="mb-2")


def labelled_select(component_id: str, label: str, options: list[dict], value=None, **props) -> html.Div:
    return html.Div([dbc.Label(label, html_for=component_id, className="form-label"),
                     dbc.Select(id=component_id, options=options, value=value, **props)], className="mb-2")


def graph(component_id: str, figure=None, alt: str = "", alt_id: str | None = None, **props) -> html.Figure:
    """A chart with its text alternative as a visible caption (read by screen readers too)."""
    return html.Figure(
        [dcc.Graph(id=component_id, figure=figure or {}, config={"displayModeBar": False, "responsive": True},
                   **props),
         html.Figcaption(alt, id=alt_id or f"{component_id}-alt", className="figure-alt")],
        className="chart mb-3",
    )


def section(title: str, children, section_id: str | None = None, level: int = 2) -> html.Section:
    heading = html.H2 if level == 2 else html.H3
    props = {"id": section_id} if section_id else {}
    return html.Section([heading(title, className="h5"), *children], className="card card-body mb-3", **props)
