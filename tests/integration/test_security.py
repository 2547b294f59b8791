"""What an attacker or a bad client can reach (issue 16), probed against the real Heroku entry point
(``bin/web`` -> gunicorn, 2 workers) on 127.0.0.1. Read top to bottom: one section per probe, each
test named after what is tried and what the app answers now.

Service (JSON API)
  1. keys and headers       every data endpoint needs a configured key; security headers everywhere
  2. key guessing           failed keys limited per address (429 + Retry-After), shared by the workers
                            (and by two instances on one Redis), logged
  3. bodies                 oversize -> 413, nested too deep -> 400, long request lines -> JSON
  4. rate limits            shared by the workers, 429 JSON with Retry-After, /clients and decisions too;
                            counters unreachable -> 503 (fail closed)
  5. CORS                   only for configured origins
  6. HSTS, proxy headers    trusted (and HSTS sent) only behind Heroku's router
  7. error details          a database that cannot be reached: 503/health name no host, port, user or path
Dashboard (advisors)
  8. login guard            pages need a session, Dash's routes answer 401
  9. login throttling       growing delays per user name, a limit per address, shared by the workers (and
                            by two instances on one Redis), every failure logged; fails closed
 10. same origin            every state-changing request (callbacks, the decision form, login) from this site
 11. logout                 always ends the session, and a copy of its cookie is useless afterwards
 12. HSTS, proxy headers    as the service
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import time
import urllib.parse

import pytest

from bench.load import Gunicorn, free_port, get_json, http_request

pytestmark = pytest.mark.slow

ALLOWED_ORIGIN = "https://dashboard.example.org"
OTHER_ORIGIN = "https://evil.example.net"
BODY_LIMIT = 16 * 1024


def _env(bundle, tmp, key: str, **extra: str) -> dict[str, str]:
    env = {"MODEL_BUNDLE": str(bundle), "API_KEYS": f"{key},second-{key}",
           "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}", "PREDICTION_LOG": "off",
           "RATE_LIMIT": "30 per minute", "AUTH_FAILURE_LIMIT": "10 per minute"}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def service(fast_bundle, tmp_path_factory):
    """The service with one allowed CORS origin, a small body limit and limits high enough not to interfere."""
    tmp = tmp_path_factory.mktemp("security")
    key = "sec-" + secrets.token_hex(12)
    env = _env(fast_bundle, tmp, key, CORS_ORIGINS=ALLOWED_ORIGIN, MAX_CONTENT_LENGTH=str(BODY_LIMIT),
               RATE_LIMIT="100000 per minute", AUTH_FAILURE_LIMIT="100000 per minute")
    with Gunicorn("service", env, workers=2, log_dir=tmp).start(timeout=240) as server:
        yield server, key


@pytest.fixture(scope="module")
def heroku_service(fast_bundle, tmp_path_factory):
    """The same service as Heroku runs it: DYNO set, so bin/web trusts one proxy hop. No CORS origin."""
    tmp = tmp_path_factory.mktemp("security-heroku")
    key = "sec-" + secrets.token_hex(12)
    with Gunicorn("service", _env(fast_bundle, tmp, key, DYNO="web.1"), workers=2,
                  log_dir=tmp).start(timeout=240) as server:
        yield server, key


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A throw-away Redis (Debian's redis-server) on a free loopback port: what RATELIMIT_STORAGE_URI names
    on Heroku, shared by several dynos. Skipped where redis-server is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                import redis

                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def client_ids(service):
    server, key = service
    status, page = get_json(server.port, "/clients?page=1&per_page=10", key)
    assert status == 200, page
    return [item["id"] for item in page["items"]]


@pytest.fixture(scope="module")
def client_id(client_ids):
    return client_ids[0]


def _json_error(status: int, headers: dict, body: bytes, expected: int) -> dict:
    assert status == expected, body[:500]
    assert headers.get("content-type", "").startswith("application/json"), headers
    payload = json.loads(body)
    assert set(payload) >= {"error", "detail"}, payload
    return payload


def _assert_security_headers(headers: dict) -> None:
    csp = headers.get("content-security-policy", "")
    assert re.search(r"frame-ancestors\s+'none'", csp), csp
    assert headers.get("x-content-type-options") == "nosniff", headers


# ====================================================================================== SERVICE

# ------------------------------------------------------------------ 1. keys and headers

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
        _json_error(status, resp_headers, data, 401)
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
    _json_error(status, headers, body, 404)
    _assert_security_headers(headers)


# ------------------------------------------------------------------ 2. key guessing: limited per address, logged

def test_key_guessing_is_limited_per_address_and_logged(fast_bundle, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("security-keys")
    key = "sec-" + secrets.token_hex(12)
    with Gunicorn("service", _env(fast_bundle, tmp, key), workers=2, log_dir=tmp).start(timeout=240) as server:
        statuses = [http_request(server.port, "GET", "/model", headers={"X-API-Key": f"guess-{i}"})[0]
                    for i in range(30)]
        assert statuses.count(401) == 10 and statuses.count(429) == 20, statuses  # 10 per minute, both workers
        status, headers, data = http_request(server.port, "GET", "/model", headers={"X-API-Key": key})
        _json_error(status, headers, data, 429)  # even the right key: a correct guess must not get through
        assert 1 <= int(headers["retry-after"]) <= 61
        log = server.log()
    assert log.count("authentication failed from 127.0.0.1") == 10, log[-2000:]


def test_key_guessing_is_limited_across_dynos_sharing_one_redis(fast_bundle, tmp_path_factory, redis_url):
    tmp = tmp_path_factory.mktemp("security-keys-redis")
    key = "sec-" + secrets.token_hex(12)
    env = _env(fast_bundle, tmp, key, RATELIMIT_STORAGE_URI=redis_url)
    with Gunicorn("service", env, workers=1, log_dir=tmp).start(timeout=240) as one, \
            Gunicorn("service", env, workers=1, log_dir=tmp).start(timeout=240) as two:
        statuses = [http_request(dyno.port, "GET", "/model", headers={"X-API-Key": f"guess-{i}"})[0]
                    for i in range(15) for dyno in (one, two)]
    assert statuses.count(401) == 10 and statuses.count(429) == 20, statuses  # 10 per minute over both


# ------------------------------------------------------------------ 3. bodies and request lines

def test_oversize_body_is_refused_with_413(service):
    server, key = service
    padding = "x" * (BODY_LIMIT * 4)
    body = json.dumps({"application": {"AMT_INCOME_TOTAL": 100000, "NOTE": padding}}).encode()
    status, headers, data = http_request(server.port, "POST", "/predict", body=body,
                                         headers={"X-API-Key": key, "Content-Type": "application/json"})
    payload = _json_error(status, headers, data, 413)
    assert str(BODY_LIMIT) in json.dumps(payload["detail"])
    assert http_request(server.port, "GET", "/health")[0] == 200  # the server is still fine afterwards


def test_batch_over_the_limit_is_refused_with_413(service):
    server, key = service
    body = json.dumps({"ids": list(range(100_000, 100_000 + BODY_LIMIT))}).encode()
    status, headers, data = http_request(server.port, "POST", "/predict/batch", body=body,
                                         headers={"X-API-Key": key, "Content-Type": "application/json"})
    _json_error(status, headers, data, 413)


@pytest.mark.parametrize("depth", [65, 1_000, 8_000])  # 8,000 levels: 16,000 bytes, under the body limit
def test_deeply_nested_json_is_a_400(service, depth):
    server, key = service
    body = ("[" * depth + "]" * depth).encode()
    status, headers, data = http_request(server.port, "POST", "/predict", body=body, headers={
        "X-API-Key": key, "Content-Type": "application/json"})
    payload = _json_error(status, headers, data, 400)
    assert "64" in payload["detail"]


def test_brackets_inside_strings_do_not_count(service):
    server, key = service
    body = json.dumps({"application": {"NAME_CONTRACT_TYPE": "[" * 1000}}).encode()
    status, _, data = http_request(server.port, "POST", "/predict", body=body, headers={
        "X-API-Key": key, "Content-Type": "application/json"})
    assert status == 422, data[:300]


@pytest.mark.parametrize("digits", [4_300, 8_000])
def test_huge_client_id_gets_a_json_answer(service, digits):
    server, key = service
    status, headers, data = http_request(server.port, "GET", f"/clients/{'9' * digits}/score",
                                         headers={"X-API-Key": key})
    _json_error(status, headers, data, 404)


def test_request_line_limit_is_in_the_openapi_document(service):
    server, key = service
    status, document = get_json(server.port, "/openapi.json", key)
    assert status == 200 and "8190" in document["info"]["description"]


# ------------------------------------------------------------------ 4. rate limits: shared by the workers

@pytest.mark.parametrize("path", ["/clients?page=1&per_page=1", "/clients/{id}/score", "/clients/{id}/decisions"])
def test_rate_limit_is_shared_by_both_workers_with_retry_after(fast_bundle, tmp_path_factory, path):
    tmp = tmp_path_factory.mktemp("security-rate")
    key = "sec-" + secrets.token_hex(12)
    with Gunicorn("service", _env(fast_bundle, tmp, key, RATE_LIMIT="10 per minute"), workers=2,
                  log_dir=tmp).start(timeout=240) as server:
        client_id = 100011
        statuses, retry = [], None
        for _ in range(30):
            status, headers, body = http_request(server.port, "GET", path.format(id=client_id),
                                                 headers={"X-API-Key": key})
            statuses.append(status)
            if status == 429:
                retry = headers.get("retry-after", retry)
                _json_error(status, headers, body, 429)
                _assert_security_headers(headers)
        # the health probe is not limited: a limited client does not take the service down
        assert all(http_request(server.port, "GET", "/health")[0] == 200 for _ in range(5))
    assert statuses.count(429) == 20 and statuses[:10] == [statuses[0]] * 10, statuses
    assert retry is not None and 1 <= int(retry) <= 61


def test_counters_unreachable_fail_closed_with_503(fast_bundle, tmp_path_factory):
    """RATELIMIT_STORAGE_URI names a Redis that is down: limited routes are refused, never served unlimited."""
    tmp = tmp_path_factory.mktemp("security-dead-redis")
    key = "sec-" + secrets.token_hex(12)
    port = free_port()
    env = _env(fast_bundle, tmp, key, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    with Gunicorn("service", env, workers=1, log_dir=tmp).start(timeout=240) as server:
        for path in ("/model", "/clients/100011/score"):
            status, headers, body = http_request(server.port, "GET", path, headers={"X-API-Key": key})
            payload = _json_error(status, headers, body, 503)
            assert headers.get("retry-after") == "30" and str(port) not in payload["detail"], payload
        assert http_request(server.port, "GET", "/health")[0] == 200  # the probe needs no counter
        time.sleep(0.3)
        assert "rate-limit storage (RATELIMIT_STORAGE_URI) unavailable" in server.log()


# ------------------------------------------------------------------ 5. CORS

def test_cors_preflight_for_the_configured_origin(service, client_id):
    server, _ = service
    status, headers, _ = http_request(server.port, "OPTIONS", f"/clients/{client_id}/score", headers={
        "Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-API-Key"})
    assert status in (200, 204)
    assert headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    assert "x-api-key" in headers.get("access-control-allow-headers", "").lower()


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


def test_no_cors_without_configured_origins(heroku_service):
    server, key = heroku_service
    status, headers, _ = http_request(server.port, "GET", "/model", headers={"X-API-Key": key,
                                                                              "Origin": ALLOWED_ORIGIN})
    assert status == 200
    assert "access-control-allow-origin" not in headers


# ------------------------------------------------------------------ 6. HSTS and proxy headers

def test_hsts_behind_herokus_router(heroku_service):
    server, _ = heroku_service
    status, headers, _ = http_request(server.port, "GET", "/health", headers={"X-Forwarded-Proto": "https"})
    assert status == 200 and headers.get("strict-transport-security", "").startswith("max-age=31536000")


def test_forwarded_headers_are_ignored_off_heroku(service):
    server, _ = service
    status, headers, _ = http_request(server.port, "GET", "/health", headers={"X-Forwarded-Proto": "https"})
    assert status == 200 and "strict-transport-security" not in headers


# ------------------------------------------------------------------ 7. error details: no infrastructure

UNREACHABLE = {
    "closed port": ("postgresql://scoring_app:pw-{secret}@127.0.0.1:{port}/scoring_db", None),
    "unknown host": ("postgres://scoring_app:pw-{secret}@db-primary-7f3a.invalid:6432/scoring_db", None),
    "missing database": ("{cluster}/scoring_db_{secret}", "cluster"),
}


@pytest.mark.parametrize("case", list(UNREACHABLE))
def test_database_failures_name_no_host_port_user_or_path(fast_bundle, tmp_path_factory, request, case):
    template, needs = UNREACHABLE[case]
    secret = secrets.token_hex(4)
    cluster = request.getfixturevalue("postgres_server") if needs else ""
    url = template.format(secret=secret, port=free_port(), cluster=cluster)
    parts = urllib.parse.urlsplit(url)
    tmp = tmp_path_factory.mktemp("security-db")
    key = "sec-" + secrets.token_hex(12)
    with Gunicorn("service", _env(fast_bundle, tmp, key, DATABASE_URL=url), workers=1,
                  log_dir=tmp).start(timeout=240) as server:
        cid = get_json(server.port, "/clients?page=1&per_page=1", key)[1]["items"][0]["id"]
        decision = json.dumps({"decision": "approve", "reason": "Garant solide présenté en agence",
                               "advisor": "a"}).encode()
        answers = [http_request(server.port, "GET", "/health"),
                   http_request(server.port, "GET", f"/clients/{cid}/decisions", headers={"X-API-Key": key}),
                   http_request(server.port, "POST", f"/clients/{cid}/decision", body=decision,
                                headers={"X-API-Key": key, "Content-Type": "application/json"})]
        log = server.log()
    health = json.loads(answers[0][2])
    assert answers[0][0] == 200 and health["database"]["status"] == "unavailable", health
    for status, headers, _ in answers[1:]:
        assert status == 503 and headers["content-type"].startswith("application/json")
    told = " ".join(body.decode() for _, _, body in answers)
    secrets_of_the_url = [parts.hostname, str(parts.port), parts.username, parts.password, parts.path.strip("/"),
                          str(tmp), "/tmp", "127.0.0.1", "psycopg", "5432"]
    assert not [s for s in secrets_of_the_url if s and re.search(rf"(?<![\w.]){re.escape(s)}(?![\w])", told)], told
    assert "database" in told  # but the client learns what is wrong, in words
    assert parts.hostname in log  # and the operator, in the server log, where


# ====================================================================================== DASHBOARD

ADVISOR = "advisor"


@pytest.fixture(scope="module")
def advisor_password():
    return secrets.token_urlsafe(12)


def _dashboard_env(service_server, key: str, password: str, **extra: str) -> dict[str, str]:
    from werkzeug.security import generate_password_hash

    env = {"SERVICE_URL": service_server.url, "SERVICE_API_KEY": key, "SECRET_KEY": secrets.token_hex(32),
           "DASHBOARD_USERS": json.dumps({ADVISOR: generate_password_hash(password)})}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def dashboard(service, advisor_password, tmp_path_factory):
    server, key = service
    tmp = tmp_path_factory.mktemp("security-dashboard")
    with Gunicorn("dashboard", _dashboard_env(server, key, advisor_password), workers=2,
                  log_dir=tmp).start(timeout=240) as dash:
        yield dash


@pytest.fixture(scope="module")
def heroku_dashboard(service, advisor_password, tmp_path_factory):
    """As on Heroku (DYNO set: X-Forwarded-* trusted), with the longest login delay cut to 2 s for the test."""
    server, key = service
    tmp = tmp_path_factory.mktemp("security-dashboard-heroku")
    env = _dashboard_env(server, key, advisor_password, DYNO="web.1", LOGIN_MAX_DELAY="2")
    with Gunicorn("dashboard", env, workers=2, log_dir=tmp).start(timeout=240) as dash:
        yield dash


def _own_origin(port: int) -> dict[str, str]:
    return {"Origin": f"http://127.0.0.1:{port}"}


def _login(port: int, password: str, user: str = ADVISOR, headers: dict[str, str] | None = None):
    """The login form as a browser sends it: (status, response headers, session cookie)."""
    headers = _own_origin(port) if headers is None else headers
    status, got, body = http_request(port, "GET", "/login", headers={k: v for k, v in headers.items()
                                                                     if k.lower() == "x-forwarded-for"})
    cookie = got["set-cookie"].split(";", 1)[0]
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"csrf_token": token, "username": user, "password": password}).encode()
    status, got, _ = http_request(port, "POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, **headers})
    new_cookie = got.get("set-cookie", "").split(";", 1)[0] or cookie
    return status, got, new_cookie


def _logged_in(dash, password: str) -> str:
    status, _, cookie = _login(dash.port, password)
    assert status in (302, 303), status
    return cookie


# ------------------------------------------------------------------ 8. login guard

def test_dashboard_login_page_headers(dashboard):
    status, headers, body = http_request(dashboard.port, "GET", "/login")
    assert status == 200
    _assert_security_headers(headers)
    assert headers.get("x-frame-options") == "DENY"
    assert b'type="password"' in body and b"csrf_token" in body


def test_dashboard_pages_need_a_session(dashboard):
    status, headers, _ = http_request(dashboard.port, "GET", "/")
    assert status in (302, 303) and urllib.parse.urlsplit(headers["location"]).path == "/login"
    for path in ("/_dash-layout", "/_dash-dependencies"):
        status, headers, _ = http_request(dashboard.port, "GET", path)
        assert status == 401, (path, status)
        _assert_security_headers(headers)
    status, _, _ = http_request(dashboard.port, "POST", "/_dash-update-component", body=b"{}",
                                headers={"Content-Type": "application/json", **_own_origin(dashboard.port)})
    assert status == 401


def test_dashboard_login_works_through_gunicorn(dashboard, advisor_password):
    status, _, _ = _login(dashboard.port, "not-the-password")
    assert status == 401
    status, headers, cookie = _login(dashboard.port, advisor_password)
    assert status in (302, 303), status
    assert "httponly" in headers["set-cookie"].lower() and "samesite=lax" in headers["set-cookie"].lower()
    status, _, body = http_request(dashboard.port, "GET", "/_dash-layout", headers={"Cookie": cookie})
    assert status == 200, body[:300]


# ------------------------------------------------------------------ 9. login throttling

def _from(address: str) -> dict[str, str]:
    """Behind Heroku's router the client address is the last X-Forwarded-For entry (one trusted hop)."""
    return {"X-Forwarded-For": address}


