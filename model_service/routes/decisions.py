"""Advisors' decisions about a client (stored in the decision database)."""

from __future__ import annotations

from flask import Blueprint

from ..api import operation
from ..decisions import DatabaseUnavailable
from ..errors import Unavailable
from ..schemas import DecisionIn, DecisionOut, DecisionsOut
from ..services import services
from . import client_position

bp = Blueprint("decisions", __name__)


@operation(bp, "/clients/<int:client_id>/decision", method="POST", summary="Record an advisor's decision",
           tags="decisions", body=DecisionIn, response=DecisionOut, status=201,
           errors=(400, 404, 413, 415, 422, 503))
def record(client_id: int, body: DecisionIn):
    s = services()
    i = client_position(client_id)
    model = s.scorer.score_index(i).as_dict()
    try:
        saved = s.decisions.add(client_id, body.decision, body.reason, body.advisor, model, s.version)
    except DatabaseUnavailable as exc:
        raise Unavailable(str(exc)) from None
    return saved, 201


@operation(bp, "/clients/<int:client_id>/decisions", summary="Decisions recorded for a client, newest first",
           tags="decisions", response=DecisionsOut, errors=(404, 503))
def history(client_id: int):
    s = services()
    client_position(client_id)
    try:
        rows = s.decisions.for_client(client_id)
    except DatabaseUnavailable as exc:
        raise Unavailable(str(exc)) from None
    return s.stamp({"client_id": client_id, "decisions": rows})
