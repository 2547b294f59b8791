"""The service's answers as pydantic models: the one contract the service returns,
its OpenAPI document describes and the dashboard parses (``dash_app/api_client.py``).

Pydantic only (no Flask, no CatBoost, nothing that scores), so the dashboard may import it.
Advisors' decisions and outcomes have their own module, :mod:`scoring.contract_decisions`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scoring.contract.metadata import Costs

Decision = Literal["approve", "review", "decline"]
Band = Literal["green", "orange", "red"]


class Out(BaseModel):
    """An answer (or part of one): a key the contract does not name is a validation error, so the service
    cannot send, nor the dashboard read, a field this module does not declare."""

    model_config = ConfigDict(extra="forbid")


class Overseen(Out):
    all_to_advisor: bool = Field(description="true: the service is in 'every application goes to an advisor' "
                                             "mode, whatever the score says")


class Versioned(Overseen):
    """What the service stamps on every answer about the model in use."""

    model_version: str
    threshold: float


class ErrorOut(BaseModel):
    error: str
    detail: Any


class ScoreFields(Out):
    probability: float = Field(description="calibrated probability of default")
    score: float = Field(description="0-100, the threshold maps to 50")
    decision: Decision
    band: Band


class Oversight(Out):
    """Human oversight mode (EU AI Act art. 14): when on, every application goes to an advisor."""

    all_to_advisor: bool
    source: Literal["configuration", "admin", "off"] = Field(
        description="configuration: forced by OVERSIGHT_ALL_TO_ADVISOR; admin: switched by POST /admin/oversight")
    since: str | None = Field(None, description="ISO time the admin switch was last changed")
    reason: str | None = None
    message: str = Field(description="what the screens say (French)")
    message_en: str


# --- service and model ---------------------------------------------------------------------------
class DatabaseHealth(Out):
    status: Literal["ok", "unavailable"]
    backend: str = Field(description="sqlite or postgresql")
    detail: str | None = None


class PredictionLogHealth(Out):
    enabled: bool
    target: Literal["database", "file", "off"]
    written: int = Field(description="records written by this worker since it started")
    spilled: int = Field(description="records put in the local spill file when the writer fell behind")
    pending: int = Field(description="records queued or spilled, not yet written")
    lost: int = Field(description="records that could not be kept (must stay 0)")


class HealthOut(Versioned):
    status: Literal["ok", "degraded"] = Field(description="degraded: the database or the prediction log fails")
    clients: int
    synthetic: bool
    database: DatabaseHealth
    prediction_log: PredictionLogHealth
    oversight: Oversight


class ImportanceItem(Out):
    feature: str
    label: str
    label_en: str
    importance: float


class FeatureItem(Out):
    name: str
    type: Literal["numeric", "categorical"]
    label: str
    label_en: str
    unit: str = Field(description="how the value reads: money, days, years, share, score, count, flag, category...")
    group: str = Field(description="theme of the feature (French), for grouping in pickers")
    levels: list[str] | None = Field(None, description="categories seen in training (categorical features)")


class BandItem(Out):
    decision: Decision
    band: Band
    low: float = Field(description="lowest score of the band (45 and 55 belong to review)")
    high: float = Field(description="highest score of the band")


class Roc(Out):
    fpr: list[float]
    tpr: list[float]
    thresholds: list[float]


class CostCurve(Out):
    """Mean business cost per client at each probability threshold, under the bundle's costs."""

    thresholds: list[float]
    cost: list[float]
    accept_all: float = Field(description="mean cost when every application is accepted")
    best_cost: float = Field(description="mean cost at the threshold in use")


class Reliability(Out):
    predicted: list[float]
    observed: list[float]
    count: list[int]


class Calibration(Reliability):
    """How raw scores became probabilities, and how well they match observed default rates (out-of-fold)."""

    method: str
    selection: str
    comparison: list[dict[str, Any]] = Field(description="the candidate calibrators' cross-fitted scores")
    bounds: list[float]
    brier_raw: float
    brier: float
    brier_in_sample: float
    log_loss_raw: float
    log_loss: float
    auc_raw: float
    auc: float
    distinct_raw: int
    distinct: int
    raw_reliability: Reliability
    note: str


