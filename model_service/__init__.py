"""Credit-scoring JSON API (Flask). ``create_app()`` builds it; ``wsgi:app`` serves it."""

from __future__ import annotations

from .app import create_app
from .config import ConfigError

__all__ = ["create_app", "ConfigError"]
