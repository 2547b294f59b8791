"""Contract of advisors' decisions and loan outcomes: the one place that defines their rules.

The service validates request bodies with these models and the dashboard checks a reason
with :func:`reason_problem` before sending it, so both apply the same lengths.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 2000
ADVISOR_MAX_LENGTH = 200
OUTCOMES_MAX_BATCH = 10_000
MAX_CLIENT_ID = 999_999_999_999_999_999  # 18 digits, as client ids everywhere in the API
EARLIEST_OUTCOME = date(1990, 1, 1)
LATEST_OUTCOME = date(2099, 12, 31)


def _no_control(value: str) -> str:
    """A NUL byte (PostgreSQL refuses it in text) or another control character is not text."""
    bad = sorted({f"U+{ord(c):04X}" for c in value if ord(c) < 32 and c not in "\n\r\t"})
    if bad:
        raise ValueError(f"contains control characters ({', '.join(bad)})")
    return value


def reason_problem(reason: str | None) -> str | None:
    """Why a reason is refused (``"too_short"``, ``"too_long"``, ``"control"``), or None when it is fine."""
    text = (reason or "").strip()
    if len(text) < REASON_MIN_LENGTH:
        return "too_short"
    if len(text) > REASON_MAX_LENGTH:
        return "too_long"
    try:
        _no_control(text)
    except ValueError:
        return "control"
    return None


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=REASON_MIN_LENGTH,
                                          max_length=REASON_MAX_LENGTH), AfterValidator(_no_control)]
Advisor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ADVISOR_MAX_LENGTH),
                    AfterValidator(_no_control)]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"decision": "approve", "reason": "Revenus stables, apport de 20 %", "advisor": "a.martin"}]})
    decision: Literal["approve", "decline"]
    reason: Reason = Field(description=f"why, {REASON_MIN_LENGTH} to {REASON_MAX_LENGTH} characters")
    advisor: Advisor = Field(description="the advisor logged in to the dashboard that sends the decision; "
                                         "the service also records which API key sent it")
    revises: int | None = Field(None, ge=1, description="id of the client's latest decision when this one "
                                                        "contradicts it (a revision); otherwise omitted")


class DecisionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    client_id: int
    sequence: int = Field(description="1, 2, 3... in the client's history")
    decision: Literal["approve", "decline"]
    reason: str
    advisor: str
    api_key_id: str | None = Field(description="fingerprint of the API key that sent the decision")
    created_at: str
    revision_of: int | None = Field(description="the decision this one contradicts and replaces")
    model_score: float | None
    model_probability: float | None
    model_decision: Literal["approve", "review", "decline"] | None
    model_version: str | None


class DecisionsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    page: int = Field(1, ge=1, le=100_000, description="1-based page number (bounded so the offset stays a valid database integer)")
    per_page: int = Field(50, ge=1, le=500)


class DecisionsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model_version: str
    threshold: float
    all_to_advisor: bool
    client_id: int
    decisions: list[DecisionOut]
    total: int = Field(description="number of decisions recorded for the client")
    page: int
    per_page: int


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: int = Field(ge=0, le=MAX_CLIENT_ID)
    defaulted: bool = Field(description="true: the loan defaulted; false: repaid or performing")
    observed_on: date = Field(ge=EARLIEST_OUTCOME, le=LATEST_OUTCOME,
                              description="date the outcome was observed (YYYY-MM-DD)")


class OutcomesIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"outcomes": [{"client_id": 100002, "defaulted": True, "observed_on": "2026-11-30"}]}]})
    outcomes: list[OutcomeIn] = Field(min_length=1, max_length=OUTCOMES_MAX_BATCH)


class OutcomesOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    received: int
    inserted: int
    updated: int = Field(description="outcomes of the same client and date whose value changed")
    unchanged: int

