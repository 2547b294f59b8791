"""Every endpoint of the scoring service answers the documented shape (Flask test client)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model_service import schemas
from scoring.decision import decide, to_score
from tests.integration.service_support import HEADERS, client_ids, make_app

pytestmark = pytest.mark.slow


def get(client, url, **kwargs):
    response = client.get(url, headers=HEADERS, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()


def test_health_needs_no_key_and_names_the_model(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = schemas.HealthOut.model_validate(response.get_json())
    assert body.status == "ok" and body.clients > 1000 and 0 < body.threshold < 1


def test_model_description(client, service_app):
    body = schemas.ModelOut.model_validate(get(client, "/model"))
    bundle = service_app.extensions["model_service"].bundle
    assert body.model_version == bundle.version and body.threshold == bundle.threshold
    assert (body.costs.fn, body.costs.fp) == (bundle.meta.costs.fn, bundle.meta.costs.fp)
    assert len(body.features) == len(bundle.feature_names)
    assert body.importance[0].importance >= body.importance[-1].importance
    assert all(f.label for f in body.features)
    # the one decision rule, served: the dashboard draws its gauge and legend from these
    assert [(b.decision, b.band, b.low, b.high) for b in body.bands] == [
        ("approve", "green", 0.0, 45.0), ("review", "orange", 45.0, 55.0), ("decline", "red", 55.0, 100.0)]


def test_model_fairness_and_card(client, service_app):
    bundle = service_app.extensions["model_service"].bundle
    response = client.get("/model/fairness", headers=HEADERS)
    if bundle.extra("fairness") is None:
        assert response.status_code == 404 and response.get_json()["error"]
    else:
        assert response.status_code == 200 and response.get_json()["model_version"] == bundle.version
    card = schemas.CardOut.model_validate(get(client, "/model/card"))
    assert card.markdown.startswith("# ") and bundle.version in card.markdown
    for section in ("Usage prévu", "Données", "Seuil et coûts", "Équité", "Limites", "Dérive"):
        assert f"## {section}" in card.markdown
    english = get(client, "/model/card?lang=en")["markdown"]
    assert "## Intended use" in english and "## Fairness" in english


def test_model_card_is_the_cli_card_with_the_bundles_figures(fast_bundle, tmp_path):
    """GET /model/card and `python -m reports.model_card` render the same text (one renderer, scoring.model_card)."""
    from reports.model_card import main
    from scoring.model_card_text import fmt, plain

    drift = {"generated_at": "2026-01-06T00:00:00Z", "verdict": {"status": "watch", "reasons": ["2 of 80 drifted"]},
             "n_columns": 80, "n_drifted": 2, "share_drifted": 0.025, "dataset_drift": False,
             "score_psi": {"value": 0.1234, "status": "watch"}}
    (tmp_path / "drift_summary.json").write_text(json.dumps(drift))
    app = make_app(fast_bundle, tmp_path)
    c = app.test_client()
    bundle = app.extensions["model_service"].bundle
    try:
        for lang in ("fr", "en"):
            body = c.get(f"/model/card?lang={lang}", headers=HEADERS).get_json()
            assert body["lang"] == lang and body["model_version"] == bundle.version
            out = tmp_path / f"card_{lang}.md"
            assert main(["--bundle", str(fast_bundle), "--out", str(out),
                         "--drift", str(tmp_path / "drift_summary.json"), "--lang", lang]) == 0
            assert body["markdown"] == out.read_text(encoding="utf-8"), lang
        card = c.get("/model/card", headers=HEADERS).get_json()["markdown"]  # default: French
    finally:
        app.extensions["model_service"].predictions.close()
    meta = bundle.metadata
    assert f"Seuil de décision (probabilité calibrée de défaut) : {fmt(bundle.threshold, 'fr')}" in card
    assert f"| AUC ROC | {fmt(meta['metrics']['auc'], 'fr')} |" in card
    assert f"défaut accepté (faux négatif) {plain(meta['costs']['fn'], 'fr')}" in card
    assert f"bon client refusé (faux positif) {plain(meta['costs']['fp'], 'fr')}" in card
    fairness = bundle.extra("fairness")
    if fairness is not None:
        from scoring.labels import category_label

        first = fairness["attributes"]["CODE_GENDER"]["groups"][0]
        group = category_label("CODE_GENDER", first["group"], "fr")  # "Femme", not "F" (issue 17)
        assert f"| {group} | {fmt(first['count'], 'fr')} | {fmt(first['defaults'], 'fr')} |" in card
    assert "**À SURVEILLER**" in card and "0,1234 (à surveiller" in card


def test_client_listing_pagination_filters_and_sort(client, service_app):
    body = schemas.ClientsOut.model_validate(get(client, "/clients?per_page=7&page=2"))
    assert len(body.items) == 7 and body.page == 2 and body.total == len(service_app.extensions["model_service"].clients)
    ids = [i.id for i in body.items]
    assert ids == sorted(ids)
    ranked = get(client, "/clients?sort=-score&per_page=50")["items"]
    assert [i["score"] for i in ranked] == sorted((i["score"] for i in ranked), reverse=True)
    filtered = get(client, "/clients", query_string={
        "age_min": 30, "age_max": 50, "income_min": 100000, "income_max": 300000, "score_min": 20,
        "score_max": 80, "gender": "F", "contract_type": "Cash loans", "per_page": 200})
    for item in filtered["items"]:
        assert 30 <= item["age"] <= 50 and 100000 <= item["income"] <= 300000
        assert 20 <= item["score"] <= 80 and item["gender"] == "F" and item["contract_type"] == "Cash loans"
        assert item["decision"] == decide(item["score"])
    declined = get(client, "/clients?decision=decline&per_page=5")
    assert all(i["decision"] == "decline" and i["band"] == "red" for i in declined["items"])
    some = ids[0]
    prefix = str(some)[:4]
    found = get(client, f"/clients?q={prefix}&per_page=200")
    assert found["total"] >= 1 and all(str(i["id"]).startswith(prefix) for i in found["items"])
    assert get(client, f"/clients?q={some}")["items"][0]["id"] == some


def test_client_listing_shows_and_filters_the_advisors_latest_decision(client):
    """Issue 17: the clients list shows the latest recorded decision (who, when) and filters on it."""
    first, second = [i["id"] for i in get(client, "/clients?per_page=2&sort=-score")["items"]]
    assert all(i["advisor_decision"] is None for i in get(client, "/clients?per_page=2&sort=-score")["items"])
    saved = client.post(f"/clients/{first}/decision", headers=HEADERS,
                        json={"decision": "decline", "reason": "Endettement trop élevé (test).", "advisor": "a.martin"})
    assert saved.status_code == 201, saved.get_data(as_text=True)
    shown = {i["id"]: i for i in get(client, "/clients?per_page=2&sort=-score")["items"]}
    assert shown[first]["advisor_decision"]["decision"] == "decline"
    assert shown[first]["advisor_decision"]["advisor"] == "a.martin" and shown[first]["advisor_decision"]["created_at"]
    assert shown[second]["advisor_decision"] is None
    declined = get(client, "/clients?advisor_decision=decline&per_page=200")
    assert first in [i["id"] for i in declined["items"]] and second not in [i["id"] for i in declined["items"]]
    assert all(i["advisor_decision"]["decision"] == "decline" for i in declined["items"])
    undecided = get(client, "/clients?advisor_decision=none&per_page=1")
    assert undecided["total"] == get(client, "/clients?per_page=1")["total"] - len(
        get(client, "/clients?advisor_decision=decline&per_page=200")["items"]) - get(
        client, "/clients?advisor_decision=approve&per_page=1")["total"]
    assert client.get("/clients?advisor_decision=maybe", headers=HEADERS).status_code in (400, 422)


def test_client_listing_sorts_by_contract_and_decision(client):
    """The dashboard's sort arrows on Contrat and Décision (issue 17): both are service sort keys."""
    order = {"approve": 0, "review": 1, "decline": 2}
    for sign in ("", "-"):
        by_decision = get(client, f"/clients?sort={sign}decision&per_page=200")["items"]
        ranks = [order[i["decision"]] for i in by_decision]
        assert ranks == sorted(ranks, reverse=sign == "-")
        by_contract = get(client, f"/clients?sort={sign}contract_type&per_page=200")["items"]
        kinds = [i["contract_type"] or "" for i in by_contract]
        assert kinds == sorted(kinds, reverse=sign == "-")
    total = get(client, "/clients?per_page=1")["total"]
    last = get(client, f"/clients?sort=decision&per_page=1&page={total}")["items"][0]
    assert last["decision"] == "decline" or not any(  # the declined clients come last
        i["decision"] == "decline" for i in get(client, "/clients?decision=decline&per_page=1")["items"])


