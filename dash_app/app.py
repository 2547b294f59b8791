"""Create the Dash application (``app``) and its Flask server (``server``)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import dash
from flask import Flask

from dash_app.auth import setup_auth
from dash_app.config import load_settings
from dash_app.i18n import t
from dash_app.layout import index_string, shell
from dash_app.login_throttle import LoginThrottle, open_storage
from dash_app.reports import setup_report_proxy
from dash_app.security import install_proxy_fix, setup_security
from dash_app.users import UserStore

HERE = Path(__file__).resolve().parent


def create_app() -> dash.Dash:
    settings = load_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = Flask("dash_app")
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_NAME="advisor_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=1 << 20,
    )
    install_proxy_fix(server, settings.trust_proxy_hops)
    throttle = LoginThrottle(open_storage(settings.ratelimit_storage_uri), settings.login_address_limit,
                             settings.login_free_failures, settings.login_max_delay)
    setup_auth(server, UserStore(settings.users_file), throttle, lang=settings.lang)
    app = dash.Dash(
        "dash_app",
        server=server,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        title=t("app.title"),
        update_title=None,
        suppress_callback_exceptions=True,
        eager_loading=True,  # plotly and the table load with the page, not one round trip after the layout
    )
    app.index_string = index_string(settings.lang)
    app.layout = shell
    setup_report_proxy(server)
    setup_security(server, app)
    _warm_up(app)
    return app


def _warm_up(app: dash.Dash) -> None:
    """Render the index page once at start-up.

    Dash registers the JavaScript bundles it may serve while rendering its index
    page. Under gunicorn, a worker that has not rendered it yet answers 500 to a
    bundle request ("dash is not a registered library"); rendering it here, before
    the workers fork (``--preload``), gives every worker the full registry.
    """
    with app.server.test_request_context("/"):
        app._setup_server()
        app.index()


app = create_app()
server = app.server

if __name__ == "__main__":  # development only: python -m dash_app.app
    app.run(host="127.0.0.1", port=8050, debug=False)
