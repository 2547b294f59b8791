"""The Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask

from . import services as services_module
from .api import install_request_checks, register
from .config import Settings
from .errors import register_error_handlers
from .jsoncodec import JSONProvider
from .openapi import make_app
from .ratelimit import make_limiter
from .routes import admin, clients, decisions, docs, health, model, monitoring, predict, scoring
from .security import install_auth, install_body_guard, install_cors, install_headers, install_proxy_fix

log = logging.getLogger("model_service")

#: The API's areas, in the document's order.
ROUTES = (health.bp, model.bp, clients.bp, scoring.bp, predict.bp, decisions.bp, monitoring.bp, docs.bp, admin.bp)
#: Areas whose routes are rate limited (RATE_LIMIT per API key, or per address without one).
RATE_LIMITED = (scoring.bp, predict.bp, clients.bp, decisions.bp)


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the service. ``config`` overrides environment variables (same names).

    Raises :class:`scoring.bundle.BundleError` (naming the file) when the model
    bundle is missing or corrupt, and :class:`model_service.config.ConfigError`
    when API_KEYS is unset without ALLOW_NO_AUTH=1.
    """
    settings = Settings.load(config)
    app = make_app(__name__, static_folder=None)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_content_length,
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        TRAP_HTTP_EXCEPTIONS=False,
    )
    app.json = JSONProvider(app)  # pydantic-core's parser for request bodies (model_service.jsoncodec)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    if not settings.auth_enabled:
        log.warning("ALLOW_NO_AUTH=1 and no API_KEYS: the API is open to anyone who can reach it")

    app.extensions[services_module.EXTENSION] = services_module.build(settings)
    app.extensions["settings"] = settings

    register_error_handlers(app)
    install_proxy_fix(app, settings)
    install_auth(app, settings)
    install_body_guard(app, settings)
    install_headers(app)
    install_cors(app, settings)
    limiter = make_limiter(app, settings.ratelimit_storage_uri)
    app.extensions["rate_limiter"] = limiter
    install_request_checks(app)  # after the key and the rate limits, as a view would be
    with app.app_context():  # the request models of /predict and /simulate come from the bundle's services
        blueprints = {routes: register(app, routes) for routes in ROUTES}
    for routes in RATE_LIMITED:
        limiter.limit(settings.rate_limit)(blueprints[routes])
    return app
