"""dash_app.api_client against a tiny local HTTP server: headers, timeouts, and the two typed errors."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dash_app.api_client import ServiceClient, ServiceError, ServiceUnavailable
from scoring.contract import ClientOut, HealthOut
from tests.answers import _recorded

ROUTES = {
    "/health": (200, _recorded()["health"]),
    "/clients/1": (200, _recorded()["client"]),
    "/clients/2": (200, {**_recorded()["client"], "raw": {"AMT_CREDIT": 1.0}}),  # a key the contract lacks
    "/clients/404": (404, {"error": "not_found", "detail": "unknown client 404"}),
    "/clients/422": (422, {"error": "invalid", "detail": [{"loc": ["q"], "msg": "bad"}]}),
    "/monitoring/summary": (200, {"model_version": "v1", "threshold": 0.1, "drift": {"n_columns": 3}}),
    "/model": (503, {"error": "unavailable", "detail": "model loading"}),
    "/model/card": (200, "<html>not json</html>"),
    "/model/fairness": (500, "Internal Server Error"),
}


class Handler(BaseHTTPRequestHandler):
    seen_keys: list = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def _answer(self):
        Handler.seen_keys.append(self.headers.get("X-API-Key"))
        path = self.path.split("?")[0]
        if path == "/slow":
            time.sleep(1.0)
        if path == "/echo":
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            status, payload = 200, {"got": body, "query": self.path.partition("?")[2]}
        else:
            status, payload = ROUTES.get(path, (200, {"ok": True}))
        raw = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if isinstance(payload, str) else "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = _answer


@pytest.fixture(scope="module")
def server_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture()
def client(server_url):
    return ServiceClient(server_url, api_key="secret", connect_timeout=1, read_timeout=0.5)


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sends_api_key_and_parses_the_contract_model(client):
    Handler.seen_keys.clear()
    got = client.client(1)
    assert isinstance(got, ClientOut) and got == ClientOut.model_validate(_recorded()["client"])
    assert Handler.seen_keys == ["secret"]


def test_an_answer_with_a_key_the_contract_lacks_is_an_error(client):
    """The dashboard reads only the contract: an undeclared key (here the old ``raw``) is refused, not guessed."""
    with pytest.raises(ServiceError) as info:
        client.client(2)
    assert info.value.code == "bad_response" and "raw" in info.value.detail
    with pytest.raises(AttributeError):
        client.client(1).raw  # noqa: B018 - reading a field the contract does not have fails


def test_not_found_is_a_service_error(client):
    with pytest.raises(ServiceError) as info:
        client.client(404)
    assert not isinstance(info.value, ServiceUnavailable)
    assert info.value.status == 404 and info.value.not_found
    assert info.value.code == "not_found" and "404" in info.value.detail


def test_validation_error_keeps_detail(client):
    with pytest.raises(ServiceError) as info:
        client.client(422)
    assert info.value.status == 422 and isinstance(info.value.detail, list)


def test_503_is_unavailable(client):
    with pytest.raises(ServiceUnavailable) as info:
        client.model()
    assert info.value.status == 503


def test_non_json_body_is_an_error(client):
    with pytest.raises(ServiceError) as info:
        client.model_card()
    assert info.value.code == "bad_response"


def test_html_500_is_an_error_with_text(client):
    with pytest.raises(ServiceError) as info:
        client.fairness()
    assert info.value.status == 500 and "Internal" in info.value.detail


def test_timeout_is_unavailable(client):
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as info:
        client._get("/slow")
    assert info.value.code == "timeout"
    assert time.monotonic() - started < 0.95


def test_connection_refused_is_unavailable():
    dead = ServiceClient(f"http://127.0.0.1:{_dead_port()}", api_key="k", connect_timeout=0.5, read_timeout=0.5)
    with pytest.raises(ServiceUnavailable) as info:
        dead.health()
    assert info.value.code == "unreachable"
    with pytest.raises(ServiceError):  # ServiceUnavailable is a ServiceError: one except clause catches both
        dead.clients(page=1)


def test_monitoring_summary_of_another_shape_is_an_error_not_a_guess(client):
    with pytest.raises(ServiceError) as info:
        client.monitoring_summary()
    assert info.value.code == "bad_response"


def test_health_is_cached(client):
    Handler.seen_keys.clear()
    health = client.health()
    assert isinstance(health, HealthOut) and health.synthetic == _recorded()["health"]["synthetic"]
    client.health()
    assert len(Handler.seen_keys) == 1


def test_query_and_body_encoding(client):
    answer = client._request("POST", "/echo", params={"q": "12", "decision": "review"}, json={"a": 1})
    assert answer["got"] == {"a": 1}
    assert "q=12" in answer["query"] and "decision=review" in answer["query"]


def test_clients_drops_empty_filters(server_url, monkeypatch):
    seen = {}
    c = ServiceClient(server_url, api_key="k")
    listed = _recorded()["clients"]
    monkeypatch.setattr(c, "_get", lambda path, params=None, timeout=None: seen.update(params) or listed)
    c.clients(page=1, q="", gender=None, decision="approve")
    assert seen == {"page": 1, "decision": "approve"}


def test_environment_configuration(monkeypatch):
    monkeypatch.setenv("SERVICE_URL", "http://example.invalid:9/")
    monkeypatch.setenv("SERVICE_API_KEY", "from-env")
    monkeypatch.setenv("SERVICE_TIMEOUT", "3.5")
    c = ServiceClient()
    assert c.base_url == "http://example.invalid:9"
    assert c.session.headers["X-API-Key"] == "from-env"
    assert c.timeout[1] == 3.5


def _closing_server(drops: int):
    """An HTTP/1.1 server that closes the first ``drops`` requests' connections without a word
    (what a keep-alive connection closed by the server looks like to the client), then answers."""
    state = {"seen": [], "drops": drops}

    class Closing(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self):
            state["seen"].append(self.command)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if state["drops"] > 0:
                state["drops"] -= 1
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            raw = json.dumps({"status": "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Closing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state


def test_a_get_on_a_dropped_connection_is_sent_once_more():
    server, state = _closing_server(drops=1)
    try:
        api = ServiceClient(f"http://127.0.0.1:{server.server_address[1]}", api_key="k", cache_ttl=0)
        assert api._get("/clients/1") == {"status": "ok"}
        assert state["seen"] == ["GET", "GET"]
    finally:
        server.shutdown()


def test_a_get_dropped_twice_is_unavailable_and_a_post_is_never_repeated():
    server, state = _closing_server(drops=2)
    try:
        api = ServiceClient(f"http://127.0.0.1:{server.server_address[1]}", api_key="k", cache_ttl=0)
        with pytest.raises(ServiceUnavailable) as info:
            api._get("/clients/1")
        assert info.value.code == "unreachable" and state["seen"] == ["GET", "GET"]
        state["drops"], state["seen"] = 1, []
        with pytest.raises(ServiceUnavailable):
            api.decide(1, "approve", "motif suffisamment long", "alice")
        assert state["seen"] == ["POST"]
    finally:
        server.shutdown()
