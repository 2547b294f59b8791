"""The service agrees with itself and with the model: POST /predict on a known client's raw
fields gives its stored score; counterfactuals really flip the decision within bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.levers import BOUNDS, LEVER_FIELDS
from scoring.protected import never_changed
from tests.integration.service_support import HEADERS, client_ids, raw_application, raw_history

pytestmark = pytest.mark.slow

ACTIONABLE = {*LEVER_FIELDS, "APP_CREDIT_TERM", "DOWN_PAYMENT"}


def predict(client, application, history=None, **extra):
    payload = {"application": application, **extra}
    if history:
        payload["history"] = history
    response = client.post("/predict", headers=HEADERS, json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_predict_on_raw_fields_gives_the_stored_clients_probability(client, fast_bundle, real_data_dir):
    ids = client_ids(client, 12)
    with_history = 0
    for cid in ids:
        history = raw_history(real_data_dir, cid)
        with_history += bool(history)
        body = predict(client, raw_application(fast_bundle, cid), history)
        score = client.get(f"/clients/{cid}/score", headers=HEADERS).get_json()
        assert body["probability"] == pytest.approx(score["probability"], abs=1e-6), cid
        assert body["decision"] == score["decision"] and body["id"] == cid
        assert body["model_version"] == score["model_version"] and body["threshold"] == score["threshold"]
    assert with_history > 0  # the history path (DuckDB aggregates of posted rows) was exercised


def test_predict_explanation_reproduces_the_raw_score(client, fast_bundle, service_app):
    s = service_app.extensions["model_service"]
    cid = client_ids(client, 1)[0]
    application = raw_application(fast_bundle, cid)
    partial = {k: application[k] for k in ("AMT_CREDIT", "AMT_ANNUITY", "AMT_INCOME_TOTAL", "DAYS_BIRTH",
                                           "CODE_GENDER", "EXT_SOURCE_2") if k in application}
    body = predict(client, partial, top=3)
    explanation = body["explanation"]
    assert len(explanation["contributions"]) == 3
    total = explanation["base_value"] + sum(c["contribution"] for c in explanation["contributions"]) \
        + explanation["other_contribution"]
    assert total == pytest.approx(explanation["raw_score"], abs=1e-6)
    assert s.bundle.calibrator.apply(1 / (1 + math.exp(-total))) == \
        pytest.approx(body["probability"], abs=1e-6)


def _declined_or_review(client):
    ids = client_ids(client, 60, sort="-score")
    ids += client_ids(client, 60, decision="review")
    return ids


def test_counterfactual_flips_the_decision_within_bounds(client, fast_bundle, real_data_dir, service_app):
    found = 0
    for cid in _declined_or_review(client):
        response = client.get(f"/clients/{cid}/counterfactual", headers=HEADERS)
        assert response.status_code == 200
        body = response.get_json()
        assert body["current"]["decision"] in ("review", "decline")
        if not body["found"]:
            continue
        found += 1
        application = raw_application(fast_bundle, cid)
        changed = dict(application)
        for change in body["changes"]:
            field = change["field"]
            assert field in ACTIONABLE and field not in never_changed()
            if change.get("derived"):
                continue
            old, new = float(application[field]), float(change["new"])
            assert change["old"] == pytest.approx(application[field])
            if field == "AMT_CREDIT":
                assert BOUNDS.amount_min_factor * old - 1 <= new < old
            elif field == "AMT_INCOME_TOTAL":
                assert old < new <= BOUNDS.income_max_factor * old + 1
                assert change["to_verify"] is True
            changed[field] = change["new"]
        if "AMT_CREDIT" in changed and "AMT_ANNUITY" in changed:
            term_old = application["AMT_CREDIT"] / application["AMT_ANNUITY"]
            term_new = changed["AMT_CREDIT"] / changed["AMT_ANNUITY"]
            assert term_new <= max(term_old, BOUNDS.max_term_months) * (1 + 1e-3)
        rescored = predict(client, changed, raw_history(real_data_dir, cid))
        assert rescored["decision"] == "approve", (cid, body["changes"])
        assert rescored["probability"] == pytest.approx(body["new_score"]["probability"], abs=1e-6)
        if found >= 5:
            break
    assert found > 0, "no declined or review client could be turned into an approval"


def test_counterfactual_says_when_none_exists(client, fast_bundle):
    hopeless = {"AMT_CREDIT": 2_000_000.0, "AMT_ANNUITY": 150_000.0, "AMT_GOODS_PRICE": 2_000_000.0,
                "AMT_INCOME_TOTAL": 30_000.0, "EXT_SOURCE_1": 0.01, "EXT_SOURCE_2": 0.01, "EXT_SOURCE_3": 0.01,
                "DAYS_BIRTH": -7000, "DAYS_EMPLOYED": -30, "CODE_GENDER": "M", "NAME_CONTRACT_TYPE": "Cash loans"}
    for cid in client_ids(client, 30, sort="-score"):
        body = client.get(f"/clients/{cid}/counterfactual", headers=HEADERS).get_json()
        if not body["found"]:
            break
    else:
        body = predict(client, hopeless, counterfactual=True)["counterfactual"]
    assert body["found"] is False and body["changes"] == [] and body["new_score"] is None
    assert "Aucune modification" in body["message"] and body["message_en"]
    assert body["closest"]["score"]["decision"] != "approve"


def test_counterfactual_of_an_approved_client_changes_nothing(client):
    cid = client_ids(client, 1, decision="approve")[0]
    body = client.get(f"/clients/{cid}/counterfactual", headers=HEADERS).get_json()
    assert body["found"] is True and body["changes"] == [] and body["new_score"] == body["current"]


def test_counterfactual_grid_reproduces_the_current_score(service_app, client):
    s = service_app.extensions["model_service"]
    for cid in client_ids(client, 5, sort="-score"):
        row = s.inputs.row(s.clients.index_of(cid))
        x = s.counterfactuals.rebuilder.frame(row, [s.inputs.raw_application(row)])
        scores = s.scorer.score_frame(x)
        assert scores.probability[0] == pytest.approx(s.scorer.score_row(row).probability, abs=1e-9)


def test_precomputed_scores_of_known_clients_are_the_models(service_app, client):
    """Known clients are served from store/probability.npy: it must equal the model on every store row."""
    s = service_app.extensions["model_service"]
    assert s.scorer.uses_precomputed, "the fast bundle's precomputed probabilities were rejected"
    rows = np.arange(len(s.clients.ids))
    from_model = s.scorer.score_frame(s.inputs.frame(rows))
    served = s.scorer.score_indices(rows)
    assert np.max(np.abs(from_model.probability - served.probability)) <= 1e-12
    assert (from_model.decision == served.decision).all()
    for cid in client_ids(client, 5, sort="-score") + client_ids(client, 5, decision="review"):
        i = s.clients.index_of(cid)
        one = client.get(f"/clients/{cid}/score", headers=HEADERS).get_json()
        assert one["probability"] == pytest.approx(s.scorer.score_row(s.inputs.row(i)).probability, abs=1e-12)


def test_stale_precomputed_scores_are_ignored(fast_bundle):
    """A store whose probabilities disagree with the model is not trusted: the model scores instead."""
    from model_service.inputs import StoreInputs
    from model_service.scorer import Scorer
    from scoring.bundle import load_bundle

    bundle = load_bundle(fast_bundle)
    inputs = StoreInputs(bundle)
    honest = Scorer(bundle, inputs, cache_size=0)
    assert honest.uses_precomputed
    stale = np.array(bundle.store.probability, dtype=np.float64)
    stale[0] = 1.0 - stale[0]  # one sampled row (the first) no longer matches the model
    bundle.store.probability = stale
    scorer = Scorer(bundle, inputs, cache_size=0)
    assert not scorer.uses_precomputed
    assert scorer.score_index(0).probability == pytest.approx(honest.score_row(inputs.row(0)).probability, abs=1e-12)


def test_single_row_fast_path_equals_the_model_input_frame(service_app, client, fast_bundle, real_data_dir):
    """The columnar POST /predict path (model_inputs -> model_rows) gives exactly the row the pandas
    wrappers (features_from_records -> model_input) build, for full records with history, partial
    records and an empty one, and equals the stored row."""
    import pandas as pd

    from model_service.inputs import rows_as_lists
    from model_service.routes.predict import PLACEHOLDER_ID, history_frames, model_inputs
    from scoring.features import features_from_records, model_input, model_rows

    s = service_app.extensions["model_service"]
    cases = []
    for cid in client_ids(client, 8):
        application = raw_application(fast_bundle, cid)
        cases.append((cid, application, raw_history(real_data_dir, cid)))
        cases.append((None, {k: application[k] for k in list(application)[::3]}, None))
    cases.append((None, {}, None))
    for cid, application, history in cases:
        body = s.models.predict.model_validate({"application": application, **({"history": history} if history else {})})
        fields = body.application.model_dump(exclude_none=True)
        fields.pop("SK_ID_CURR", None)
        history = history_frames(body.history)
        frame = features_from_records(pd.DataFrame([{**fields, "SK_ID_CURR": PLACEHOLDER_ID}]), history)
        expected = rows_as_lists(model_input(frame, s.inputs.features, s.inputs.categorical))[0]
        with service_app.app_context():
            got = model_rows(model_inputs(s, [fields], history), s.inputs.features)[0]
        assert len(got) == len(expected)
        for name, a, b in zip(s.inputs.features, got, expected, strict=True):
            assert (a == b) or (a != a and b != b), (cid, name, a, b)  # NaN == NaN here
            assert type(a) is type(b), (cid, name, a, b)
        if cid is not None:
            stored = s.inputs.row(s.clients.index_of(cid))
            assert [x if x == x else None for x in got] == [x if x == x else None for x in stored], cid
