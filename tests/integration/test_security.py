"""Security probes of issue 16, each against real gunicorn servers (``bin/web``, 2 workers) on 127.0.0.1.

Read top to bottom: one section per probe, each test named after what an attacker tries and
what the service answers now.
"""

from __future__ import annotations

import json
import secrets

import pytest

from bench.load import Gunicorn, get_json, http_request

pytestmark = pytest.mark.slow


def _env(bundle, tmp, key: str, **extra: str) -> dict[str, str]:
    env = {"MODEL_BUNDLE": str(bundle), "API_KEYS": key, "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}",
           "PREDICTION_LOG": "off", "RATE_LIMIT": "30 per minute", "AUTH_FAILURE_LIMIT": "10 per minute"}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def service(fast_bundle, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("security")
    key = "sec-" + secrets.token_hex(12)
    with Gunicorn("service", _env(fast_bundle, tmp, key), workers=2, log_dir=tmp).start(timeout=240) as server:
        yield server, key


@pytest.fixture(scope="module")
def heroku_service(fast_bundle, tmp_path_factory):
    """The same service as Heroku runs it: DYNO set, so bin/web trusts one proxy hop."""
    tmp = tmp_path_factory.mktemp("security-heroku")
    key = "sec-" + secrets.token_hex(12)
    with Gunicorn("service", _env(fast_bundle, tmp, key, DYNO="web.1"), workers=2,
                  log_dir=tmp).start(timeout=240) as server:
        yield server, key


def _json_error(status, headers, body, expected):
    assert status == expected, body[:300]
    assert headers.get("content-type", "").startswith("application/json"), headers
    return json.loads(body)


# ------------------------------------------------------------------ deep JSON: 400, never 500

@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
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


# ------------------------------------------------------------------ request line: JSON up to 8190 bytes

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


# ------------------------------------------------------------------ wrong keys: limited per address, logged

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


# ------------------------------------------------------------------ rate limits: shared by the workers

@pytest.mark.parametrize("path", ["/clients?page=1&per_page=1", "/clients/{id}/score", "/clients/{id}/decisions"])
def test_rate_limit_is_shared_by_both_workers_with_retry_after(fast_bundle, tmp_path_factory, path):
    tmp = tmp_path_factory.mktemp("security-rate")
    key = "sec-" + secrets.token_hex(12)
    with Gunicorn("service", _env(fast_bundle, tmp, key, RATE_LIMIT="10 per minute"), workers=2,
                  log_dir=tmp).start(timeout=240) as server:
        client_id = 100011
        statuses, retry = [], None
        for _ in range(30):
            status, headers, _ = http_request(server.port, "GET", path.format(id=client_id),
                                              headers={"X-API-Key": key})
            statuses.append(status)
            retry = headers.get("retry-after", retry) if status == 429 else retry
    assert statuses.count(429) == 20 and statuses[:10] == [statuses[0]] * 10, statuses
    assert retry is not None and 1 <= int(retry) <= 61


# ------------------------------------------------------------------ HSTS and proxy headers

def test_hsts_behind_herokus_router(heroku_service):
    server, key = heroku_service
    status, headers, _ = http_request(server.port, "GET", "/health", headers={"X-Forwarded-Proto": "https"})
    assert status == 200 and headers.get("strict-transport-security", "").startswith("max-age=31536000")


def test_forwarded_headers_are_ignored_off_heroku(service):
    server, _ = service
    status, headers, _ = http_request(server.port, "GET", "/health", headers={"X-Forwarded-Proto": "https"})
    assert status == 200 and "strict-transport-security" not in headers
