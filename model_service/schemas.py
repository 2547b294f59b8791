"""Pydantic models of query strings and request bodies (the OpenAPI document is generated
from them). The answers' models are the shared contract in :mod:`scoring.contract`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from scoring.contract import *  # noqa: F403  (the answers' models, re-exported for the routes)
from scoring.contract import Decision
from scoring.contract_decisions import (  # noqa: F401 - re-exported: the routes' bodies and answers
    DecisionIn,
    DecisionOut,
    DecisionsOut,
    DecisionsQuery,
    OutcomesIn,
    OutcomesOut,
)

SORTS = ("id", "age", "income", "credit", "annuity", "score", "probability", "contract_type", "decision")
SortKey = Literal[tuple(f"{sign}{key}" for key in SORTS for sign in ("", "-"))]  # type: ignore[valid-type]


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- service and model ---------------------------------------------------------------------------
class CardQuery(Query):
    lang: Literal["fr", "en"] = "fr"


# --- clients -------------------------------------------------------------------------------------
class ClientsQuery(Query):
    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(20, ge=1, le=200)
    q: Annotated[str, StringConstraints(pattern=r"^\d{1,18}$")] | None = Field(None, description="id prefix")
    age_min: float | None = Field(None, ge=0, le=130)
    age_max: float | None = Field(None, ge=0, le=130)
    income_min: float | None = Field(None, ge=0)
    income_max: float | None = Field(None, ge=0)
    contract_type: str | None = Field(None, max_length=100)
    gender: str | None = Field(None, max_length=20)
    decision: Decision | None = None
    score_min: float | None = Field(None, ge=0, le=100)
    score_max: float | None = Field(None, ge=0, le=100)
    advisor_decision: Literal["approve", "decline", "none"] | None = Field(
        None, description="the advisor's latest recorded decision; 'none': no decision recorded yet")
    sort: SortKey = Field("id", description="field, '-' prefix for descending")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _ranges(self) -> ClientsQuery:
        for low, high in (("age_min", "age_max"), ("income_min", "income_max"), ("score_min", "score_max")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise ValueError(f"{low} ({a:g}) is greater than {high} ({b:g})")
        return self


class TopQuery(Query):
    top: int = Field(5, ge=1, le=50)


class SimilarQuery(Query):
    k: int = Field(10, ge=1, le=100)


class PopulationQuery(Query):
    features: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        None, description="comma-separated feature names")
    bins: int | None = Field(None, ge=2, le=200)


# --- advisor decisions ---------------------------------------------------------------------------
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class OversightIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"all_to_advisor": True, "reason": "Revue du modèle en cours : toute demande passe par un conseiller"}]})
    all_to_advisor: bool
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
