"""The application class: flask-openapi3's ``OpenAPI`` (a Flask app that generates its OpenAPI 3.1
document from the routes' pydantic models), configured for this service.

The document is served at ``/openapi.json`` and shown at ``/docs`` by ``routes/docs.py`` (the
library's own pages are off: their inline scripts and styles break the docs page's CSP).
"""

from __future__ import annotations

from typing import Any

from flask_openapi3 import Info, OpenAPI, SecurityScheme, Server
from flask_openapi3.models import OPENAPI3_REF_TEMPLATE
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from .api import ADMIN_KEY_SCHEME, API_KEY_SCHEME, validation_error
from .schemas import ErrorOut
from .security import API_KEY_HEADER, LIMITS_DESCRIPTION

ADMIN_KEY_HEADER = "X-Admin-Key"
TAGS = ("service", "model", "clients", "scoring", "decisions", "monitoring")
INFO = Info(
    title="Credit scoring service",
    version="1.0.0",
    description=("JSON API of the credit-scoring model (contract with the advisor dashboard). "
                 f"Send the key in the `{API_KEY_HEADER}` header. Errors are always "
                 "`{\"error\", \"detail\"}`. " + LIMITS_DESCRIPTION),
)
SECURITY_SCHEMES = {
    API_KEY_SCHEME: SecurityScheme(type="apiKey", name=API_KEY_HEADER, **{"in": "header"}),
    ADMIN_KEY_SCHEME: SecurityScheme(type="apiKey", name=ADMIN_KEY_HEADER, description=(
        "an administrator key (ADMIN_API_KEYS), sent with the API key"), **{"in": "header"}),
}


class ServiceApp(OpenAPI):
    """flask-openapi3 with two corrections to the document it generates (4.3.2).

    - Component schemas: the library passes every schema through its own ``Schema`` model, which
      drops the keywords it does not know (``examples``: the example bodies; ``propertyNames``: the
      keys a mapping accepts) and writes integer bounds as floats. The components are taken from
      pydantic instead, for the very models the library referenced (same names, checked by a test).
    - 422: the library adds one (a list of its own error model) to every operation that does not
      declare one. Here an operation declares its 422 when it validates a query or a body (see
      ``api._responses``); the library's addition, on operations that take no input, is dropped.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.schema_models: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(ErrorOut, "serialization"): None}

    def document(self, model: type[BaseModel], mode: JsonSchemaMode) -> None:
        """Have ``model`` (a body: "validation", an answer: "serialization") among the components."""
        self.schema_models[(model, mode)] = None

    def generate_spec_json(self) -> None:
        super().generate_spec_json()
        _, definitions = models_json_schema(list(self.schema_models), ref_template=OPENAPI3_REF_TEMPLATE)
        self.spec_json["components"]["schemas"] = definitions.get("$defs", {})
        injected = self.validation_error_status
        for item in self.spec_json["paths"].values():
            for op in item.values():
                answer = op["responses"].get(injected, {})
                if answer.get("content", {}).get("application/json", {}).get("schema", {}).get("type") == "array":
                    del op["responses"][injected]
        order = {name: k for k, name in enumerate(TAGS)}
        self.spec_json["tags"] = sorted(self.spec_json.get("tags", []), key=lambda t: order.get(t["name"], len(order)))


def make_app(import_name: str, **flask_options: Any) -> ServiceApp:
    return ServiceApp(import_name, info=INFO, security_schemes=SECURITY_SCHEMES, servers=[Server(url="/")],
                      validation_error_status=422, validation_error_model=ErrorOut,
                      validation_error_callback=validation_error, doc_ui=False, **flask_options)
