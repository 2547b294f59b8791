"""Optional gunicorn settings: ``gunicorn -c python:model_service.gunicorn_conf model_service.wsgi:app``.

The plain command (``gunicorn --preload -b 0.0.0.0:$PORT model_service.wsgi:app``)
works as well; this file only adds sensible defaults and flushes the prediction
log when a worker stops.
"""

from __future__ import annotations

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
preload_app = True
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
timeout = 60
graceful_timeout = 20
limit_request_line = 8190  # = security.MAX_REQUEST_LINE, gunicorn's maximum: up to it the app answers in JSON
forwarded_allow_ips = ""  # forwarded headers are the app's business (ProxyFix, TRUST_PROXY_HOPS)


def worker_exit(server, worker) -> None:  # noqa: ARG001 - gunicorn hook signature
    app = getattr(worker, "wsgi", None)
    services = getattr(app, "extensions", {}).get("model_service") if app is not None else None
    if services is not None:
        services.predictions.close()
