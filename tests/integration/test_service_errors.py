"""Security and errors: keys, JSON errors with the right status, headers, CORS, rate limits,
size limits, database outages. No input ever produces a 500 or a traceback."""

from __future__ import annotations

import pytest

from model_service import ConfigError, create_app
from model_service.schemas import ErrorOut
from tests.integration.service_support import API_KEY, HEADERS, client_ids, make_app

pytestmark = pytest.mark.slow

PROTECTED_GETS = ["/model", "/model/card", "/clients", "/clients/{id}", "/clients/{id}/score",
                  "/clients/{id}/explanation", "/clients/{id}/similar", "/clients/{id}/counterfactual",
                  "/clients/{id}/decisions", "/population", "/monitoring/summary"]
PROTECTED_POSTS = ["/predict", "/predict/batch", "/clients/{id}/decision"]


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = ErrorOut.model_validate(response.get_json()).model_dump()
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "File \"" not in text
    return body


def test_every_route_but_health_needs_a_valid_key(client):
    cid = client_ids(client, 1)[0]
    for url in PROTECTED_GETS:
        url = url.format(id=cid)
        assert_error(client.get(url), 401)
        assert_error(client.get(url, headers={"X-API-Key": "wrong"}), 401)
    for url in PROTECTED_POSTS:
        assert_error(client.post(url.format(id=cid), json={}), 401)
    assert client.get("/health").status_code == 200
    assert client.get("/model", headers={"X-API-Key": "second-key"}).status_code == 200


def test_unknown_route_method_and_client(client):
    assert_error(client.get("/nowhere", headers=HEADERS), 404)
    body = assert_error(client.delete("/model", headers=HEADERS), 405)
    assert body["error"] == "method not allowed"
    assert_error(client.put("/predict", headers=HEADERS, json={}), 405)
    for url in ("/clients/1", "/clients/1/score", "/clients/1/explanation", "/clients/1/similar",
                "/clients/1/counterfactual", "/clients/1/decisions", "/clients/99999999999999999999999/score",
                "/clients/abc/score"):
        assert_error(client.get(url, headers=HEADERS), 404)
    assert_error(client.post("/clients/1/decision", headers=HEADERS,
                             json={"decision": "approve", "reason": "a fine reason", "advisor": "A"}), 404)


def test_bodies_bad_json_wrong_type_and_too_large(fast_bundle, tmp_path):
    app = make_app(fast_bundle, tmp_path, MAX_CONTENT_LENGTH="5000")
    c = app.test_client()
    assert_error(c.post("/predict", headers=HEADERS, data="{not json", content_type="application/json"), 400)
    assert_error(c.post("/predict", headers=HEADERS, data="a=1", content_type="application/x-www-form-urlencoded"),
                 415)
    assert_error(c.post("/predict", headers=HEADERS, data="[]", content_type="text/plain"), 415)
    big = {"ids": list(range(2000))}
    body = assert_error(c.post("/predict/batch", headers=HEADERS, json=big), 413)
    assert "5000" in body["detail"]


def test_predict_lists_every_problem(client):
    payload = {
        "application": {"AMT_CREDIT": -5, "CODE_GENDER": "X", "UNKNOWN_FIELD": 1, "CNT_CHILDREN": 1.5,
                        "DAYS_EMPLOYED": 12, "EXT_SOURCE_1": "0.5", "FLAG_DOCUMENT_3": True, "DAYS_BIRTH": -100,
                        "EXT_SOURCE_2": 1.5},
        "history": {"bureau": [{"AMT_CREDIT_SUM": "lots"}], "not_a_table": []},
        "top": 0, "extra": True,
    }
    body = assert_error(client.post("/predict", headers=HEADERS, json=payload), 422)
    fields = {p["field"] for p in body["detail"]}
    assert fields == {
        "application.AMT_CREDIT", "application.CODE_GENDER", "application.UNKNOWN_FIELD",
        "application.CNT_CHILDREN", "application.DAYS_EMPLOYED", "application.EXT_SOURCE_1",
        "application.FLAG_DOCUMENT_3", "application.DAYS_BIRTH", "application.EXT_SOURCE_2",
        "history.bureau[0].AMT_CREDIT_SUM", "history.not_a_table", "top", "extra"}
    assert all(p["problem"] for p in body["detail"])
    for bad in ({}, {"application": 5}, [], {"application": {}, "history": {"bureau_balance": [{}]}}, "text", 3):
        assert_error(client.post("/predict", headers=HEADERS, json=bad), 422)
    nan = client.post("/predict", headers=HEADERS, data='{"application": {"AMT_CREDIT": NaN}}',
                      content_type="application/json")
    assert nan.status_code in (400, 422)


