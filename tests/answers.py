"""The real service's answers (tests/data/service_answers.json, see tests/record_answers.py) as the
strict contract models the dashboard receives from ``api_client``.

``answer("model")`` parses one; ``changed(answer, **fields)`` is a copy with some fields replaced, validated
again (a test cannot build an answer the contract does not allow).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from scoring import contract
from scoring.contract_decisions import DecisionOut, DecisionsOut

M = TypeVar("M", bound=BaseModel)
FILE = Path(__file__).resolve().parent / "data" / "service_answers.json"
MODELS: dict[str, type[BaseModel]] = {
    "health": contract.HealthOut, "model": contract.ModelOut, "fairness": contract.FairnessOut,
    "card": contract.CardOut, "clients": contract.ClientsOut, "client": contract.ClientOut,
    "score": contract.ScoreOut, "explanation": contract.ExplanationOut, "similar": contract.SimilarOut,
    "counterfactual": contract.CounterfactualOut, "population": contract.PopulationOut,
    "simulate": contract.SimulateOut, "decision": DecisionOut, "decisions": DecisionsOut,
}


@cache
def _recorded() -> dict:
    return json.loads(FILE.read_text(encoding="utf-8"))


def answer(name: str):
    return MODELS[name].model_validate(_recorded()[name])


def changed(model: M, **fields) -> M:
    """``model`` with ``fields`` replaced (plain values or models), validated by the contract again."""
    plain = {k: v.model_dump() if isinstance(v, BaseModel) else
             [x.model_dump() if isinstance(x, BaseModel) else x for x in v] if isinstance(v, list) else v
             for k, v in fields.items()}
    return type(model).model_validate({**model.model_dump(), **plain})
