"""The generated OpenAPI document is valid, covers every route, describes the real answers,
and no generated request (valid or not) makes the service fail with a 500."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.integration.service_support import HEADERS, client_ids, make_app

pytestmark = pytest.mark.slow

METHODS = {"get", "post", "put", "patch", "delete"}


def test_document_is_a_valid_openapi_31(client, service_app):
    response = client.get("/openapi.json", headers=HEADERS)
    assert response.status_code == 200
    spec = response.get_json()
    try:
        from openapi_spec_validator import validate  # optional: not in the service requirements
    except ImportError:
        validate = None
    if validate is not None:
        validate(spec)
    assert spec["openapi"].startswith("3.1") and spec["info"]["title"] and spec["info"]["version"]
    schemas = spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["ApiKeyAuth"] == {"type": "apiKey", "in": "header",
                                                                   "name": "X-API-Key"}
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', response.get_data(as_text=True)))
    assert refs <= set(schemas), refs - set(schemas)
    operation_ids = []
    for path, item in spec["paths"].items():
        assert path.startswith("/")
        for method, op in item.items():
            assert method in METHODS
            operation_ids.append(op["operationId"])
            assert op["summary"] and op["responses"]
            for name in re.findall(r"{(\w+)}", path):
                assert any(p["name"] == name and p["in"] == "path" and p["required"] for p in op["parameters"])
            for code, answer in op["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", code) and answer["description"]
            if op.get("security"):  # every requirement includes the API key; its absence is a documented 401
                assert all("ApiKeyAuth" in requirement for requirement in op["security"])
                assert "401" in op["responses"]
    assert len(operation_ids) == len(set(operation_ids))
    public = {(path, method) for path, item in spec["paths"].items() for method, op in item.items()
              if not op.get("security")}
    assert public == {("/health", "get"), ("/openapi.json", "get"), ("/docs", "get")}
    assert spec["paths"]["/admin/oversight"]["post"]["security"] == [{"ApiKeyAuth": [], "AdminKeyAuth": []}]
    # every API route of the app is documented
    routes = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule), m.lower())
              for r in service_app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}
              if r.endpoint != "docs.docs_asset"}
    documented = {(p, m) for p, item in spec["paths"].items() for m in item}
    assert routes == documented
    for path in ("/health", "/model", "/model/fairness", "/model/card", "/clients", "/clients/{client_id}",
                 "/clients/{client_id}/score", "/clients/{client_id}/explanation", "/clients/{client_id}/similar",
                 "/clients/{client_id}/counterfactual", "/population", "/predict", "/predict/batch",
                 "/clients/{client_id}/decision", "/clients/{client_id}/decisions", "/monitoring/summary"):
        assert path in spec["paths"]
    application = schemas["Application"]
    assert application["additionalProperties"] is False and "AMT_CREDIT" in application["properties"]


def test_docs_page_is_self_hosted(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html  # no CDN
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for asset in re.findall(r'(?:src|href)="(/docs/[^"]+)"', html):
        assert client.get(asset).status_code == 200
    assert client.get("/docs/config.py").status_code == 404


def test_no_generated_request_makes_the_service_fail(fast_bundle, tmp_path):
    """Schemathesis generates valid and invalid requests for every operation (on unknown and known
    clients); none may get a 500 or a non-JSON answer."""
    app = make_app(fast_bundle, tmp_path)
    known = client_ids(app.test_client(), 1)[0]
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, headers=HEADERS)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    statuses: set[int] = set()
    for operation in operations:
        strategies = []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(mode))
            if "{client_id}" in operation.path:
                strategies.append(operation.as_strategy(mode, path_parameters={"client_id": known}))
        for strategy in strategies:
            @given(case=strategy)
            @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def check(case):
                response = case.call(headers=HEADERS)
                statuses.add(response.status_code)
                case.validate_response(response, checks=[not_a_server_error])
                content_type = (response.headers.get("content-type") or [""])[0]
                assert content_type.startswith(("application/json", "text/html")), (case.method, case.formatted_path)

            try:
                check()
            except Unsatisfiable:  # nothing to make invalid (no parameter, no body)
                continue
    assert {200, 404, 422} <= statuses and not any(code >= 500 for code in statuses)
    app.extensions["model_service"].predictions.close()
