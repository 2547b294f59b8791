"""The OpenAPI 3.1 document, generated from the routes' ``@operation`` metadata and
their pydantic models (nothing hand-written)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .api import Operation, resolve
from .schemas import ErrorOut
from .security import API_KEY_HEADER, LIMITS_DESCRIPTION

_ARG = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_CONVERTER_TYPES = {"int": {"type": "integer", "minimum": 0}, "float": {"type": "number"}}
_ERROR_TEXT = {
    400: "Malformed JSON", 401: "Missing or invalid API key", 403: "Missing or invalid administrator key",
    404: "Not found", 405: "Method not allowed",
    409: "Conflict: contradicts the latest decision without naming it in 'revises', or the configuration",
    413: "Request body too large", 415: "Body is not JSON", 422: "Invalid input (every problem listed)",
    429: "Rate limit exceeded", 503: "Database unavailable",
}


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in _ARG.finditer(rule):
        schema = dict(_CONVERTER_TYPES.get(match.group("converter") or "", {"type": "string"}))
        params.append({"name": match.group("name"), "in": "path", "required": True, "schema": schema})
    return _ARG.sub(lambda m: "{" + m.group("name") + "}", rule), params


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def generate(app: Flask) -> dict[str, Any]:
    operations: list[tuple[str, str, Operation, list[dict[str, Any]]]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        spec: Operation | None = getattr(view, "openapi", None)
        if spec is None:
            continue
        path, params = _path(rule.rule)
        operations.append((path, rule.endpoint, spec, params))

    models: list[tuple[type[BaseModel], str]] = [(ErrorOut, "serialization")]
    from .services import services  # the bundle-specific request models

    models.append((services().models.application, "validation"))
    for _, _, spec, _ in operations:
        if spec.body is not None:
            models.append((resolve(spec.body), "validation"))  # type: ignore[arg-type]
        if spec.response is not None:
            models.append((spec.response, "serialization"))
    unique = list(dict.fromkeys(models))
    refs, definitions = models_json_schema(unique, ref_template="#/components/schemas/{model}")

    paths: dict[str, dict[str, Any]] = {}
    for path, endpoint, spec, params in operations:
        op: dict[str, Any] = {"operationId": endpoint.replace(".", "_"), "summary": spec.summary,
                              "tags": list(spec.tags)}
        if spec.description:
            op["description"] = spec.description
        parameters = list(params) + list(spec.extra_params)
        if spec.query is not None:
            parameters += _query_parameters(resolve(spec.query))  # type: ignore[arg-type]
        if parameters:
            op["parameters"] = parameters
        if spec.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": refs[(resolve(spec.body), "validation")]}}}
        success: dict[str, Any] = {"description": "OK" if spec.status == 200 else "Created"}
        if spec.response is not None:
            success["content"] = {"application/json": {"schema": refs[(spec.response, "serialization")]}}
        elif spec.content_type != "application/json":
            success["content"] = {spec.content_type: {"schema": {"type": "string"}}}
        else:
            success["content"] = {"application/json": {"schema": {"type": "object"}}}
        responses: dict[str, Any] = {str(spec.status): success}
        codes = set(spec.errors) | ({401} if spec.auth else set())
        for code in sorted(codes):
            responses[str(code)] = {"description": _ERROR_TEXT.get(code, "Error"), "content": {
                "application/json": {"schema": refs[(ErrorOut, "serialization")]}}}
        op["responses"] = responses
        if not spec.auth:
            op["security"] = []
        paths.setdefault(path, {})[spec.method.lower()] = op

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Credit scoring service",
            "version": "1.0.0",
            "description": ("JSON API of the credit-scoring model (contract with the advisor dashboard). "
                            f"Send the key in the `{API_KEY_HEADER}` header. Errors are always "
                            "`{\"error\", \"detail\"}`. " + LIMITS_DESCRIPTION),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}},
        },
        "security": [{"ApiKeyAuth": []}],
        "tags": [{"name": t} for t in ("service", "model", "clients", "scoring", "decisions", "monitoring")],
    }
