"""The shell around every page: skip link, navigation, synthetic-data banner, footer."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dash_app.api_client import ServiceError, get_client
from dash_app.auth import csrf_token
from dash_app.formatting import fmt_float
from dash_app.i18n import t
from scoring.contract import Oversight

INDEX_STRING = """<!DOCTYPE html>
<html lang="{lang}">
    <head>
        {{%metas%}}
        <title>{{%title%}}</title>
        {{%favicon%}}
        {{%css%}}
    </head>
    <body>
        {{%app_entry%}}
        <div>
            {{%config%}}
            {{%scripts%}}
            {{%renderer%}}
        </div>
    </body>
</html>"""


def index_string(lang: str) -> str:
    return INDEX_STRING.format(lang=lang)


def nav_links() -> list[tuple[str, str]]:
    """(path, label) of the pages that register a ``nav`` label (``dash.register_page(..., nav=...)``), in their
    ``order``: the navigation is the page registry's, not a second list to keep in step."""
    pages = sorted((p for p in dash.page_registry.values() if p.get("nav")), key=lambda p: p["order"])
    return [(p["path"], p["nav"]) for p in pages]


def _nav(banner) -> html.Header:
    user = current_user.id if getattr(current_user, "is_authenticated", False) else ""
    links = nav_links()
    return html.Header([
        html.Nav(
            [
                dcc.Link(t("app.brand"), href="/", className="navbar-brand fw-bold text-white"),
                html.Ul([html.Li(dcc.Link(text, href=href, className="nav-link text-white"), className="nav-item")
                         for href, text in links], className="navbar-nav flex-row gap-3 me-auto"),
                html.Span(t("nav.user", user=user), className="text-white me-3 small") if user else None,
                html.Form(
                    [dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
                     html.Button(t("nav.logout"), type="submit", className="btn btn-sm btn-outline-light",
                                 id="nav-logout")],
                    action="/logout", method="POST", className="d-inline",
                ) if user else None,
            ],
            className="navbar navbar-expand container-xl flex-wrap", **{"aria-label": t("nav.main")},
        ),
        html.Div(banner, id="app-banner", className="app-banner"),
    ], className="app-header")


def oversight_banner(oversight: Oversight):
    """The stop switch (human oversight, EU AI Act art. 14): every application goes to an advisor."""
    if not oversight.all_to_advisor:
        return None
    return html.Div(html.P(["✋ ", html.Strong(t("banner.oversight")), " ", oversight.message],
                           className="mb-0"),
                    id="app-banner-oversight", className="alert alert-info mb-0 rounded-0 text-center", role="note")


def _banner_and_footer():
    try:
        health = get_client().health()
    except ServiceError:
        return dbc.Alert(t("banner.service_down"), color="warning", id="app-banner-down",
                         className="container-xl mb-0 rounded-0"), None
    banner = [oversight_banner(health.oversight)]
    if health.synthetic:
        banner.append(html.Div(html.P(["⚠ ", t("banner.synthetic")], className="mb-0"), id="app-banner-synthetic",
                               className="alert alert-warning mb-0 rounded-0 text-center", role="note"))
    footer = t("footer.model", version=health.model_version, threshold=fmt_float(health.threshold, 3))
    return banner, footer


def shell():
    banner, footer = _banner_and_footer()
    return html.Div([
        html.A(t("skip"), href="#main", className="skip-link"),
        _nav(banner),
        html.Main(dash.page_container, id="main", tabIndex="-1", className="container-xl py-3"),
        html.Footer(html.P(footer or "", className="small text-muted-strong mb-0"),
                    className="container-xl pb-3", id="app-footer"),
    ])
