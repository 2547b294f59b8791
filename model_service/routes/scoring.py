"""Scoring known clients by id: score, explanation, similar clients, counterfactual.

These routes (with the ones of ``predict.py``) are rate limited.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from ..api import Routes, operation
from ..errors import NotFound
from ..prediction_log import Entry, now
from ..schemas import CounterfactualOut, ExplanationOut, ScoreOut, SimilarOut, SimilarQuery, SimulateOut, TopQuery
from ..scorer import Score
from ..services import Services, services
from . import client_position

bp = Routes("scoring")


def log_score(s: Services, endpoint: str, client_id: int | None, score: Score,
              row: list | Callable[[], list]) -> None:
    s.predictions.put(Entry(time=now(), endpoint=endpoint, client_id=client_id, probability=score.probability,
                            score=score.score, decision=score.decision, names=s.inputs.features, values=row))


@operation(bp, "/clients/<int:client_id>/score", summary="Probability, score, decision and band of a client",
           tags="scoring", response=ScoreOut, errors=(404, 429))
def score(client_id: int):
    s = services()
    i = client_position(client_id)
    result = s.scorer.score_index(i)
    if s.predictions.enabled:
        log_score(s, "score", client_id, result, partial(s.inputs.row, i))
    return s.stamp({"id": client_id, "probability": result.probability, "score": result.score,
                    "decision": result.decision, "band": result.band})


@operation(bp, "/clients/<int:client_id>/explanation", summary="Top SHAP contributions, in plain language",
           tags="scoring", query=TopQuery, response=ExplanationOut, errors=(404, 422, 429))
def explanation(client_id: int, query: TopQuery):
    s = services()
    i = client_position(client_id)
    score = s.scorer.score_index(i).score
    return s.stamp({"id": client_id, **s.explainer.explain_index(i, query.top, score)})


@operation(bp, "/clients/<int:client_id>/similar", summary="Most similar known clients and their outcomes",
           tags="scoring", query=SimilarQuery, response=SimilarOut, errors=(404, 422, 429))
def similar(client_id: int, query: SimilarQuery):
    s = services()
    i = client_position(client_id)
    if s.neighbours is None:
        raise NotFound("this model bundle has no neighbour index (extra 'neighbours')")
    result = s.neighbours.similar(client_id, s.inputs.row(i), query.k)
    return s.stamp({"id": client_id, "k": query.k, **result, "features": s.neighbours.feature_list()})


@operation(bp, "/clients/<int:client_id>/counterfactual",
           summary="Smallest change within the lender's bounds (amount, duration, goods price, declared income) "
                   "that leads to approval, on the client's whole file", tags="scoring",
           response=CounterfactualOut, errors=(404, 429))
def counterfactual(client_id: int):
    s = services()
    i = client_position(client_id)
    row = s.inputs.row(i)
    current = s.scorer.score_index(i).as_dict()
    result = s.counterfactuals.search(s.inputs.raw_application(row), row, current)
    return s.stamp({"id": client_id, **result})


@operation(bp, "/clients/<int:client_id>/simulate", method="POST",
           summary="What-if on the client's whole file: only the changed application fields, rescored "
                   "(a simulation, never a decision)", tags="scoring",
           body=lambda: services().models.simulate, response=SimulateOut, errors=(400, 404, 413, 415, 422, 429))
def simulate(client_id: int, body: Any):
    s = services()
    i = client_position(client_id)
    changes = body.changes.model_dump(exclude_unset=True)
    return s.stamp({"id": client_id, **s.simulator.simulate(i, changes)})