def test_client_details(client, service_app):
    cid = client_ids(client, 1)[0]
    body = schemas.ClientOut.model_validate(get(client, f"/clients/{cid}"))
    for key in ("age", "gender", "family_status", "children", "income", "income_type", "education", "occupation",
                "employment_years", "contract_type", "credit", "annuity", "goods_price", "housing", "own_car",
                "own_realty"):
        assert key in body.info
    assert 18 <= body.info["age"] <= 100
    assert body.application["AMT_CREDIT"] == body.info["credit"]
    assert body.known_outcome in (0, 1, None)


def test_score_matches_model_calibration_and_decision(client, service_app):
    s = service_app.extensions["model_service"]
    for cid in client_ids(client, 5):
        body = schemas.ScoreOut.model_validate(get(client, f"/clients/{cid}/score"))
        row = s.inputs.row(s.clients.index_of(cid))
        raw = s.bundle.model.predict([row], prediction_type="Probability")[0][1]
        probability = s.bundle.calibrator.apply(raw)
        assert body.probability == pytest.approx(probability, abs=1e-12)
        assert body.score == pytest.approx(to_score(probability, s.threshold), abs=1e-9)
        assert body.decision == decide(body.score)
        assert body.band == {"approve": "green", "review": "orange", "decline": "red"}[body.decision]
        assert body.model_version == s.version and body.threshold == s.threshold