def test_batch_limits_and_shape(client):
    assert_error(client.post("/predict/batch", headers=HEADERS, json={"ids": list(range(10_001))}), 422)
    assert_error(client.post("/predict/batch", headers=HEADERS, json={"records": [{}] * 10_001}), 422)
    assert_error(client.post("/predict/batch", headers=HEADERS, json={}), 422)
    assert_error(client.post("/predict/batch", headers=HEADERS, json={"ids": [1], "records": [{}]}), 422)
    assert_error(client.post("/predict/batch", headers=HEADERS, json={"ids": ["a", 1.5, None]}), 422)
    ok = client.post("/predict/batch", headers=HEADERS, json={"ids": [-1, 2**70]})
    assert ok.status_code == 200 and [r["error"] for r in ok.get_json()["results"]] == ["unknown client"] * 2


def test_a_columnar_batch_is_refused_whole_with_every_problem_listed(client):
    """Columns are validated as a whole: a bad value, an unknown field and unequal lengths are all listed
    in one 422 (where they are), nothing is scored; a null column, no column, an empty one, one longer
    than 10,000 values and two forms at once are refused too."""
    bad = {"columns": {"AMT_CREDIT": [500000.0, -1, 200000.0], "DAYS_BIRTH": [-12000, -13000], "FOO": [1, 2, 3],
                       "NAME_CONTRACT_TYPE": ["Cash loans", 5, None]}}
    body = assert_error(client.post("/predict/batch", headers=HEADERS, json=bad), 422)
    problems = {p["field"]: p for p in body["detail"]}
    assert set(problems) == {"columns.AMT_CREDIT[1]", "columns.FOO", "columns.NAME_CONTRACT_TYPE[1]", "columns"}
    assert problems["columns.AMT_CREDIT[1]"]["value"] == -1
    assert problems["columns"]["problem"].startswith("every column must hold one value per application")
    assert "AMT_CREDIT 3" in problems["columns"]["problem"] and "DAYS_BIRTH 2" in problems["columns"]["problem"]
    for wrong in ({"columns": {"AMT_CREDIT": None}}, {"columns": {}}, {"columns": {"AMT_CREDIT": []}},
                  {"columns": {"AMT_CREDIT": [1.0] * 10_001}}, {"columns": [[1.0]]},
                  {"ids": [1], "columns": {"AMT_CREDIT": [1.0]}}):
        assert_error(client.post("/predict/batch", headers=HEADERS, json=wrong), 422)
    assert client.post("/predict/batch", headers=HEADERS, json={"columns": {"AMT_CREDIT": [1.0] * 3}}).status_code == 200


def test_query_strings_are_validated(client):
    cid = client_ids(client, 1)[0]
    body = assert_error(client.get("/clients?page=0&per_page=1000&sort=nope&age_min=60&age_max=20&zzz=1",
                                   headers=HEADERS), 422)
    assert {p["field"] for p in body["detail"]} == {"page", "per_page", "sort", "zzz"}
    assert_error(client.get("/clients?age_min=60&age_max=20", headers=HEADERS), 422)
    assert_error(client.get("/clients?q=12ab", headers=HEADERS), 422)
    assert_error(client.get(f"/clients/{cid}/explanation?top=abc", headers=HEADERS), 422)
    assert_error(client.get(f"/clients/{cid}/explanation?top=0", headers=HEADERS), 422)
    assert_error(client.get(f"/clients/{cid}/similar?k=1000", headers=HEADERS), 422)
    assert_error(client.get("/population?features=NOPE", headers=HEADERS), 422)
    assert_error(client.get("/population?bins=1", headers=HEADERS), 422)
    assert_error(client.get("/model/card?lang=de", headers=HEADERS), 422)


