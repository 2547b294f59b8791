"""Route declaration on top of flask-openapi3: one ``@operation`` says path, models, answers and security.

``@operation(bp, "/clients/<int:client_id>/score", response=ScoreOut, ...)`` only records the
operation; :func:`register` hands it to flask-openapi3 once per application, because the request
models of ``/predict``, ``/predict/batch`` and ``/simulate`` are built from the bundle (its
categorical levels) and flask-openapi3 reads a view's models from its annotations when the route is
registered. The library then validates path, query and body with pydantic (422 listing every problem,
see :func:`validation_error`) and generates the document (:mod:`model_service.openapi`).

What this module adds, because flask-openapi3 does not do it:

- 415 for a body that is not JSON and 400 for one that does not parse (the library validates
  ``None`` instead: a 422 that hides the real problem), 422 for a JSON string where an object is
  expected (the library would parse the string as JSON a second time);
- 422 for a query parameter given more than once (the library keeps the first value silently);
- a described error answer (``ErrorOut``) per status the operation can return, and the security
  requirement per operation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, ValidationError, create_model
from werkzeug.exceptions import BadRequest

from .errors import ApiError, Invalid, error_response, problems_from

ModelRef = type[BaseModel] | Callable[[], type[BaseModel]] | None

API_KEY_SCHEME = "ApiKeyAuth"
ADMIN_KEY_SCHEME = "AdminKeyAuth"
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}
ERROR_TEXT = {
    400: "Malformed JSON", 401: "Missing or invalid API key", 403: "Missing or invalid administrator key",
    404: "Not found", 409: "Conflict: contradicts the latest decision without naming it in 'revises', or the configuration",
    413: "Request body too large", 415: "Body is not JSON", 422: "Invalid input (every problem listed)",
    429: "Too many requests: the rate limit, or too many failed authentications from this address",
    503: "Unavailable: the database or the rate-limit counters cannot be reached",
}
#: Every operation that needs the key can answer these: failed keys are counted per address (429 once over
#: AUTH_FAILURE_LIMIT) in the rate limiter's storage (503 while it is unreachable).
KEYED_ERRORS = frozenset({401, 429, 503})
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "required": True,
                               "schema": {"type": "integer", "minimum": 1}}}
_PATH_ARG = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Operation:
    rule: str
    view: Callable[..., Any]
    summary: str
    tags: tuple[str, ...]
    method: str
    query: ModelRef = None
    body: ModelRef = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    auth: bool = True
    admin: bool = False
    description: str = ""
    content_type: str = "application/json"
    endpoint: str | None = None


class Routes:
    """The operations of one area of the API (a blueprint once registered on an application)."""

    def __init__(self, name: str):
        self.name = name
        self.operations: list[Operation] = []
        self.plain: list[tuple[str, str, Callable[..., Any]]] = []  # undocumented routes (static assets)

    def route(self, rule: str, endpoint: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """An undocumented GET route (the docs page's static files)."""
        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            self.plain.append((rule, endpoint, view))
            return view
        return decorate


def operation(routes: Routes, rule: str, *, summary: str, tags: tuple[str, ...] | str, method: str = "GET",
              query: ModelRef = None, body: ModelRef = None, response: type[BaseModel] | None = None,
              status: int = 200, errors: tuple[int, ...] = (), auth: bool = True, admin: bool = False,
              description: str = "", content_type: str = "application/json", endpoint: str | None = None):
    """Declare ``view`` as an operation of ``routes``; it receives path arguments and ``query``/``body`` models."""
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        routes.operations.append(Operation(
            rule=rule, view=view, summary=summary, tags=(tags,) if isinstance(tags, str) else tags, method=method,
            query=query, body=body, response=response, status=status, errors=errors, auth=auth, admin=admin,
            description=description, content_type=content_type, endpoint=endpoint))
        return view
    return decorate


def resolve(model: ModelRef) -> type[BaseModel] | None:
    if model is None or (isinstance(model, type) and issubclass(model, BaseModel)):
        return model
    return model()  # type: ignore[operator]


@dataclass(frozen=True)
class RequestChecks:
    """What :func:`install_request_checks` verifies before flask-openapi3 validates the request."""

    query: type[BaseModel] | None
    body: bool


def register(app: Flask, routes: Routes) -> APIBlueprint:
    """``routes`` as a flask-openapi3 blueprint of ``app`` (call inside its application context)."""
    bp = APIBlueprint(routes.name, __name__)
    for op in routes.operations:
        _add(bp, routes.name, op)
        body = resolve(op.body)
        if body is not None:
            app.document(body, "validation")  # type: ignore[attr-defined]
        if op.response is not None:
            app.document(op.response, "serialization")  # type: ignore[attr-defined]
    for rule, endpoint, view in routes.plain:
        bp.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=["GET"])
    app.register_api(bp)  # type: ignore[attr-defined]
    return bp