def test_explanation_reproduces_the_raw_score(client, service_app):
    s = service_app.extensions["model_service"]
    for cid in client_ids(client, 3):
        body = schemas.ExplanationOut.model_validate(get(client, f"/clients/{cid}/explanation?top=4"))
        assert len(body.contributions) == 4
        row = s.inputs.row(s.clients.index_of(cid))
        log_odds = s.bundle.model.predict([row], prediction_type="RawFormulaVal")[0]
        total = body.base_value + sum(c.contribution for c in body.contributions) + body.other_contribution
        assert total == pytest.approx(log_odds, abs=1e-6)
        assert body.raw_score == pytest.approx(log_odds, abs=1e-6)
        magnitudes = [abs(c.contribution) for c in body.contributions]
        assert magnitudes == sorted(magnitudes, reverse=True)
        for c in body.contributions:
            assert c.direction == ("raises" if c.contribution > 0 else "lowers")
            assert c.sentence.endswith("augmente le risque" if c.contribution > 0 else "diminue le risque")
            assert c.label in c.sentence and c.sentence_en


def test_similar_clients(client, service_app):
    s = service_app.extensions["model_service"]
    cid = client_ids(client, 1)[0]
    response = client.get(f"/clients/{cid}/similar?k=5", headers=HEADERS)
    if s.neighbours is None:
        assert response.status_code == 404
        return
    body = schemas.SimilarOut.model_validate(response.get_json())
    assert len(body.neighbours) == 5 and cid not in [n.id for n in body.neighbours]
    distances = [n.distance for n in body.neighbours]
    assert distances == sorted(distances)
    known = [n.outcome for n in body.neighbours if n.outcome is not None]
    assert body.default_rate == (pytest.approx(np.mean(known)) if known else None)


def test_population(client, service_app):
    body = get(client, "/population?features=EXT_SOURCE_3,NAME_CONTRACT_TYPE&bins=12")
    schemas.PopulationOut.model_validate(body)
    numeric, categorical = body["features"]["EXT_SOURCE_3"], body["features"]["NAME_CONTRACT_TYPE"]
    assert numeric["type"] == "numeric" and len(numeric["edges"]) in (13, len(numeric["repaid"]) + 1)
    assert len(numeric["repaid"]) == len(numeric["default"]) == len(numeric["edges"]) - 1
    assert categorical["type"] == "categorical" and len(categorical["levels"]) == len(categorical["repaid"])
    assert get(client, "/population")["features"]
    assert "CODE_GENDER" not in get(client, "/population")["features"]  # not a model feature
    assert client.get("/population?features=CODE_GENDER", headers=HEADERS).status_code == 422