class Metrics(Out):
    """Out-of-fold metrics at the threshold in use, as training measured them."""

    n: int = Field(description="labelled clients evaluated")
    default_rate: float
    auc: float
    accuracy: float
    precision: float
    recall: float
    f1: float
    business_cost: float = Field(description="mean cost per client at the threshold in use")
    accept_all_cost: float
    refusal_rate: float
    threshold: float
    confusion_matrix: list[list[int]]
    tn: int
    fp: int
    fn: int
    tp: int
    cv_auc: float
    cv_auc_std: float
    auc_pooled_raw: float
    brier_raw: float
    brier: float
    source: str
    honest_auc: float | None = Field(None, description="nested estimate: threshold chosen without the clients scored")
    honest_auc_std: float | None = None
    honest_business_cost: float | None = None
    honest_business_cost_std: float | None = None


class ModelOut(Versioned):
    bands: list[BandItem] = Field(description="the decision rule: score ranges of approve, review, decline")
    costs: Costs = Field(description="business cost of a missed default (fn) and of a refused good client (fp)")
    metrics: Metrics
    cost_curve: CostCurve
    importance: list[ImportanceItem]
    features: list[FeatureItem]
    roc: Roc
    calibration: Calibration
    synthetic: bool
    created: str = Field(description="ISO time the model was trained")
    data_fingerprint: str | None = None
    calibrator: str = Field(description="how raw scores are calibrated into probabilities")
    trees: int = Field(description="trees in the CatBoost model")
    clients: int = Field(description="known clients the service can show")
    oversight: Oversight


class CardOut(Versioned):
    lang: Literal["fr", "en"]
    markdown: str


class GroupRates(Out):
    group: str
    count: int
    defaults: int
    default_rate: float | None
    mean_probability: float | None
    mean_score: float | None
    approval_rate: float | None
    tpr: float | None = Field(description="share of the group's defaults the model refuses")
    fpr: float | None = Field(description="share of the group's good payers the model refuses")
    auc: float | None


class Gap(Out):
    value: float | None
    ci_low: float | None
    ci_high: float | None


class AttributeFairness(Out):
    groups: list[GroupRates]
    groups_compared: list[str]
    bootstrap: int
    demographic_parity_difference: Gap
    equal_opportunity_difference: Gap
    tpr_difference: Gap


class FairnessOut(Versioned):
    min_group_size: int
    bootstrap: int = Field(description="bootstrap resamples behind each confidence interval")
    positive: str = Field(description="what the positive class means")
    attributes: dict[str, AttributeFairness] = Field(
        description="per protected attribute: its groups' rates and the gaps between them with a confidence interval")
    gender_variant: dict[str, Any] = Field(description="whether a variant trained with the sex column was compared")


# --- clients -------------------------------------------------------------------------------------
class LatestDecision(Out):
    """Who decided what, and when (the latest of the client's recorded decisions)."""

    decision: Literal["approve", "decline"]
    advisor: str
    created_at: str


class ClientSummary(Out):
    id: int
    age: float | None
    income: float | None
    credit: float | None
    annuity: float | None
    contract_type: str | None
    gender: str | None
    score: float
    probability: float
    decision: Decision
    band: Band
    advisor_decision: LatestDecision | None = Field(None, description="the advisor's latest recorded decision")


class ClientsOut(Versioned):
    items: list[ClientSummary]
    total: int
    page: int
    per_page: int


class ClientOut(Versioned):
    id: int
    info: dict[str, Any]
    display: dict[str, str]
    known_outcome: Literal[0, 1] | None
    application: dict[str, Any] = Field(description="raw application fields (what POST /predict takes)")


class ScoreOut(ScoreFields, Versioned):
    id: int


class Factor(Out):
    """One feature's part in this client's score, in words (French and English)."""

    feature: str
    label: str
    label_en: str
    value: float | str | None
    display_value: str
    display_value_en: str
    direction: Literal["raises", "lowers"]
    sentence: str
    sentence_en: str


class Contribution(Factor):
    unit: str
    contribution: float = Field(description="SHAP value in log-odds")


class Reason(Factor):
    """One principal reason, in points of the 0-100 score."""

    points: float = Field(description="score points this factor adds (+) or removes (-) for this client")


class Points(Out):
    """The score as base + reasons + the rest: ``base + sum(reasons.points) + other_points == score``."""

    unit: Literal["score points"]
    base: float = Field(description="score of the model's average applicant")
    score: float = Field(description="this client's score (the same as everywhere else)")
    reasons: list[Reason] = Field(max_length=4, description="at most 4 principal reasons, largest effect first")
    other_points: float = Field(description="every other factor together")
    other_count: int


class Explanation(Out):
    base_value: float
    raw_score: float = Field(description="log-odds of the uncalibrated model = base_value + all contributions")
    contributions: list[Contribution]
    other_contribution: float
    other_count: int = Field(description="features not listed in contributions")
    points: Points


class ExplanationOut(Explanation, Versioned):
    id: int