def _add(bp: APIBlueprint, area: str, op: Operation) -> None:
    endpoint = op.endpoint or op.view.__name__
    query = resolve(op.query)
    models = {"path": _path_model(op.rule, endpoint), "query": _schema_once(query) if query else None,
              "body": resolve(op.body)}
    models = {key: model for key, model in models.items() if model is not None}
    view = op.view

    def handler(**kwargs: Any) -> Any:
        path = kwargs.pop("path", None)
        return view(**(dict(path) if path is not None else {}), **kwargs)

    handler.__name__ = endpoint
    handler.__annotations__ = dict(models)
    handler.request_checks = RequestChecks(models.get("query"), "body" in models)  # type: ignore[attr-defined]
    security = None
    if op.auth:
        security = [{API_KEY_SCHEME: [], **({ADMIN_KEY_SCHEME: []} if op.admin else {})}]
    register_method = bp.post if op.method == "POST" else bp.get
    register_method(op.rule, tags=[Tag(name=t) for t in op.tags], summary=op.summary,
                    description=op.description or None, operation_id=f"{area}_{endpoint}",
                    responses=_responses(op, validates="query" in models or "body" in models),
                    security=security, endpoint=endpoint)(handler)


def _path_model(rule: str, endpoint: str) -> type[BaseModel] | None:
    """The path parameters of ``rule`` as a model (flask-openapi3 documents a path parameter only so)."""
    fields: dict[str, Any] = {}
    for match in _PATH_ARG.finditer(rule):
        if match.group("converter") == "int":  # werkzeug's int converter: digits only, so never negative
            fields[match.group("name")] = (int, Field(ge=0))
        else:
            fields[match.group("name")] = (str, ...)
    return create_model(f"{endpoint}_path", **fields) if fields else None


def _schema_once(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` with its JSON schema computed once. flask-openapi3 reads a query model's schema on
    every request (to tell list parameters from single ones): 1.5 ms for ``TopQuery``, 12 ms for
    ``ClientsQuery`` on this machine under load, each time."""
    cache: dict[Any, dict[str, Any]] = {}

    def model_json_schema(cls: type[BaseModel], *args: Any, **kwargs: Any) -> dict[str, Any]:
        key = (args, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = model.model_json_schema(*args, **kwargs)
        return cache[key]  # read only, by the library

    return type(model.__name__, (model,), {"model_json_schema": classmethod(model_json_schema),
                                           "__module__": model.__module__, "__doc__": model.__doc__})


def _responses(op: Operation, validates: bool) -> dict[int, Any]:
    if op.response is not None:
        success: Any = op.response
    else:
        schema = {"type": "object"} if op.content_type == "application/json" else {"type": "string"}
        success = {"description": "OK", "content": {op.content_type: {"schema": schema}}}
    codes = set(op.errors) | (KEYED_ERRORS if op.auth else set()) | ({403} if op.admin else set())
    if validates:
        codes.add(422)
    answers: dict[int, Any] = {op.status: success}
    for code in sorted(codes):
        answers[code] = {"description": ERROR_TEXT.get(code, "Error"),
                         "content": {"application/json": {"schema": dict(ERROR_SCHEMA)}}}
        if code == 429:
            answers[code]["headers"] = RETRY_AFTER
    return answers


def validation_error(exc: ValidationError) -> Response:
    """flask-openapi3's validation failures in the API's error shape: 422, every problem listed."""
    return error_response(422, "invalid input", problems_from(exc))


def install_request_checks(app: Flask) -> None:
    """The checks flask-openapi3 does not make, before it validates (install after auth and rate limits)."""

    @app.before_request
    def _check_request() -> None:
        checks: RequestChecks | None = getattr(app.view_functions.get(request.endpoint or ""), "request_checks", None)
        if checks is None:
            return
        if checks.query is not None:
            _single_query_values(checks.query)
        if checks.body:
            _json_object_body()


def _json_object_body() -> None:
    if not request.is_json:
        raise ApiError(415, "unsupported media type", "send the body as JSON with Content-Type: application/json")
    try:
        data = request.get_json()
    except BadRequest:  # the body does not parse
        raise ApiError(400, "malformed JSON", "the request body is not valid JSON") from None
    if isinstance(data, str):
        raise Invalid([{"field": "(body)", "problem": "Input should be a JSON object, not a string"}])


def _single_query_values(model: type[BaseModel]) -> None:
    repeated = {key: request.args.getlist(key) for key in request.args if len(request.args.getlist(key)) > 1}
    if not repeated:
        return
    problems = [{"field": key, "problem": f"given {len(values)} times: give it once"} for key, values in repeated.items()]
    try:
        model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        problems += problems_from(exc)
    raise Invalid(problems)
