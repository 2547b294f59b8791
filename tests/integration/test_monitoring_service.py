"""GET /monitoring/summary and /monitoring/report on a real bundle: production data without any offline
report. The readers of production data (prediction log, decisions, outcomes) run on SQLite and on a real
PostgreSQL server (``database_url``), the prediction log in the database or in its file."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from model_service.storage.database import Database
from model_service.storage.log_sinks import DatabaseSink, FileSink
from scoring.monitoring.contract import MonitoringSummary
from tests.integration.service_support import HEADERS, client_ids, make_app


def _drift_summary(report_html: str) -> dict:
    return {
        "schema_version": 1, "generated_at": "2026-01-31T12:00:00Z", "report_html": report_html,
        "n_columns": 2, "n_drifted": 1, "share_drifted": 0.5, "dataset_drift": True,
        "columns": [{"rank": 1, "column": "EXT_SOURCE_3", "label": "Score externe n° 3", "score": 0.31,
                     "method": "Wasserstein distance (normed)", "drifted": True},
                    {"rank": 2, "column": "AMT_CREDIT", "label": "Montant du crédit", "score": 0.01,
                     "method": "Wasserstein distance (normed)", "drifted": False}],
        "score_psi": {"value": 0.04, "status": "stable"},
        "verdict": {"status": "watch", "reasons": ["1 of 2 columns drifted"]},
    }


@pytest.mark.parametrize("log_target", ["file", "database"])
def test_summary_without_a_report_shows_production_and_overrides(fast_bundle, tmp_path, log_target, database_url):
    app = make_app(fast_bundle, tmp_path, DATABASE_URL=database_url,
                   **({"PREDICTION_LOG": "database"} if log_target == "database" else {}))
    c = app.test_client()
    ids = client_ids(c, 40)
    for cid in ids:
        c.get(f"/clients/{cid}/score", headers=HEADERS)
    c.post("/predict/batch", headers=HEADERS, json={"ids": ids[:10]})
    scores = {cid: c.get(f"/clients/{cid}/score", headers=HEADERS).get_json() for cid in ids[:3]}
    approve = next(cid for cid, s in scores.items())
    model_decision = scores[approve]["decision"]
    against = "decline" if model_decision == "approve" else "approve"
    c.post(f"/clients/{approve}/decision", headers=HEADERS,
           json={"decision": against, "reason": "Dossier examiné", "advisor": "alice"})
    app.extensions["model_service"].predictions.flush()
    answer = c.get("/monitoring/summary", headers=HEADERS)
    assert answer.status_code == 200
    body = MonitoringSummary.model_validate(answer.get_json())
    assert body.drift is None and body.report_available is False
    p = body.production
    assert p.total == 40 + 10 + 3 and sum(x.count for x in p.periods) == p.total
    assert p.reference is not None and p.reference.n > 1000
    assert p.psi is not None and p.psi_status in ("stable", "watch", "act")
    assert abs(sum(p.decision_shares.values()) - 1.0) < 1e-9
    assert p.top_features and all(0 < f.n <= 43 for f in p.top_features)  # the 43 single requests log features
    assert all(f.label and f.label != f.feature for f in p.top_features)  # plain words, not column names
    o = body.overrides
    assert o is not None and o.decisions == 1
    assert o.overrides == (1 if model_decision != "review" else 0)
    assert o.outcomes is None and body.backtest is None  # no outcome recorded yet
    assert c.get("/monitoring/report", headers=HEADERS).status_code == 404
    # outcomes come back: every scored client observed today, half of them defaulted
    recorded = [{"client_id": cid, "defaulted": k % 2 == 0, "observed_on": date.today().isoformat()}
                for k, cid in enumerate(ids)]
    assert c.post("/outcomes", headers=HEADERS, json={"outcomes": recorded}).status_code in (200, 201)
    body = MonitoringSummary.model_validate(c.get("/monitoring/summary", headers=HEADERS).get_json())
    b = body.backtest
    assert b is not None and b.n == len(ids) and b.overall.defaults == (len(ids) + 1) // 2
    assert b.overall.observed == pytest.approx(((len(ids) + 1) // 2) / len(ids))
    assert sum(r.n for r in b.by_band) == b.n and [r.key for r in b.by_vintage] == [date.today().strftime("%Y-%m")]
    # outcomes of granted loans only: the advisor's one decision granted a loan or refused one
    assert (body.overrides.outcomes is not None) == (against == "approve")
    week = MonitoringSummary.model_validate(c.get("/monitoring/summary?period=week", headers=HEADERS).get_json())
    assert week.production.freq == "week" and week.production.total == p.total
    assert c.get("/monitoring/summary?period=month", headers=HEADERS).status_code in (400, 422)
    app.extensions["model_service"].predictions.close()


def test_report_link_serves_the_html_named_by_the_summary(fast_bundle, tmp_path):
    app = make_app(fast_bundle, tmp_path)
    c = app.test_client()
    (tmp_path / "drift.html").write_text("<html><body>rapport evidently</body></html>")
    # written by the command from another directory: only the file name is found next to the summary
    (tmp_path / "drift_summary.json").write_text(json.dumps(_drift_summary("reports/elsewhere/drift.html")))
    body = MonitoringSummary.model_validate(c.get("/monitoring/summary", headers=HEADERS).get_json())
    assert body.report_available is True and body.drift is not None
    assert body.drift.columns[0].column == "EXT_SOURCE_3" and body.drift.verdict.status == "watch"
    report = c.get("/monitoring/report", headers=HEADERS)
    assert report.status_code == 200 and report.mimetype == "text/html"
    assert b"rapport evidently" in report.data
    assert c.get("/monitoring/report").status_code == 401


def test_a_summary_of_another_shape_is_ignored_not_guessed(fast_bundle, tmp_path):
    app = make_app(fast_bundle, tmp_path)
    c = app.test_client()
    (tmp_path / "drift_summary.json").write_text(json.dumps({"number_of_columns": 3, "drift_detected": True}))
    body = MonitoringSummary.model_validate(c.get("/monitoring/summary", headers=HEADERS).get_json())
    assert body.drift is None and body.report_available is False


def _challenger(fast_bundle, tmp_path, threshold: float = 0.2):
    import shutil

    from scoring.bundle import resolve

    src = resolve(fast_bundle)
    dst = tmp_path / "challenger-bundle"
    shutil.copytree(src, dst)
    meta = json.loads((dst / "metadata.json").read_text())
    meta["version"], meta["threshold"] = "challenger-1", threshold
    (dst / "metadata.json").write_text(json.dumps(meta))
    return dst


@pytest.mark.parametrize("log_target", ["file", "database"])
def test_challenger_scores_in_shadow_and_answers_stay_the_champions(fast_bundle, tmp_path, log_target, database_url):
    from tests.integration.service_support import raw_application

    plain = make_app(fast_bundle, tmp_path / "plain").test_client()
    extra = {"PREDICTION_LOG": "database"} if log_target == "database" else {}
    app = make_app(fast_bundle, tmp_path, CHALLENGER_BUNDLE=str(_challenger(fast_bundle, tmp_path)),
                   DATABASE_URL=database_url, **extra)
    c = app.test_client()
    ids = client_ids(c, 30)
    answers = [c.get(f"/clients/{cid}/score", headers=HEADERS).get_json() for cid in ids]
    assert answers == [plain.get(f"/clients/{cid}/score", headers=HEADERS).get_json() for cid in ids]
    c.post("/predict/batch", headers=HEADERS, json={"ids": ids[:5]})
    c.post("/predict/batch", headers=HEADERS, json={"records": [raw_application(fast_bundle, ids[0])]})
    app.extensions["model_service"].predictions.flush()
    body = MonitoringSummary.model_validate(c.get("/monitoring/summary", headers=HEADERS).get_json())
    ch = body.challenger
    assert body.production.total == 30 + 5 + 1  # the page's production figures are the champion's only
    assert ch is not None and ch.n == 36
    # same model, threshold 0.2 instead of the champion's: the same probabilities, other scores and bands
    assert ch.mean_abs_score_diff > 0 and ch.agreement < 1.0
    flipped = sum(f.flipped for f in ch.flips)
    assert flipped == round((1 - ch.agreement) * ch.n)
    c.post("/outcomes", headers=HEADERS, json={"outcomes": [
        {"client_id": cid, "defaulted": k % 3 == 0, "observed_on": date.today().isoformat()} for k, cid in enumerate(ids)]})
    body = MonitoringSummary.model_validate(c.get("/monitoring/summary", headers=HEADERS).get_json())
    o = body.challenger.outcomes
    assert o is not None and o.n == 30
    assert o.champion.auc == pytest.approx(o.challenger.auc)  # same ranking: same AUC, other costs
    app.extensions["model_service"].predictions.close()


def _record(at: datetime, score: float, decision: str) -> dict:
    return {"record_id": str(uuid.uuid4()), "logged_at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "endpoint": "score", "client_id": 1, "probability": score / 200, "score": score, "decision": decision,
            "model_version": "v-test", "role": "champion", "features": None, "features_source": "store"}


@pytest.mark.parametrize("log_target", ["file", "database"])
def test_production_figures_cover_the_last_90_days_per_day_and_week(fast_bundle, tmp_path, log_target, database_url):
    """The page's window is 90 days, served with the figures: a request scored 89 days ago counts,
    one scored 91 days ago does not; days and weeks are the UTC calendar's, on both databases."""
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    ages = {91: ("decline", 80.0), 89: ("approve", 10.0), 10: ("review", 50.0), 3: ("approve", 20.0)}
    records = [_record(now - timedelta(days=d), score, decision) for d, (decision, score) in ages.items()]
    records.append(_record(now - timedelta(days=3, hours=1), 30.0, "approve"))
    if log_target == "database":
        db = Database(database_url)
        DatabaseSink(db).write(records)
        db.dispose()
        app = make_app(fast_bundle, tmp_path, DATABASE_URL=database_url, PREDICTION_LOG="database")
    else:
        FileSink(tmp_path / "predictions.jsonl").write(records)
        app = make_app(fast_bundle, tmp_path, DATABASE_URL=database_url)
    c = app.test_client()
    day = MonitoringSummary.model_validate(c.get("/monitoring/summary", headers=HEADERS).get_json()).production
    assert day.window_days == 90
    assert day.total == 4  # not the one of 91 days ago
    expected_days = Counter((now - timedelta(days=d)).date().isoformat() for d in (89, 10, 3, 3))
    assert {x.period: x.count for x in day.periods} == expected_days
    assert day.decision_shares == {"approve": 0.75, "review": 0.25, "decline": 0.0}
    assert day.first_time[:10] == (now - timedelta(days=89)).date().isoformat()
    week = MonitoringSummary.model_validate(
        c.get("/monitoring/summary?period=week", headers=HEADERS).get_json()).production
    assert week.total == 4
    mondays = Counter((now - timedelta(days=d + (now - timedelta(days=d)).weekday())).date().isoformat()
                      for d in (89, 10, 3, 3))
    assert {x.period: x.count for x in week.periods} == mondays
    app.extensions["model_service"].predictions.close()