class Neighbour(Out):
    id: int
    distance: float
    outcome: Literal[0, 1] | None
    score: float | None
    probability: float | None
    decision: Decision | None
    band: Band | None
    age: float | None
    income: float | None
    credit: float | None
    contract_type: str | None
    features: dict[str, float | str | None] = Field(description="the neighbour's values of the compared features")


class ComparedFeature(Out):
    name: str
    label: str
    label_en: str


class SimilarOut(Versioned):
    id: int
    k: int
    neighbours: list[Neighbour]
    known_outcomes: int = Field(description="neighbours whose outcome is known")
    default_rate: float | None
    features: list[ComparedFeature]


class Change(Out):
    field: str
    label: str
    label_en: str
    old: Any
    new: Any
    display_old: str
    display_new: str
    display_old_en: str
    display_new_en: str
    derived: bool = Field(False, description="a feature computed from the raw fields (e.g. the duration)")
    to_verify: bool = Field(False, description="a declaration the advisor must verify (income)")
    note: str | None = Field(None, description="why the change needs verifying (with to_verify)")
    note_en: str | None = None


class Closest(Out):
    changes: list[Change]
    score: ScoreFields


class Counterfactual(Out):
    current: ScoreFields
    found: bool
    changes: list[Change]
    new_score: ScoreFields | None
    closest: Closest | None = None
    candidates: int
    levers: list[str] = Field(description="raw fields the search may change")
    bounds: dict[str, Any] = Field(description="the lender's bounds (scoring.levers.LenderBounds)")
    bounds_text: str
    bounds_text_en: str
    message: str
    message_en: str


class CounterfactualOut(Counterfactual, Versioned):
    id: int


class SimulateOut(Versioned):
    """A what-if on a known client's whole file: never a decision, the current score beside it."""

    id: int
    simulated: Literal[True]
    current: ScoreFields
    simulation: ScoreFields
    score_change: float = Field(description="simulation.score - current.score")
    changes: list[Change] = Field(description="raw fields whose value changed")
    derived: list[Change] = Field(description="features recomputed from them whose value changed")
    message: str
    message_en: str


class PopulationFeature(Out):
    """One feature's distribution among repaid and defaulted clients: bins (numeric) or levels (categorical)."""

    type: Literal["numeric", "categorical"]
    label: str
    label_en: str
    unit: str
    source: str = Field(description="where the counts come from: the bundle's summary or the client store")
    repaid: list[int] = Field(description="repaid clients per bin or level")
    default: list[int] = Field(description="defaulted clients per bin or level")
    edges: list[float] | None = Field(None, description="bin edges (numeric)")
    levels: list[str] | None = Field(None, description="categories (categorical)")
    quantiles: dict[str, float] | None = None
    rows: int | None = None
    missing: dict[str, int] | None = None


class PopulationOut(Versioned):
    features: dict[str, PopulationFeature]


# --- scoring new applications --------------------------------------------------------------------
class InputWarning(Out):
    """Something about the input that makes the score less reliable (the score is still given)."""

    code: Literal["few_fields", "missing_key_fields", "no_history"]
    message: str = Field(description="plain French, for the advisor")
    message_en: str
    fields: list[str] = Field(description="the application fields concerned (may be empty)")


class PredictOut(ScoreFields, Versioned):
    id: int | None
    explanation: Explanation | None = Field(description="null when the request asked explain=false")
    warnings: list[InputWarning] = Field(
        description="completeness warnings: too few informative fields, key fields missing, no history")
    counterfactual: Counterfactual | None = None


class BatchOut(Versioned):
    results: list[dict[str, Any]]
    count: int


# --- monitoring ----------------------------------------------------------------------------------
class MonitoringOut(Versioned):
    scores_by_day: list[dict[str, Any]]


__all__ = ["Decision", "Band", "Out", "Versioned", "ErrorOut", "ScoreFields", "DatabaseHealth", "PredictionLogHealth", "HealthOut", "ImportanceItem", "FeatureItem", "BandItem", "Roc", "CostCurve", "Reliability", "Calibration", "Metrics", "ModelOut", "GroupRates", "Gap", "AttributeFairness", "CardOut", "FairnessOut", "LatestDecision", "ClientSummary", "ClientsOut", "ClientOut", "ScoreOut", "Factor", "Contribution", "Explanation", "ExplanationOut", "Neighbour", "SimilarOut", "Change", "Counterfactual", "CounterfactualOut", "Oversight", "Overseen", "Reason", "Points", "Closest", "SimulateOut", "PopulationFeature", "PopulationOut", "ComparedFeature", "InputWarning", "PredictOut", "BatchOut", "MonitoringOut"]