def test_predict_batch_by_ids_matches_single_scores(client):
    ids = client_ids(client, 30)
    body = schemas.BatchOut.model_validate(get_post(client, "/predict/batch", {"ids": ids + [1, ids[0]]}))
    assert body.count == 32
    assert body.results[30] == {"id": 1, "error": "unknown client"}
    for cid, result in zip(ids, body.results, strict=False):
        single = get(client, f"/clients/{cid}/score")
        assert result["id"] == cid and result["probability"] == pytest.approx(single["probability"], abs=1e-9)
        assert result["decision"] == single["decision"]
    assert body.results[31]["probability"] == body.results[0]["probability"]


def test_predict_batch_by_records(client, fast_bundle):
    from tests.integration.service_support import raw_application

    ids = client_ids(client, 3)
    records = [raw_application(fast_bundle, cid) for cid in ids]
    records.append({"AMT_CREDIT": -1, "FOO": 2})
    body = get_post(client, "/predict/batch", {"records": records})
    assert body["count"] == 4
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert body["results"][0]["id"] == ids[0] and 0 <= body["results"][0]["probability"] <= 1
    assert body["results"][3]["error"] == "invalid input"
    assert {p["field"] for p in body["results"][3]["detail"]} == {"AMT_CREDIT", "FOO"}
    for record, result in zip(records[:3], body["results"], strict=False):  # one truth: batch == POST /predict
        single = get_post(client, "/predict", {"application": record, "explain": False})
        assert (result["probability"], result["score"], result["decision"]) == \
            (single["probability"], single["score"], single["decision"])


def test_predict_batch_by_columns_answers_as_records_and_predict(client, fast_bundle):
    """One truth: the same applications sent as columns (one list per field, null where unknown), as
    records and one by one get the same answers, to the bit; a field absent from a record is null in its
    column; a columnar batch without ids answers id null."""
    from tests.integration.service_support import raw_application

    ids = client_ids(client, 5)
    records = [raw_application(fast_bundle, cid) for cid in ids]
    del records[1]["EXT_SOURCE_2"], records[3]["AMT_ANNUITY"]
    columns = {name: [r.get(name) for r in records] for name in sorted(set().union(*records))}
    assert None in columns["EXT_SOURCE_2"] and None in columns["AMT_ANNUITY"]
    by_columns = get_post(client, "/predict/batch", {"columns": columns})
    assert by_columns == get_post(client, "/predict/batch", {"records": records})
    assert [r["index"] for r in by_columns["results"]] == list(range(5)) and by_columns["count"] == 5
    for record, result in zip(records, by_columns["results"], strict=True):
        single = get_post(client, "/predict", {"application": record, "explain": False})
        assert (result["id"], result["probability"], result["score"], result["decision"]) == \
            (record["SK_ID_CURR"], single["probability"], single["score"], single["decision"])
    anonymous = get_post(client, "/predict/batch", {"columns": {k: v for k, v in columns.items() if k != "SK_ID_CURR"}})
    assert [r["id"] for r in anonymous["results"]] == [None] * 5
    assert [r["probability"] for r in anonymous["results"]] == [r["probability"] for r in by_columns["results"]]


def get_post(client, url, payload, status=200):
    response = client.post(url, headers=HEADERS, json=payload)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_advisor_decisions_are_stored_newest_first(client, service_app):
    cid = client_ids(client, 1)[0]
    first = get_post(client, f"/clients/{cid}/decision",
                     {"decision": "decline", "reason": "Revenus insuffisants", "advisor": "Claire"}, status=201)
    contradicting = {"decision": "approve", "reason": "  Garant ajouté au dossier  ", "advisor": "Paul"}
    conflict = client.post(f"/clients/{cid}/decision", headers=HEADERS, json=contradicting)
    assert conflict.status_code == 409 and conflict.get_json()["detail"]["latest"]["id"] == first["id"]
    second = get_post(client, f"/clients/{cid}/decision", {**contradicting, "revises": first["id"]}, status=201)
    schemas.DecisionOut.model_validate(second)
    assert second["revision_of"] == first["id"] and second["sequence"] == 2
    assert second["api_key_id"].startswith("key:") and HEADERS["X-API-Key"] not in json.dumps(second)
    score = get(client, f"/clients/{cid}/score")
    assert second["reason"] == "Garant ajouté au dossier" and second["model_score"] == pytest.approx(score["score"])
    assert second["model_version"] == score["model_version"] and second["created_at"].endswith("Z")
    history = schemas.DecisionsOut.model_validate(get(client, f"/clients/{cid}/decisions"))
    assert [d.id for d in history.decisions][:2] == [second["id"], first["id"]] and history.total == 2


