"""Contract of advisors' decisions and loan outcomes: the one place that defines their rules.

The service validates request bodies with these models and the dashboard checks a reason
with :func:`reason_problem` before sending it, so both apply the same lengths.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 2000
ADVISOR_MAX_LENGTH = 200
OUTCOMES_MAX_BATCH = 10_000
MAX_CLIENT_ID = 999_999_999_999_999_999  # 18 digits, as client ids everywhere in the API
EARLIEST_OUTCOME = date(1990, 1, 1)
LATEST_OUTCOME = date(2099, 12, 31)


class WithJsonSchemaExtra:
    """Adds keywords to a type's JSON schema (what a validator checks, said in the document)."""

    def __init__(self, extra: dict):
        self.extra = extra

    def __get_pydantic_json_schema__(self, core_schema, handler):  # noqa: ANN001
        return {**handler(core_schema), **self.extra}


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


#: What _no_control refuses, for the OpenAPI document (the validator words the problem better than a pattern).
NO_CONTROL_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f]*$"
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=REASON_MIN_LENGTH,
                                          max_length=REASON_MAX_LENGTH), AfterValidator(_no_control),
                   WithJsonSchemaExtra({"pattern": NO_CONTROL_PATTERN})]
Advisor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ADVISOR_MAX_LENGTH),
                    AfterValidator(_no_control), WithJsonSchemaExtra({"pattern": NO_CONTROL_PATTERN})]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"decision": "approve", "reason": "Revenus stables, apport de 20 %", "advisor": "a.martin"}]})
    decision: Literal["approve", "decline"]
    reason: Reason = Field(description=f"why, {REASON_MIN_LENGTH} to {REASON_MAX_LENGTH} characters")
    advisor: Advisor = Field(description="the advisor logged in to the dashboard that sends the decision; "
                                         "the service also records which API key sent it")
    revises: StrictInt | None = Field(None, ge=1, description="id of the client's latest decision when this one "
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


def _date_text(value: object) -> object:
    """A date is sent as YYYY-MM-DD text, never as a number (pydantic would read one as a timestamp)."""
    if not isinstance(value, str):
        raise ValueError("must be a date as text, YYYY-MM-DD")
    return value


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: StrictInt = Field(ge=0, le=MAX_CLIENT_ID)
    defaulted: StrictBool = Field(description="true: the loan defaulted; false: repaid or performing")
    observed_on: Annotated[date, BeforeValidator(_date_text)] = Field(
        ge=EARLIEST_OUTCOME, le=LATEST_OUTCOME, json_schema_extra={"pattern": r"^(199\d|20\d\d)-"},
        description=f"date the outcome was observed (YYYY-MM-DD, {EARLIEST_OUTCOME} to {LATEST_OUTCOME})")


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