def test_login_delays_grow_per_user_name_whatever_the_address_never_a_lockout(heroku_dashboard, advisor_password):
    port = heroku_dashboard.port
    tries = iter(f"192.0.2.{i}" for i in range(1, 200))  # a new address each time: the name is what counts
    attempt = lambda password: _login(port, password, headers={**_own_origin(port), **_from(next(tries))})  # noqa: E731

    assert [attempt("wrong-1")[0], attempt("wrong-2")[0], attempt("wrong-3")[0]] == [401, 401, 401]
    status, headers, _ = attempt(advisor_password)  # the 3rd failure set a 1 s delay: not even checked
    assert status == 429 and headers["retry-after"] == "1"
    time.sleep(1.2)
    assert attempt("wrong-4")[0] == 401  # checked again after the delay; the next one waits 2 s (the cap here)
    status, headers, _ = attempt(advisor_password)
    assert status == 429 and headers["retry-after"] == "2"
    time.sleep(2.2)
    assert attempt("wrong-5")[0] == 401
    time.sleep(2.2)  # however many failures, the advisor waits at most the cap for one attempt
    assert attempt(advisor_password)[0] in (302, 303)
    assert [attempt("wrong-6")[0], attempt("wrong-7")[0]] == [401, 401]  # a login starts the count again
    time.sleep(0.5)
    log = heroku_dashboard.log()
    assert log.count(f"login failed for user name '{ADVISOR}'") == 7, log[-3000:]
    assert "wrong-" not in log and advisor_password not in log  # failures logged without the password
    assert log.count("refused unchecked") == 2


