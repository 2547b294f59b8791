"""Advisors' decisions about a client, and loan outcomes (stored in the service database)."""

from __future__ import annotations

from flask import request

from .. import outcomes as outcome_store
from ..api import Routes, operation
from ..decisions import Conflict, DatabaseUnavailable, key_identity
from ..errors import ApiError, Unavailable
from ..schemas import DecisionIn, DecisionOut, DecisionsOut, DecisionsQuery, OutcomesIn, OutcomesOut
from ..security import API_KEY_HEADER
from ..services import services
from . import client_position

bp = Routes("decisions")


def _key_id() -> str:
    s = services()
    return key_identity(request.headers.get(API_KEY_HEADER) if s.settings.auth_enabled else None)


@operation(bp, "/clients/<int:client_id>/decision", method="POST", summary="Record an advisor's decision",
           description="`advisor` is the advisor logged in to the dashboard; the service records with it "
                       "which API key sent the decision. A decision that contradicts the client's latest one "
                       "is a revision: send the latest decision's id in `revises` (409 otherwise).",
           tags="decisions", body=DecisionIn, response=DecisionOut, status=201,
           errors=(400, 404, 409, 413, 415, 422, 503))
def record(client_id: int, body: DecisionIn):
    s = services()
    i = client_position(client_id)
    model = s.scorer.score_index(i).as_dict()
    try:
        saved = s.decisions.add(client_id, body.decision, body.reason, body.advisor, model, s.version,
                                api_key_id=_key_id(), revises=body.revises)
    except Conflict as exc:
        raise ApiError(409, "conflict", {
            "problem": "this decision contradicts the client's latest decision, or names in 'revises' a decision "
                       "that is no longer the latest: to revise, send the latest decision's id in 'revises'",
            "latest": exc.latest}) from None
    except DatabaseUnavailable as exc:
        raise Unavailable(str(exc)) from None
    return saved, 201


@operation(bp, "/clients/<int:client_id>/decisions", summary="Decisions recorded for a client, newest first",
           tags="decisions", query=DecisionsQuery, response=DecisionsOut, errors=(404, 422, 503))
def history(client_id: int, query: DecisionsQuery):
    s = services()
    client_position(client_id)
    try:
        rows, total = s.decisions.for_client(client_id, page=query.page, per_page=query.per_page)
    except DatabaseUnavailable as exc:
        raise Unavailable(str(exc)) from None
    return s.stamp({"client_id": client_id, "decisions": rows, "total": total, "page": query.page,
                    "per_page": query.per_page})


@operation(bp, "/outcomes", method="POST", summary="Record observed loan outcomes (batch)",
           description="Per client, whether the loan defaulted and the date it was observed. Sending the same "
                       "client and date again updates the value; identical rows are counted unchanged.",
           tags="decisions", body=OutcomesIn, response=OutcomesOut, errors=(400, 413, 415, 422, 503))
def record_outcomes(body: OutcomesIn):
    s = services()
    rows = [(o.client_id, o.defaulted, o.observed_on) for o in body.outcomes]
    try:
        counts = outcome_store.record(s.decisions.db, rows, source=f"api:{_key_id()}")
    except DatabaseUnavailable as exc:
        raise Unavailable(str(exc)) from None
    return counts
