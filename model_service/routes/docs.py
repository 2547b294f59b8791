"""The generated OpenAPI document and a self-hosted interactive page (no CDN)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, send_from_directory

from ..api import operation
from ..openapi import generate

bp = Blueprint("docs", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static"
ASSETS = {"docs.js", "docs.css"}


@operation(bp, "/openapi.json", summary="This OpenAPI 3.1 document (public: the endpoints it lists need the key)",
           tags="service", auth=False)
def openapi_document():
    cache = current_app.extensions.setdefault("openapi_document", {})
    if "spec" not in cache:
        cache["spec"] = generate(current_app)
    return jsonify(cache["spec"])


@operation(bp, "/docs", summary="Interactive API documentation (HTML)", tags="service", auth=False,
           content_type="text/html", endpoint="docs_page")
def docs_page():
    return send_from_directory(STATIC, "docs.html", mimetype="text/html", max_age=0)


@bp.get("/docs/<name>")
def docs_asset(name: str):
    if name not in ASSETS:
        abort(404)
    return send_from_directory(STATIC, name, max_age=300)