def test_password_spraying_from_one_address_is_limited(heroku_dashboard, advisor_password):
    port = heroku_dashboard.port
    sprayer = {**_own_origin(port), **_from("198.51.100.7")}
    answers = [_login(port, "Winter2026!", user=f"user{i:02d}", headers=sprayer) for i in range(60)]
    statuses = [status for status, _, _ in answers]
    assert statuses == [401] * 20 + [429] * 40, statuses  # 20 failures per 10 minutes, both workers together
    assert all(1 <= int(headers["retry-after"]) <= 600 for status, headers, _ in answers if status == 429)
    assert _login(port, advisor_password, headers=sprayer)[0] == 429  # that address is refused unchecked
    assert _login(port, advisor_password, headers={**_own_origin(port), **_from("198.51.100.8")})[0] in (302, 303)


def test_login_throttle_is_shared_by_dynos_sharing_one_redis(service, advisor_password, redis_url, tmp_path):
    """Two dynos behind Heroku's router, RATELIMIT_STORAGE_URI naming one Redis: they count together."""
    server, key = service
    env = _dashboard_env(server, key, advisor_password, RATELIMIT_STORAGE_URI=redis_url, DYNO="web.1")
    with Gunicorn("dashboard", env, workers=1, log_dir=tmp_path).start(timeout=240) as one, \
            Gunicorn("dashboard", env, workers=1, log_dir=tmp_path).start(timeout=240) as two:
        def attempt(dyno, password, address, user=ADVISOR):
            return _login(dyno.port, password, user=user, headers={**_own_origin(dyno.port), **_from(address)})[0]

        spray = [attempt(dyno, "Winter2026!", "198.51.100.9", user=f"user{i:02d}") for i in range(15)
                 for dyno in (one, two)]
        assert spray == [401] * 20 + [429] * 10, spray  # 20 failures per 10 minutes for the address, both dynos
        # the per-name delay too: 3 failures spread over both dynos pause the name on both
        assert [attempt(one, "wrong-1", "192.0.2.1"), attempt(two, "wrong-2", "192.0.2.2"),
                attempt(one, "wrong-3", "192.0.2.3")] == [401, 401, 401]
        assert attempt(two, advisor_password, "192.0.2.4") == 429
        time.sleep(1.2)
        assert attempt(two, advisor_password, "192.0.2.4") in (302, 303)


