"""WSGI entry point: ``gunicorn dash_app.wsgi:server``."""

from dash_app.app import app, server

__all__ = ["app", "server"]