def test_decision_body_is_validated(client):
    cid = client_ids(client, 1)[0]
    body = assert_error(client.post(f"/clients/{cid}/decision", headers=HEADERS,
                                    json={"decision": "maybe", "reason": " ", "other": 1}), 422)
    assert {p["field"] for p in body["detail"]} == {"decision", "reason", "advisor", "other"}


def test_security_headers_on_every_answer(client):
    for response in (client.get("/health"), client.get("/model", headers=HEADERS), client.get("/nowhere"),
                     client.get("/docs")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/model", headers=HEADERS).headers["Content-Security-Policy"] == \
        "default-src 'none'; frame-ancestors 'none'"
    assert "Access-Control-Allow-Origin" not in client.get("/health", headers={"Origin": "http://x.example"}).headers


def test_cors_only_for_configured_origins(fast_bundle, tmp_path):
    app = make_app(fast_bundle, tmp_path, CORS_ORIGINS="https://dash.example,https://other.example")
    c = app.test_client()
    allowed = c.get("/health", headers={"Origin": "https://dash.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://dash.example"
    assert "Access-Control-Allow-Origin" not in c.get("/health", headers={"Origin": "https://evil.example"}).headers
    preflight = c.options("/model", headers={"Origin": "https://dash.example", "Access-Control-Request-Method": "GET",
                                             "Access-Control-Request-Headers": "X-API-Key"})
    assert preflight.status_code == 200 and "X-API-Key" in preflight.headers["Access-Control-Allow-Headers"]


def test_rate_limit_answers_429_json(fast_bundle, tmp_path):
    app = make_app(fast_bundle, tmp_path, RATE_LIMIT="3 per minute")
    c = app.test_client()
    cid = client_ids(c, 1)[0]
    statuses = [c.get(f"/clients/{cid}/score", headers=HEADERS).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert_error(c.get(f"/clients/{cid}/score", headers=HEADERS), 429)
    assert c.get("/model", headers=HEADERS).status_code == 200  # only scoring routes are limited


def test_database_outage_gives_503_while_scoring_works(fast_bundle, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    app = make_app(fast_bundle, tmp_path, DATABASE_URL=f"sqlite:///{blocker / 'decisions.db'}")
    c = app.test_client()
    cid = client_ids(c, 1)[0]
    body = assert_error(c.post(f"/clients/{cid}/decision", headers=HEADERS,
                               json={"decision": "approve", "reason": "a good file", "advisor": "A"}), 503)
    assert "database" in body["detail"] and str(tmp_path) not in body["detail"]
    assert_error(c.get(f"/clients/{cid}/decisions", headers=HEADERS), 503)
    assert c.get(f"/clients/{cid}/score", headers=HEADERS).status_code == 200
    assert c.post("/predict/batch", headers=HEADERS, json={"ids": [cid]}).status_code == 200
    health = c.get("/health")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"
    assert health.get_json()["database"]["status"] == "unavailable"


def test_unexpected_failure_is_a_bare_500(fast_bundle, tmp_path, monkeypatch):
    app = make_app(fast_bundle, tmp_path)
    services = app.extensions["model_service"]

    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(services.scorer, "score_index", boom)
    c = app.test_client()
    cid = client_ids(c, 1)[0]
    response = c.get(f"/clients/{cid}/score", headers=HEADERS)
    body = assert_error(response, 500)
    assert "secret" not in response.get_data(as_text=True) and body["error"] == "internal error"


def test_missing_api_keys_refuse_to_start(fast_bundle, tmp_path, monkeypatch):
    monkeypatch.delenv("API_KEYS", raising=False)
    monkeypatch.delenv("ALLOW_NO_AUTH", raising=False)
    with pytest.raises(ConfigError, match="API_KEYS"):
        create_app({"MODEL_BUNDLE": str(fast_bundle), "PREDICTION_LOG": "off"})
    app = create_app({"MODEL_BUNDLE": str(fast_bundle), "ALLOW_NO_AUTH": "1", "PREDICTION_LOG": "off",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"})
    assert app.test_client().get("/model").status_code == 200
    assert API_KEY  # the shared key stays the one of the other tests
