"""The storage through the API, on SQLite and on PostgreSQL: decisions (identity, revisions,
paging, reason rules, NUL byte), POST /outcomes and ``python -m reports.outcomes load``, /health
with the database and the prediction log in the database by default."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from model_service.storage.database import Database
from model_service.storage.schema import outcomes, predictions
from reports.outcomes import main as outcomes_main
from scoring.contract_decisions import REASON_MAX_LENGTH, REASON_MIN_LENGTH, reason_problem
from tests.integration.service_support import API_KEY, HEADERS, client_ids, make_app


@pytest.fixture
def app(fast_bundle, tmp_path, database_url):
    # no PREDICTION_LOG: with DATABASE_URL set, the log goes to the database by default
    application = make_app(fast_bundle, tmp_path, DATABASE_URL=database_url, PREDICTION_LOG=None,
                           PREDICTION_SPILL_DIR=str(tmp_path / "spill"))
    yield application
    application.extensions["model_service"].predictions.close()


def post(client, url, body, status):
    response = client.post(url, headers=HEADERS, json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_decision_records_the_advisor_sent_and_which_key_sent_it(app):
    c = app.test_client()
    cid = client_ids(c, 1)[0]
    saved = post(c, f"/clients/{cid}/decision", {"decision": "approve", "reason": "Revenus stables et apport",
                                                "advisor": "alice"}, 201)
    assert saved["advisor"] == "alice"
    assert saved["api_key_id"] == "key:" + hashlib.sha256(API_KEY.encode()).hexdigest()[:12]
    other = c.post(f"/clients/{cid}/decision", headers={"X-API-Key": "second-key"},
                   json={"decision": "approve", "reason": "Confirmé après appel", "advisor": "alice"}).get_json()
    assert other["api_key_id"] != saved["api_key_id"]  # same typed name, another key: told apart


def test_nul_byte_and_reason_lengths_are_422_on_every_database(app):
    c = app.test_client()
    cid = client_ids(c, 1)[0]
    for reason in ("Revenus\x00 stables ok", "x" * (REASON_MIN_LENGTH - 1), "x" * (REASON_MAX_LENGTH + 1)):
        body = post(c, f"/clients/{cid}/decision", {"decision": "approve", "reason": reason, "advisor": "a"}, 422)
        assert body["detail"][0]["field"] == "reason"
    post(c, f"/clients/{cid}/decision", {"decision": "approve", "reason": "a", "advisor": "al\x00ice"}, 422)
    assert c.get(f"/clients/{cid}/decisions", headers=HEADERS).get_json()["total"] == 0
    # the dashboard checks with the same function and bounds
    assert reason_problem("x" * REASON_MIN_LENGTH) is None and reason_problem("x" * (REASON_MIN_LENGTH - 1))


def test_contradicting_decision_is_409_until_it_names_the_latest(app):
    c = app.test_client()
    cid = client_ids(c, 1)[0]
    first = post(c, f"/clients/{cid}/decision", {"decision": "decline", "reason": "Endettement trop élevé",
                                                "advisor": "a"}, 201)
    body = post(c, f"/clients/{cid}/decision", {"decision": "approve", "reason": "Garant ajouté au dossier",
                                               "advisor": "b"}, 409)
    assert body["detail"]["latest"]["id"] == first["id"]
    revised = post(c, f"/clients/{cid}/decision", {"decision": "approve", "reason": "Garant ajouté au dossier",
                                                  "advisor": "b", "revises": first["id"]}, 201)
    assert revised["revision_of"] == first["id"]


def test_decisions_page_past_500_with_a_total(app):
    services = app.extensions["model_service"]
    c = app.test_client()
    cid = client_ids(c, 1)[0]
    for k in range(600):
        services.decisions.add(cid, "approve", f"dossier numéro {k}", "a", {}, "v", "key:x")
    first = c.get(f"/clients/{cid}/decisions?per_page=500", headers=HEADERS).get_json()
    second = c.get(f"/clients/{cid}/decisions?per_page=500&page=2", headers=HEADERS).get_json()
    assert first["total"] == second["total"] == 600
    assert len(first["decisions"]) == 500 and len(second["decisions"]) == 100
    assert c.get(f"/clients/{cid}/decisions?per_page=501", headers=HEADERS).status_code == 422


def test_outcomes_by_api_and_csv_land_in_one_table(app, database_url, tmp_path, capsys):
    c = app.test_client()
    body = post(c, "/outcomes", {"outcomes": [{"client_id": 1, "defaulted": True, "observed_on": "2026-11-30"},
                                              {"client_id": 2, "defaulted": False, "observed_on": "2026-11-30"}]},
                200)
    assert body == {"received": 2, "inserted": 2, "updated": 0, "unchanged": 0}
    bad = post(c, "/outcomes", {"outcomes": [{"client_id": 3, "defaulted": "maybe", "observed_on": "soon"}]}, 422)
    assert {p["field"] for p in bad["detail"]} == {"outcomes[0].defaulted", "outcomes[0].observed_on"}
    csv_file = tmp_path / "outcomes.csv"
    csv_file.write_text("client_id,defaulted,observed_on,note\n2,1,2026-11-30,x\n3,0,2026-12-01,\n")
    assert outcomes_main(["load", str(csv_file), "--database-url", database_url]) == 0
    assert "1 new, 1 updated, 0 unchanged" in capsys.readouterr().out
    assert outcomes_main(["load", str(csv_file), "--database-url", database_url]) == 0
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out
    broken = tmp_path / "broken.csv"
    broken.write_text("client_id,defaulted,observed_on\n4,1,2026-11-30\nabc,2,2026-13-01\n")
    assert outcomes_main(["load", str(broken), "--database-url", database_url]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "nothing stored" in err
    db = Database(database_url)
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outcomes)).scalar_one() == 3  # client 4 not stored


def test_health_reports_the_database_and_the_log_goes_to_it(app, database_url):
    c = app.test_client()
    health = c.get("/health").get_json()
    assert health["status"] == "ok" and health["database"]["status"] == "ok"
    assert health["prediction_log"]["target"] == "database" and health["prediction_log"]["lost"] == 0
    ids = client_ids(c, 3)
    for cid in ids:
        c.get(f"/clients/{cid}/score", headers=HEADERS)
    c.post("/predict/batch", headers=HEADERS, json={"ids": ids})
    app.extensions["model_service"].predictions.flush()
    with Database(database_url).connect() as conn:
        rows = conn.execute(select(predictions.c.client_id, predictions.c.endpoint)).all()
    assert sorted(rows) == sorted([(i, "score") for i in ids] + [(i, "batch") for i in ids])