def test_the_challenger_scores_the_applications_of_a_columnar_batch_not_the_stored_clients(fast_bundle, tmp_path):
    """A batch sent as columns names known clients (SK_ID_CURR) with other values than the store's: the
    challenger (same model) must score what was sent, so its probabilities equal the champion's."""
    from tests.integration.service_support import raw_application

    app = make_app(fast_bundle, tmp_path, CHALLENGER_BUNDLE=str(_challenger(fast_bundle, tmp_path)))
    c = app.test_client()
    ids = client_ids(c, 3)
    records = [raw_application(fast_bundle, cid) for cid in ids]
    for record in records:  # not the stored applications any more
        record["AMT_CREDIT"] = 4_000_000.0
        record["EXT_SOURCE_2"] = 0.01
    columns = {name: [r.get(name) for r in records] for name in sorted(set().union(*records))}
    answer = c.post("/predict/batch", headers=HEADERS, json={"columns": columns}).get_json()
    stored = [c.get(f"/clients/{cid}/score", headers=HEADERS).get_json()["probability"] for cid in ids]
    assert [r["probability"] for r in answer["results"]] != pytest.approx(stored)
    service = app.extensions["model_service"]
    service.predictions.close()
    lines = [json.loads(line) for path in tmp_path.rglob("*.jsonl") for line in path.read_text().splitlines()]
    shadow = [line for line in lines if line.get("role") == "challenger" and line.get("endpoint") == "batch"]
    assert [line["probability"] for line in shadow] == pytest.approx([r["probability"] for r in answer["results"]])
