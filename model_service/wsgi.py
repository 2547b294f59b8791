"""WSGI entry point: ``gunicorn --preload -b 0.0.0.0:$PORT model_service.wsgi:app``.

With ``--preload`` the bundle is opened once in the master and shared by the
workers (memory-mapped store, copy-on-write model). A missing or corrupt bundle,
or API_KEYS unset, stops the start with a clear message.
"""

from __future__ import annotations

import logging
import os
import sys

from scoring.bundle import BundleError

from .app import create_app
from .config import ConfigError

logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")

try:
    app = create_app()
except (BundleError, ConfigError) as exc:
    message = f"model_service cannot start: {exc}"
    logging.getLogger("model_service").critical(message)
    print(message, file=sys.stderr)
    raise SystemExit(3) from None