def test_login_fails_closed_when_the_counters_are_unreachable(service, advisor_password, tmp_path):
    """RATELIMIT_STORAGE_URI names a Redis that is down: no login goes through unthrottled."""
    server, key = service
    env = _dashboard_env(server, key, advisor_password, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    with Gunicorn("dashboard", env, workers=1, log_dir=tmp_path).start(timeout=240) as dash:
        status, headers, _ = _login(dash.port, advisor_password)
        assert status == 503 and headers.get("retry-after") == "30", status
        assert headers["content-type"].startswith("text/plain")  # words for the advisor, not a traceback
        time.sleep(0.3)
        assert "counter storage (RATELIMIT_STORAGE_URI) is unavailable" in dash.log()


# ------------------------------------------------------------------ 10. same origin on state-changing requests

def _decision_callback(dash, cookie: str, client: int, reason: str) -> dict:
    """The body Dash posts when the advisor saves a decision on the client page."""
    status, _, body = http_request(dash.port, "GET", "/_dash-dependencies", headers={"Cookie": cookie})
    assert status == 200
    spec = next(d for d in json.loads(body) if "client-decision-feedback.children" in d["output"])
    outputs = [dict(zip(("id", "property"), o.split("."), strict=True)) for o in spec["output"].strip(".").split("...")]
    values = {"client-decision-save.n_clicks": 1, "client-decision-confirm.n_clicks": None,
              "client-decision-choice.value": "approve", "client-decision-reason.value": reason,
              "client-data.data": {"id": client}, "client-decision-last.data": {}}
    fill = lambda deps: [{**d, "value": values[f"{d['id']}.{d['property']}"]} for d in deps]  # noqa: E731
    return {"output": spec["output"], "outputs": outputs, "inputs": fill(spec["inputs"]),
            "state": fill(spec["state"]), "changedPropIds": ["client-decision-save.n_clicks"]}


@pytest.mark.parametrize("case,origin", enumerate([{}, {"Origin": OTHER_ORIGIN}, {"Origin": "null"},
                                                 {"Referer": OTHER_ORIGIN + "/client/1"}]))
def test_decision_form_is_refused_unless_it_comes_from_the_dashboard(dashboard, service, client_ids,
                                                                     advisor_password, case, origin):
    server, key = service
    client_id = client_ids[1 + case]  # a client without decisions: the form records one without a revision
    cookie = _logged_in(dashboard, advisor_password)
    reason = f"Garant solide présenté en agence ({secrets.token_hex(3)})"
    body = json.dumps(_decision_callback(dashboard, cookie, client_id, reason)).encode()
    headers = {"Cookie": cookie, "Content-Type": "application/json"}
    status, got, data = http_request(dashboard.port, "POST", "/_dash-update-component", body=body,
                                     headers={**headers, **origin})
    assert _json_error(status, got, data, 403)["error"] == "forbidden"
    stored = get_json(server.port, f"/clients/{client_id}/decisions", key)[1]["decisions"]
    assert reason not in [d["reason"] for d in stored]  # nothing reached the service
    # the very same request from the dashboard's own page (Origin, or Referer alone) records the decision
    own = _own_origin(dashboard.port) if origin.get("Origin") != "null" else {
        "Referer": f"http://127.0.0.1:{dashboard.port}/client/{client_id}"}
    status, _, data = http_request(dashboard.port, "POST", "/_dash-update-component", body=body,
                                   headers={**headers, **own})
    assert status == 200, data[:300]
    stored = get_json(server.port, f"/clients/{client_id}/decisions", key)[1]["decisions"]
    assert stored[0]["reason"] == reason and stored[0]["advisor"] == ADVISOR


def test_login_form_without_origin_or_from_another_site_is_refused(dashboard, advisor_password):
    for headers in ({}, {"Origin": OTHER_ORIGIN}):
        status, got, cookie = _login(dashboard.port, advisor_password, headers=headers)
        assert status == 403, status
        assert http_request(dashboard.port, "GET", "/_dash-layout", headers={"Cookie": cookie})[0] == 401


# ------------------------------------------------------------------ 11. logout

@pytest.mark.parametrize("method", ["POST", "GET"])
def test_logout_ends_the_session_even_without_a_token_and_for_a_copied_cookie(dashboard, advisor_password, method):
    cookie = _logged_in(dashboard, advisor_password)
    assert http_request(dashboard.port, "GET", "/_dash-layout", headers={"Cookie": cookie})[0] == 200
    status, headers, _ = http_request(dashboard.port, method, "/logout", headers={"Cookie": cookie})  # no token
    assert status in (302, 303) and headers["location"].endswith("/login?out=1")
    # the browser drops the cookie; a copy of it (taken before) is refused by both workers
    for _ in range(4):
        assert http_request(dashboard.port, "GET", "/_dash-layout", headers={"Cookie": cookie})[0] == 401


# ------------------------------------------------------------------ 12. HSTS and proxy headers

def test_dashboard_hsts_behind_herokus_router_only(dashboard, heroku_dashboard):
    status, headers, _ = http_request(heroku_dashboard.port, "GET", "/login", headers={"X-Forwarded-Proto": "https"})
    assert status == 200 and headers.get("strict-transport-security", "").startswith("max-age=31536000")
    assert "secure" in headers["set-cookie"].lower()
    status, headers, _ = http_request(dashboard.port, "GET", "/login", headers={"X-Forwarded-Proto": "https"})
    assert status == 200 and "strict-transport-security" not in headers
