"""Advisor dashboard (Dash): talks to the scoring service over HTTP only (dash_app.api_client)."""
