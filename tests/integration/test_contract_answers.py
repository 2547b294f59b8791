"""The service sends exactly the contract (scoring/contract): every answer the dashboard reads validates
against its model, which forbids a key it does not declare (a new field must be added to the contract first)."""

from __future__ import annotations

import pytest

from scoring import contract
from scoring.contract_decisions import DecisionOut, DecisionsOut, OutcomesOut
from scoring.monitoring.contract import MonitoringSummary
from tests.integration.service_support import HEADERS, client_ids

pytestmark = pytest.mark.slow


def _get(client, url, **query):
    response = client.get(url, query_string=query, headers=HEADERS)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _post(client, url, body, status=200):
    response = client.post(url, json=body, headers=HEADERS)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_every_read_answer_is_exactly_its_contract_model(client):
    cid = client_ids(client, n=1)[0]
    answers = {
        "/health": contract.HealthOut, "/model": contract.ModelOut, "/model/fairness": contract.FairnessOut,
        "/model/card": contract.CardOut, "/clients": contract.ClientsOut, f"/clients/{cid}": contract.ClientOut,
        f"/clients/{cid}/score": contract.ScoreOut, f"/clients/{cid}/explanation": contract.ExplanationOut,
        f"/clients/{cid}/similar": contract.SimilarOut, f"/clients/{cid}/counterfactual": contract.CounterfactualOut,
        f"/clients/{cid}/decisions": DecisionsOut, "/monitoring/summary": MonitoringSummary,
    }
    for url, model in answers.items():
        model.model_validate(_get(client, url))
    contract.PopulationOut.model_validate(_get(client, "/population", features="AMT_CREDIT,NAME_CONTRACT_TYPE"))


def test_every_written_answer_is_exactly_its_contract_model(client):
    cid = client_ids(client, n=2)[1]
    application = _get(client, f"/clients/{cid}")["application"]
    contract.PredictOut.model_validate(_post(client, "/predict", {"application": application, "top": 5}))
    contract.SimulateOut.model_validate(_post(client, f"/clients/{cid}/simulate",
                                              {"changes": {"AMT_CREDIT": 100000.0}}))
    saved = DecisionOut.model_validate(_post(client, f"/clients/{cid}/decision", {
        "decision": "approve", "reason": "Revenus stables et dossier complet.", "advisor": "alice"}, status=201))
    history = DecisionsOut.model_validate(_get(client, f"/clients/{cid}/decisions"))
    assert history.decisions[0].id == saved.id and history.decisions[0].model_probability is not None
    contract.BatchOut.model_validate(_post(client, "/predict/batch", {"ids": [cid]}))
    contract.BatchOut.model_validate(_post(client, "/predict/batch", {"records": [application]}))
    contract.PredictOut.model_validate(_post(client, "/predict", {"application": {"AMT_CREDIT": 1e5}, "explain": False}))
    OutcomesOut.model_validate(_post(client, "/outcomes", {"outcomes": [
        {"client_id": cid, "defaulted": False, "observed_on": "2026-11-30"}]}))
