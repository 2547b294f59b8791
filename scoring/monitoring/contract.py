"""Typed shapes of production monitoring (pydantic only: the service answers them, the dashboard reads them).

* :class:`DriftSummary` -- the ``drift_summary.json`` that ``python -m reports.drift`` writes
  (reports/drift/cli.py documents every key; only what is read is typed here);
* :class:`Production` -- :func:`scoring.monitoring.production.production_report`;
* :class:`Backtest` -- :func:`scoring.monitoring.backtest.backtest`;
* :class:`Overrides` -- :func:`scoring.monitoring.overrides.override_report`;
* :class:`Challenger` -- :func:`scoring.monitoring.challenger.compare_models`;
* :class:`MonitoringSummary` -- ``GET /monitoring/summary``: all of the above.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PsiStatus = Literal["stable", "watch", "act"]
ModelDecision = Literal["approve", "review", "decline"]


class _Shape(BaseModel):
    """A part of the service's answer: a key the contract does not name is an error, not silently read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _FileShape(BaseModel):
    """A part of ``drift_summary.json``: the file has more keys than the service passes on (ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class DriftColumn(_FileShape):
    rank: int
    column: str
    label: str
    score: float
    method: str | None = None
    drifted: bool


class ScorePsi(_FileShape):
    value: float | None
    status: PsiStatus | None
    reason: str | None = None


class Verdict(_FileShape):
    status: PsiStatus
    reasons: list[str]


class DriftSummary(_FileShape):
    """The offline drift report's summary (schema_version 1)."""

    schema_version: Literal[1]
    generated_at: str
    n_columns: int
    n_drifted: int
    dataset_drift: bool
    columns: list[DriftColumn]
    score_psi: ScorePsi
    verdict: Verdict


class Period(_Shape):
    period: str
    count: int
    mean_score: float
    approve: float
    review: float
    decline: float
    histogram: list[int]
    psi: float | None
    psi_status: PsiStatus | None


class ReferenceScores(_Shape):
    n: int
    histogram: list[int]
    mean_score: float


class FeatureDrift(_Shape):
    feature: str
    label: str
    psi: float
    status: PsiStatus
    n: int


class PsiThresholds(_Shape):
    watch: float = Field(description="PSI from which a shift is watched")
    act: float = Field(description="PSI from which a shift calls for action")


class Production(_Shape):
    """The prediction log's scored rows of the last ``window_days`` days (the service's window)."""

    freq: Literal["day", "week"]
    edges: list[float]
    total: int
    first_time: str | None
    last_time: str | None
    decision_shares: dict[ModelDecision, float]
    psi: float | None
    psi_status: PsiStatus | None
    reference: ReferenceScores | None
    periods: list[Period]
    top_features: list[FeatureDrift]
    window_days: int | None = None
    thresholds: PsiThresholds


class BacktestRow(_Shape):
    key: str
    n: int
    defaults: int
    expected: float | None
    expected_low: float | None
    expected_high: float | None
    observed: float | None
    observed_low: float | None
    observed_high: float | None
    flag: Literal["above", "below"] | None
    auc: float | None
    cost: float | None


class Backtest(_Shape):
    n: int
    overall: BacktestRow | None
    by_band: list[BacktestRow]
    by_vintage: list[BacktestRow]
    flagged: int


class OverrideRow(_Shape):
    key: str
    n: int
    overrides: int
    rate: float | None
    granted: int


class ReasonRow(_Shape):
    key: str
    overrides: int
    share: float


class DefaultRate(_Shape):
    n: int
    defaults: int
    rate: float | None
    low: float | None
    high: float | None


class OverrideOutcomes(_Shape):
    against_model: DefaultRate
    followed_model: DefaultRate
    review_band: DefaultRate


class Overrides(_Shape):
    decisions: int
    overrides: int
    override_rate: float | None
    by_band: list[OverrideRow]
    by_advisor: list[OverrideRow]
    by_reason: list[ReasonRow]
    outcomes: OverrideOutcomes | None


class Flip(_Shape):
    band: ModelDecision
    n: int
    flipped: int
    to: dict[ModelDecision, int]


class ModelOutcome(_Shape):
    auc: float | None
    cost: float | None


class ChallengerOutcomes(_Shape):
    n: int
    champion: ModelOutcome
    challenger: ModelOutcome


class Challenger(_Shape):
    n: int
    agreement: float | None
    mean_abs_score_diff: float | None
    flips: list[Flip]
    outcomes: ChallengerOutcomes | None


class LogHealth(_Shape):
    """The prediction log's counters in this process (records written, records lost)."""

    written: int
    lost: int


class MonitoringSummary(_Shape):
    """``GET /monitoring/summary``: everything the Monitoring page shows."""

    model_version: str
    threshold: float
    all_to_advisor: bool
    drift: DriftSummary | None
    report_available: bool
    production: Production
    backtest: Backtest | None
    overrides: Overrides | None
    challenger: Challenger | None
    log: LogHealth