def test_every_scored_request_is_logged(fast_bundle, tmp_path):
    from scoring.monitoring.log_rows import fill_features
    from tests.integration.service_support import raw_application

    app = make_app(fast_bundle, tmp_path)
    c = app.test_client()
    ids = client_ids(c, 4)
    c.get(f"/clients/{ids[0]}/score", headers=HEADERS)
    c.post("/predict/batch", headers=HEADERS, json={"ids": ids[1:]})
    record = raw_application(fast_bundle, ids[0])
    c.post("/predict", headers=HEADERS, json={"application": record})
    c.post("/predict/batch", headers=HEADERS, json={"records": [record]})
    c.post("/predict/batch", headers=HEADERS, json={"columns": {name: [value] for name, value in record.items()}})
    app.extensions["model_service"].predictions.close()
    lines = [json.loads(line) for line in (tmp_path / "predictions.jsonl").read_text().splitlines()]
    batch_lines = [line for line in lines if line.get("kind") == "batch"]  # the columnar batch, logged once
    lines = [line for line in lines if line.get("kind") != "batch"]
    assert [line.get("id") for line in lines] == [ids[0], *ids[1:], ids[0], ids[0], ids[0]]
    assert [line["endpoint"] for line in lines] == ["score", "batch", "batch", "batch", "predict", "batch", "batch"]
    features = set(app.extensions["model_service"].bundle.feature_names)
    for line in lines:
        assert set(line) >= {"time", "endpoint", "probability", "score", "decision", "model_version", "features"}
    assert set(lines[0]["features"]) == features and set(lines[4]["features"]) == features
    batch = lines[1:4]  # known clients by id: one line each, features reproducible from the store
    assert [b["id"] for b in batch] == ids[1:] and all(b["endpoint"] == "batch" for b in batch)
    assert all(b["features"] is None and b["features_source"] == "store" for b in batch)
    assert len({line["record_id"] for line in lines}) == len(lines)
    # each batch of raw applications (records, then columns) is logged once, its row pointing at it
    assert len(batch_lines) == 2 and [b["n_rows"] for b in batch_lines] == [1, 1]
    assert all("SK_ID_CURR" not in b["columns"] for b in batch_lines)
    for line, batch in zip(lines[5:], batch_lines, strict=True):
        assert line["features"] is None and line["features_source"] == "batch"
        assert (line["batch_id"], line["batch_row"]) == (batch["batch_id"], 0)
    fill_features(lines, {b["batch_id"]: b["columns"] for b in batch_lines})
    sent = {name: value for name, value in record.items() if value is not None and name != "SK_ID_CURR"}
    assert lines[5]["features"] == lines[6]["features"] == sent and sent["AMT_CREDIT"] == record["AMT_CREDIT"]


def test_decisions_from_eight_threads_are_all_kept(fast_bundle, tmp_path):
    import threading

    app = make_app(fast_bundle, tmp_path)
    cid = client_ids(app.test_client(), 1)[0]
    statuses: list[int] = []
    lock = threading.Lock()

    def advisor(n: int) -> None:
        c = app.test_client()
        for k in range(15):
            response = c.post(f"/clients/{cid}/decision", headers=HEADERS,
                              json={"decision": "approve", "reason": f"dossier {n}-{k}", "advisor": f"advisor {n}"})
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=advisor, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 120
    answer = app.test_client().get(f"/clients/{cid}/decisions?per_page=500", headers=HEADERS).get_json()
    stored = answer["decisions"]
    assert answer["total"] == 120 and sorted(d["sequence"] for d in stored) == list(range(1, 121))
    assert len(stored) == 120 and {d["reason"] for d in stored} == {f"dossier {n}-{k}" for n in range(8)
                                                                     for k in range(15)}
