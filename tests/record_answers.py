"""Record the real service's answers that the dashboard tests render (tests/data/service_answers.json).

    TEST_BUNDLE=/path/to/bundle python -m tests.record_answers

The in-process service on a bundle trained on the real sample answers every call the dashboard makes;
long lists are cut to what a test needs (the file stays small). :mod:`tests.answers` parses each answer
with its strict contract model, so a contract change that the recording lacks fails loudly.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "data" / "service_answers.json"
KEEP = 40  # features, importance rows, ROC points kept


def _thin(values: list, n: int = KEEP) -> list:
    step = max(1, len(values) // n)
    return values[::step][:n] + ([values[-1]] if len(values) > n else [])


def record(bundle: Path) -> dict:
    from tests.integration.service_support import HEADERS, make_app

    app = make_app(bundle, Path(tempfile.mkdtemp()))
    client = app.test_client()

    def get(path, **query):
        response = client.get(path, query_string=query, headers=HEADERS)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        return response.get_json()

    def post(path, body, status=200):
        response = client.post(path, json=body, headers=HEADERS)
        assert response.status_code == status, (path, response.get_data(as_text=True))
        return response.get_json()

    listed = get("/clients", per_page=20, sort="-score")
    cid = listed["items"][0]["id"]  # the riskiest client: declined by the model, a counterfactual to find
    listed["items"] = listed["items"][:3]
    model = get("/model")
    kept = {r["feature"] for r in model["importance"][:KEEP]}
    model["importance"] = model["importance"][:KEEP]
    model["features"] = [f for f in model["features"] if f["name"] in kept]
    model["roc"] = {k: _thin(v) for k, v in model["roc"].items()}
    model["cost_curve"] = {k: _thin(v) if isinstance(v, list) else v for k, v in model["cost_curve"].items()}
    client_answer = get(f"/clients/{cid}")
    explanation = get(f"/clients/{cid}/explanation", top=12)
    answers = {
        "health": get("/health"), "model": model, "fairness": get("/model/fairness"),
        "card": get("/model/card", lang="fr"), "clients": listed, "client": client_answer,
        "score": get(f"/clients/{cid}/score"), "explanation": explanation,
        "similar": get(f"/clients/{cid}/similar", k=10), "counterfactual": get(f"/clients/{cid}/counterfactual"),
        "population": get("/population", features="DAYS_BIRTH,NAME_CONTRACT_TYPE,AMT_CREDIT", bins=10),
        "simulate": post(f"/clients/{cid}/simulate", {"changes": {"AMT_CREDIT": 100000.0}}),
        "decision": post(f"/clients/{cid}/decision", {"decision": "approve", "advisor": "a.martin",
                                                      "reason": "Revenus stables et apport personnel."}, 201),
    }
    answers["decisions"] = get(f"/clients/{cid}/decisions")
    answers["card"]["markdown"] = answers["card"]["markdown"][:2000]
    app.extensions["model_service"].predictions.close()
    return answers


if __name__ == "__main__":
    answers = record(Path(os.environ["TEST_BUNDLE"]))
    OUT.write_text(json.dumps(answers, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT}: {OUT.stat().st_size} bytes")
