"""Route declaration with request validation and OpenAPI metadata in one place.

``@operation(bp, "/clients/<int:client_id>/score", response=ScoreOut, ...)``
registers a Flask route, validates the query string and JSON body with
pydantic (422 listing every problem) and records what ``openapi.py`` needs to
generate the document. Nothing about the API is written by hand twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ValidationError

from .errors import ApiError, Invalid, problems_from

ModelRef = type[BaseModel] | Callable[[], type[BaseModel]] | None


@dataclass(frozen=True)
class Operation:
    summary: str
    tags: tuple[str, ...]
    method: str
    query: ModelRef = None
    body: ModelRef = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    auth: bool = True
    description: str = ""
    extra_params: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    content_type: str = "application/json"


def resolve(model: ModelRef) -> type[BaseModel] | None:
    if model is None:
        return None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model
    return model()  # type: ignore[operator]


def json_body() -> Any:
    """The request's JSON body: 415 unless it is JSON, 400 when it does not parse."""
    if not request.is_json:
        raise ApiError(415, "unsupported media type", "send the body as JSON with Content-Type: application/json")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "malformed JSON", "the request body is not valid JSON")
    return data


def parse_query(model: type[BaseModel]) -> BaseModel:
    values: dict[str, Any] = {}
    for key in request.args:
        items = request.args.getlist(key)
        values[key] = items[0] if len(items) == 1 else items
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise Invalid(problems_from(exc)) from None


def parse_body(model: type[BaseModel]) -> BaseModel:
    data = json_body()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(problems_from(exc)) from None


def operation(bp: Blueprint, rule: str, *, summary: str, tags: tuple[str, ...] | str, method: str = "GET",
              query: ModelRef = None, body: ModelRef = None, response: type[BaseModel] | None = None,
              status: int = 200, errors: tuple[int, ...] = (), auth: bool = True, description: str = "",
              extra_params: tuple[dict[str, Any], ...] = (), content_type: str = "application/json",
              endpoint: str | None = None):
    """Register ``view`` on ``bp`` with validated ``query``/``body`` keyword arguments."""
    spec = Operation(summary=summary, tags=(tags,) if isinstance(tags, str) else tags, method=method,
                     query=query, body=body, response=response, status=status, errors=errors, auth=auth,
                     description=description, extra_params=extra_params, content_type=content_type)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if query is not None:
                kwargs["query"] = parse_query(resolve(query))  # type: ignore[arg-type]
            if body is not None:
                kwargs["body"] = parse_body(resolve(body))  # type: ignore[arg-type]
            return view(**kwargs)

        target = wrapper if (query is not None or body is not None) else view
        target.openapi = spec  # type: ignore[attr-defined]
        bp.add_url_rule(rule, endpoint=endpoint or view.__name__, view_func=target, methods=[method])
        return target

    return decorate
