"""The generated OpenAPI document and the interactive page: Swagger UI shipped locally by the
maintained ``flask-openapi3-swagger`` package (no CDN), started by our ``static/docs.js``."""

from __future__ import annotations

from pathlib import Path

import flask_openapi3_swagger
from flask import Blueprint, abort, current_app, jsonify, send_from_directory

from ..api import operation
from ..openapi import generate

bp = Blueprint("docs", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static"
SWAGGER = Path(flask_openapi3_swagger.__file__).resolve().parent / "templates" / "swagger"
#: The only files /docs/<name> serves: ours, then the Swagger UI build of the package.
ASSETS = {"docs.js": STATIC / "docs.js", "swagger-ui.css": SWAGGER / "css" / "swagger-ui.css",
          "swagger-ui-bundle.js": SWAGGER / "js" / "swagger-ui-bundle.js"}


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
    path = ASSETS.get(name)
    if path is None:
        abort(404)
    return send_from_directory(path.parent, path.name, max_age=300)
