"""Security end to end, against the real Heroku entry point (``bin/web`` -> gunicorn, 2 workers)
on 127.0.0.1: security headers, API key, body size limit, rate limiting, CORS; and the dashboard's
headers and login guard. (The service and dashboard engineers test the same rules in-process
with Flask's test client; these tests check that they hold through gunicorn as deployed.)
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.parse

import pytest

from bench.load import Gunicorn, get_json, http_request

pytestmark = pytest.mark.slow

ALLOWED_ORIGIN = "https://dashboard.example.org"
OTHER_ORIGIN = "https://evil.example.net"
BODY_LIMIT = 16 * 1024


def _service_env(bundle, tmp, key: str, **extra: str) -> dict[str, str]:
    env = {"MODEL_BUNDLE": str(bundle), "API_KEYS": f"{key},second-{key}",
           "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}", "PREDICTION_LOG": "off"}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def service(fast_bundle, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ops-security")
    key = "ops-" + secrets.token_hex(12)
    env = _service_env(fast_bundle, tmp, key, CORS_ORIGINS=ALLOWED_ORIGIN, MAX_CONTENT_LENGTH=str(BODY_LIMIT),
                       RATE_LIMIT="100000 per minute", AUTH_FAILURE_LIMIT="100000 per minute")
    with Gunicorn("service", env, workers=2, log_dir=tmp).start(timeout=240) as server:
        yield server, key


@pytest.fixture(scope="module")
def client_id(service):
    server, key = service
    status, page = get_json(server.port, "/clients?page=1&per_page=5", key)
    assert status == 200, page
    return page["items"][0]["id"]


def _assert_error_json(status: int, headers: dict, body: bytes, expected: int) -> dict:
    assert status == expected, body[:500]
    assert headers.get("content-type", "").startswith("application/json"), headers
    payload = json.loads(body)
    assert set(payload) >= {"error", "detail"}, payload
    return payload


def _assert_security_headers(headers: dict) -> None:
    csp = headers.get("content-security-policy", "")
    assert re.search(r"frame-ancestors\s+'none'", csp), csp
    assert headers.get("x-content-type-options") == "nosniff", headers


# ------------------------------------------------------------------------------ headers, API key

def test_health_is_public_with_security_headers(service):
    server, _ = service
    status, headers, body = http_request(server.port, "GET", "/health")
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"
    _assert_security_headers(headers)
    assert headers.get("access-control-allow-origin") in (None, ALLOWED_ORIGIN)  # never "*"


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/model", None),
    ("GET", "/clients?page=1", None),
    ("GET", "/clients/{id}/score", None),
    ("GET", "/clients/{id}/decisions", None),
    ("POST", "/predict", b'{"application": {}}'),
    ("POST", "/predict/batch", b'{"ids": [1]}'),
    ("POST", "/clients/{id}/decision", b'{"decision": "approve", "reason": "x", "advisor": "y"}'),
])
def test_every_data_endpoint_needs_a_valid_key(service, client_id, method, path, body):
    server, key = service
    path = path.format(id=client_id)
    headers = {"Content-Type": "application/json"} if body else {}
    for sent in ({}, {"X-API-Key": "wrong-" + key}, {"X-API-Key": ""}, {"X-API-Key": key[:-1]}):
        status, resp_headers, data = http_request(server.port, method, path, body=body, headers={**headers, **sent})
        _assert_error_json(status, resp_headers, data, 401)
        _assert_security_headers(resp_headers)


def test_any_configured_key_is_accepted(service):
    server, key = service
    for k in (key, f"second-{key}"):
        status, headers, body = http_request(server.port, "GET", "/model", headers={"X-API-Key": k})
        assert status == 200, body[:300]
        _assert_security_headers(headers)
        assert headers.get("content-type", "").startswith("application/json")


def test_unknown_route_is_json_not_html(service):
    server, key = service
    status, headers, body = http_request(server.port, "GET", "/no/such/route", headers={"X-API-Key": key})
    _assert_error_json(status, headers, body, 404)
    _assert_security_headers(headers)


# ------------------------------------------------------------------------------ size limit

def test_oversize_body_is_refused_with_413(service):
    server, key = service
    padding = "x" * (BODY_LIMIT * 4)
    body = json.dumps({"application": {"AMT_INCOME_TOTAL": 100000, "NOTE": padding}}).encode()
    status, headers, data = http_request(server.port, "POST", "/predict", body=body,
                                         headers={"X-API-Key": key, "Content-Type": "application/json"})
    payload = _assert_error_json(status, headers, data, 413)
    assert str(BODY_LIMIT) in json.dumps(payload["detail"])
    # The server is still fine afterwards.
    assert http_request(server.port, "GET", "/health")[0] == 200


def test_batch_over_the_limit_is_refused_with_413(service):
    server, key = service
    body = json.dumps({"ids": list(range(100_000, 100_000 + BODY_LIMIT))}).encode()
    status, headers, data = http_request(server.port, "POST", "/predict/batch", body=body,
                                         headers={"X-API-Key": key, "Content-Type": "application/json"})
    _assert_error_json(status, headers, data, 413)


# ------------------------------------------------------------------------------ CORS

def test_cors_preflight_for_the_configured_origin(service, client_id):
    server, _ = service
    status, headers, _ = http_request(server.port, "OPTIONS", f"/clients/{client_id}/score", headers={
        "Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-API-Key"})
    assert status in (200, 204)
    assert headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    assert "x-api-key" in headers.get("access-control-allow-headers", "").lower()
    assert headers.get("access-control-allow-origin") != "*"


def test_cors_headers_on_a_real_request_only_for_the_configured_origin(service, client_id):
    server, key = service
    path = f"/clients/{client_id}/score"
    status, headers, _ = http_request(server.port, "GET", path, headers={"X-API-Key": key, "Origin": ALLOWED_ORIGIN})
    assert status == 200
    assert headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    for origin in (OTHER_ORIGIN, ALLOWED_ORIGIN + ".evil.net", "null", "http://dashboard.example.org"):
        status, headers, _ = http_request(server.port, "GET", path, headers={"X-API-Key": key, "Origin": origin})
        assert status == 200
        assert "access-control-allow-origin" not in headers, (origin, headers)
        status, headers, _ = http_request(server.port, "OPTIONS", path, headers={
            "Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-API-Key"})
        assert "access-control-allow-origin" not in headers, (origin, headers)


# ------------------------------------------------------------------------------ rate limit

@pytest.fixture(scope="module")
def limited_service(fast_bundle, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ops-ratelimit")
    key = "rl-" + secrets.token_hex(12)
    with Gunicorn("service", _service_env(fast_bundle, tmp, key, RATE_LIMIT="3 per minute"), workers=2,
                  log_dir=tmp).start(timeout=240) as server:
        yield server, key


def test_rate_limit_answers_429_json(limited_service):
    server, key = limited_service
    status, page = get_json(server.port, "/clients?page=1&per_page=1", key)
    assert status == 200
    path = f"/clients/{page['items'][0]['id']}/score"
    statuses = []
    for _ in range(20):  # 3 per minute and per worker: at most 6 can pass
        status, headers, body = http_request(server.port, "GET", path, headers={"X-API-Key": key})
        statuses.append(status)
        if status == 429:
            payload = _assert_error_json(status, headers, body, 429)
            assert payload["error"]
            _assert_security_headers(headers)
    assert statuses[0] == 200, statuses
    assert statuses.count(429) >= 14 and set(statuses) <= {200, 429}, statuses
    # The health probe is not rate limited, and a limited client does not take the service down.
    assert all(http_request(server.port, "GET", "/health")[0] == 200 for _ in range(10))


def test_no_cors_without_configured_origins(limited_service):
    server, key = limited_service
    status, headers, _ = http_request(server.port, "GET", "/model", headers={"X-API-Key": key,
                                                                              "Origin": ALLOWED_ORIGIN})
    assert status == 200
    assert "access-control-allow-origin" not in headers


# ------------------------------------------------------------------------------ dashboard

@pytest.fixture(scope="module")
def dashboard(service, tmp_path_factory):
    from werkzeug.security import generate_password_hash

    server, key = service
    tmp = tmp_path_factory.mktemp("ops-dashboard")
    password = secrets.token_urlsafe(12)
    env = {"SERVICE_URL": server.url, "SERVICE_API_KEY": key, "SECRET_KEY": secrets.token_hex(32),
           "DASHBOARD_USERS": json.dumps({"advisor": generate_password_hash(password)})}
    with Gunicorn("dashboard", env, workers=2, log_dir=tmp).start(timeout=240) as dash:
        yield dash, password


def test_dashboard_login_page_headers(dashboard):
    dash, _ = dashboard
    status, headers, body = http_request(dash.port, "GET", "/login")
    assert status == 200
    _assert_security_headers(headers)
    assert headers.get("x-frame-options") == "DENY"
    assert b'type="password"' in body and b"csrf_token" in body


def test_dashboard_pages_need_a_session(dashboard):
    dash, _ = dashboard
    status, headers, _ = http_request(dash.port, "GET", "/")
    assert status in (302, 303) and urllib.parse.urlsplit(headers["location"]).path == "/login"
    for path in ("/_dash-layout", "/_dash-dependencies"):
        status, headers, body = http_request(dash.port, "GET", path)
        assert status == 401, (path, status)
        _assert_security_headers(headers)
    status, _, _ = http_request(dash.port, "POST", "/_dash-update-component", body=b"{}",
                                headers={"Content-Type": "application/json"})
    assert status == 401


def _login(port: int, password: str) -> tuple[int, dict, str]:
    status, headers, body = http_request(port, "GET", "/login")
    cookie = headers["set-cookie"].split(";", 1)[0]
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"csrf_token": token, "username": "advisor", "password": password}).encode()
    status, headers, _ = http_request(port, "POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    return status, headers, cookie


def test_dashboard_login_works_through_gunicorn(dashboard):
    dash, password = dashboard
    status, headers, _ = _login(dash.port, "not-the-password")
    assert status == 401
    status, headers, _ = _login(dash.port, password)
    assert status in (302, 303), status
    session_cookie = headers["set-cookie"]
    assert "httponly" in session_cookie.lower()
    status, headers, body = http_request(dash.port, "GET", "/_dash-layout",
                                         headers={"Cookie": session_cookie.split(";", 1)[0]})
    assert status == 200, body[:300]
    # Callbacks are JSON POSTs: one from another origin is refused even with a valid session.
    status, _, _ = http_request(dash.port, "POST", "/_dash-update-component", body=b"{}", headers={
        "Cookie": session_cookie.split(";", 1)[0], "Content-Type": "application/json", "Origin": OTHER_ORIGIN})
    assert status == 403
