"""Time budget of a training run: on large data, the cross-validated steps run on a stratified subsample.

The cross-validated steps (search, ablation and comparison, protected-attribute variant, honest estimate)
fit dozens of models; at Kaggle size (307,511 labelled applicants) they would take many hours on two
cores. Up to ``subsample_above`` labelled rows nothing changes: every step uses every row. Above it:

1. a *pilot* fits the production pipeline (SMOTE + CatBoost, a typical search candidate) on two small
   stratified samples and fits ``seconds = overhead + per_row * rows`` through the two timings;
2. the time left for the cross-validated steps is the budget minus what is spent so far (features,
   pilot), minus the final refit on all rows (predicted by the same line; one per member of a bagged
   model, whose members are cut while their refits would take over :data:`BAG_SHARE` of the time left)
   and a reserve for the cheap steps (calibration, fairness bootstrap, importance, bundle, MLflow);
3. the subsample size is the number of rows for which the predicted fits of those steps fill that time
   (never below ``min_rows``), drawn stratified on the target once: every cross-validated step uses the
   same rows and the same folds, so their out-of-fold predictions stay comparable.

The final model is refit on every labelled row, SMOTE inside it as in every fold (samplers act in
``fit`` only, so validation rows are never resampled). What was subsampled and how big goes to the
bundle metadata (``sampling``) and the methodology note.

When the steps are subsampled, a stratified *holdout* of labelled rows outside the subsample is set aside
(:func:`holdout_positions`, sized by :data:`HOLDOUT_SHARE`, :data:`HOLDOUT_MIN_ROWS`, :data:`HOLDOUT_MAX_ROWS`)
and split in two stratified halves: the shipped model is refit on every labelled row except the holdout,
its calibrator and threshold are chosen on its own predictions on the first half ("choose") and its honest
estimate is measured on the second ("report"), which no choice has seen. Out-of-fold predictions of models
trained on a few thousand rows do not calibrate a model refit on a hundred times more (measured on the real
sample: cost 0.574 on held-out rows with the subsample's calibration and threshold, 0.540 without
subsampling).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from sklearn.model_selection import ParameterSampler, train_test_split

from training.dataset import TrainingData
from training.models import CATBOOST_DEFAULTS, build_pipeline
from training.profiles import Profile
from training.search import early_stopped

log = logging.getLogger(__name__)

#: Whole-run wall-time goal at Kaggle size (issue 12): one hour on the 2-core machine.
GOAL_SECONDS = 3600.0


@dataclass(frozen=True)
class Budget:
    """How long a run may take and when subsampling starts."""

    #: wall seconds the whole run aims at (the goal is 3600 s; the margin absorbs a busy machine)
    seconds: float = 3000.0
    #: up to this many labelled rows every step uses every row (the 7,000-row sample always does)
    subsample_above: int = 20_000
    #: the cross-validated subsample never has fewer rows than this
    min_rows: int = 3_000
    #: pilot timings x this = the prediction: the search's candidates are deeper or longer than the pilot's
    #: typical one, and other processes may take CPU later (a first Kaggle-size run measured folds ~2x the pilot)
    safety: float = 1.5
    #: rows of the two pilot fits
    pilot_rows: tuple[int, int] = (2_000, 6_000)
    #: seconds kept for the steps that fit no model on the subsample (calibration, fairness, importance,
    #: bundle, MLflow), as a share of the budget
    reserve: float = 0.12
    #: a fixed subsample size (no pilot); for tests and for users who know their machine
    rows: int | None = None
    #: fewest search candidates the budget may leave (when even ``min_rows`` rows do not fit)
    min_candidates: int = 2


@dataclass
class Plan:
    """What the run does: how many rows the cross-validated steps use, and why."""

    n_labelled: int
    cv_rows: int
    subsampled: bool
    reason: str
    positions: np.ndarray = field(repr=False)  # positions in ``data.X`` / ``data.y`` of the CV rows, sorted
    pilot: dict | None = None
    estimate: dict = field(default_factory=dict)
    #: search candidates (the profile's, fewer when even ``min_rows`` rows would not fit the budget)
    n_iter: int | None = None
    #: members of the shipped model (the profile's ``bags``, fewer when their refits on every row would take
    #: more than :data:`BAG_SHARE` of the time left)
    bags: int = 1
    #: subsampled runs: positions (in ``data.X``/``data.y``, sorted) of the holdout's two halves, outside
    #: ``positions``; the calibrator and threshold are chosen on ``choose``, the honest estimate measured on
    #: ``report``; the shipped model is refit without either. Empty when there is no holdout.
    holdout_choose: np.ndarray = field(default_factory=lambda: np.arange(0), repr=False)
    holdout_report: np.ndarray = field(default_factory=lambda: np.arange(0), repr=False)
    #: what was held out (rows, defaults, how it was drawn and split); None without a holdout
    holdout: dict | None = None

    @property
    def held_out(self) -> np.ndarray:
        """Sorted positions of both holdout halves (empty without a holdout)."""
        return np.sort(np.concatenate([self.holdout_choose, self.holdout_report]))

    def as_metadata(self) -> dict:
        hidden = ("positions", "holdout_choose", "holdout_report")
        out = {k: v for k, v in asdict(self).items() if k not in hidden}
        if self.holdout is not None:
            out["steps_on_subsample"] = list(CV_STEPS_WITH_HOLDOUT)
            out["steps_on_holdout"] = list(HOLDOUT_STEPS)
            out["steps_on_all_rows_but_holdout"] = ["final refit"]
            out["steps_on_all_rows"] = ["population histograms", "client store"]
            return out
        out["steps_on_subsample"] = list(CV_STEPS) if self.subsampled else []
        out["steps_on_all_rows"] = ["final refit", "population histograms", "client store"] + (
            [] if self.subsampled else list(CV_STEPS))
        return out


CV_STEPS = ("search", "ablation", "comparison", "calibration", "threshold", "honest estimate", "fairness")
#: with a holdout, the cross-validated steps keep the subsample; the nested-CV honest estimate stays for reference
CV_STEPS_WITH_HOLDOUT = ("search", "ablation", "comparison", "nested-CV honest estimate (for reference)",
                         "protected-attribute variant")
HOLDOUT_STEPS = ("calibration (choose half)", "threshold (choose half)", "honest estimate (report half)",
                 "metrics and ROC (report half)", "fairness gaps (report half)")

#: Holdout of a subsampled run: this share of the labelled rows, at least :data:`HOLDOUT_MIN_ROWS` and at most
#: :data:`HOLDOUT_MAX_ROWS`, never more than the rows outside the CV subsample. 10 % leaves the refit 90 % of
#: the rows (276,760 of 307,511 at Kaggle size: still ~100x the CV subsample). The 2,000-row floor (the size of
#: the real-sample diagnostic's held-out set) keeps ~80 defaults in each half at an 8 % default rate for runs
#: just above ``subsample_above``. The 40,000 cap: with two halves of 20,000 the bootstrap spread of the cost
#: per client is about 0.01 (per-client cost std ~1.7 at 10:1 costs / sqrt(20,000)); more rows would mostly be
#: taken from the refit for little precision.
HOLDOUT_SHARE = 0.10
HOLDOUT_MIN_ROWS = 2_000
HOLDOUT_MAX_ROWS = 40_000
#: below this many rows outside the subsample (two halves of 250) no holdout is drawn: today's procedure
HOLDOUT_FLOOR = 500


#: Largest share of the time left after the features and the pilot that the final refits may take: one refit
#: per member of a bagged model; the rest goes to the cross-validated steps.
BAG_SHARE = 0.5


def fit_counts(profile: Profile, n_iter: int, bags: int = 1) -> list[tuple[str, float, float]]:
    """(step, number of fits, share of the CV rows each fit trains on) of the cross-validated steps; the search
    is successive halving (``profile.shares`` of each training fold per rung, candidates cut by ``factor``);
    a bagged model (``bags`` members, each with ``bags`` times the learning rate, so about ``1/bags`` of the
    trees) adds the members' fits on the folds, about one model's worth; its honest estimate fits ``bags``
    members per inner fold, again about one model's worth, so that count does not change.

    A logistic regression counts as half a CatBoost fit."""
    k, inner = profile.folds, profile.inner_folds
    train = (k - 1) / k
    counts, alive = [], n_iter
    for r, share in enumerate(profile.shares):
        if r:
            alive = max(1, math.ceil(alive / profile.factor))
        counts.append((f"search rung {r + 1}", alive * k, train * share))
    if bags > 1:  # every member refit on the folds (faster learning rate: about 1/bags of the trees each)
        counts.append(("bagging", k, train))
    counts += [("ablation", 2 * k, train), ("comparison", 0.5 * k, train),
               ("honest estimate", k * inner, train * (inner - 1) / inner)]
    if profile.gender_variant:
        counts.append(("protected-attribute variant", k, train))
    return counts


def _cost(params: dict) -> float:
    """Relative cost of a CatBoost fit: trees x depth (the split search runs once per level)."""
    return float(params.get("iterations", CATBOOST_DEFAULTS["iterations"])) * float(
        params.get("depth", CATBOOST_DEFAULTS["depth"]))


def pilot_params(profile: Profile, n_iter: int = 1, seed: int = 42) -> tuple[float, dict]:
    """(SMOTE ratio, CatBoost parameters) of the costliest candidate the search will draw (the same sampler and
    seed as ``RandomizedSearchCV``): the first Kaggle-size run showed a median candidate under-predicts folds."""
    ratio, base = profile.ratio, dict(profile.base_params)
    if not profile.distributions:
        return ratio, base
    candidates = []
    for drawn in ParameterSampler(profile.distributions, n_iter, random_state=seed):
        params = dict(base)
        for name, value in drawn.items():
            value = value.item() if hasattr(value, "item") else value
            if name.startswith("model__"):
                params[name.removeprefix("model__")] = value
        candidates.append((float(drawn.get("smote__sampling_strategy", ratio)), params))
    return max(candidates, key=lambda c: (_cost(c[1]), c[0]))


def stratified_positions(y: np.ndarray, rows: int, seed: int) -> np.ndarray:
    """Sorted positions of a stratified sample of ``rows`` rows (all positions when ``rows >= len(y)``)."""
    if rows >= len(y):
        return np.arange(len(y))
    keep, _ = train_test_split(np.arange(len(y)), train_size=rows, stratify=y, random_state=seed)
    return np.sort(keep)


def holdout_size(n_labelled: int, outside: int, cv_rows: int = 0) -> int:
    """Rows of the holdout (see :data:`HOLDOUT_SHARE`); 0 when fewer than :data:`HOLDOUT_FLOOR` would be left,
    or when its choose half would hold fewer rows than the ``cv_rows`` out-of-fold predictions it replaces:
    then today's procedure chooses on more rows. (Real sample, 5,000 rows trained with CV on 1,500 and 2,000
    held out, 1,000 to choose: the threshold from 79 defaults cost 0.6205 per client on 2,000 other
    applicants, against 0.574 chosen on the 1,500 rows' out-of-fold predictions.)"""
    rows = min(max(HOLDOUT_MIN_ROWS, round(HOLDOUT_SHARE * n_labelled)), HOLDOUT_MAX_ROWS, outside)
    return rows if rows >= HOLDOUT_FLOOR and rows // 2 >= cv_rows else 0


def holdout_positions(y: np.ndarray, cv_positions: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, dict | None]:
    """(choose, report, summary): a stratified holdout drawn from the rows outside ``cv_positions``, split in two
    stratified halves; sorted positions. Empty arrays and None when too few rows are outside."""
    y = np.asarray(y)
    outside = np.setdiff1d(np.arange(len(y)), cv_positions)
    rows = holdout_size(len(y), len(outside), len(cv_positions))
    empty = np.arange(0)
    if not rows or len(np.unique(y[outside])) < 2:
        return empty, empty, None
    held = outside if rows >= len(outside) else train_test_split(
        outside, train_size=rows, stratify=y[outside], random_state=seed + 7)[0]
    choose, report = train_test_split(held, test_size=0.5, stratify=y[held], random_state=seed + 8)
    choose, report = np.sort(choose), np.sort(report)

    def part(pos):
        return {"rows": int(len(pos)), "defaults": int(y[pos].sum())}

    summary = {**part(held), "choose": part(choose), "report": part(report), "seed": seed,
               "rule": f"stratified, min(max({HOLDOUT_MIN_ROWS:,}, {HOLDOUT_SHARE:.0%} of labelled rows), "
                       f"{HOLDOUT_MAX_ROWS:,}) rows drawn outside the cross-validated subsample "
                       f"({len(outside):,} rows there), when half of them are at least the subsample's "
                       f"{len(cv_positions):,} rows",
               "split": "two stratified halves: 'choose' fits the calibrator and the threshold, 'report' gives "
                        "the honest estimate, the metrics and the ROC",
               "refit_rows": int(len(y) - len(held))}
    return choose, report, summary


def run_pilot(data: TrainingData, profile: Profile, budget: Budget, seed: int, n_iter: int = 1) -> dict:
    """Time the production pipeline on two stratified samples; ``seconds = overhead + per_row * rows``."""
    ratio, params = pilot_params(profile, n_iter, seed)
    timings = []
    for rows in budget.pilot_rows:
        pos = stratified_positions(data.y, rows, seed)
        # early-stopped like every cross-validated fit (the profile's iteration count is only a cap)
        est = early_stopped(build_pipeline(data.features, data.categorical, variant="smote", ratio=ratio,
                                           params=params, seed=seed), seed=seed)
        started = time.perf_counter()
        est.fit(data.X.iloc[pos], data.y[pos])
        timings.append((len(pos), time.perf_counter() - started))
        log.info("budget: pilot fit on %d rows took %.1fs", len(pos), timings[-1][1])
    (r0, t0), (r1, t1) = timings
    per_row = max((t1 - t0) / (r1 - r0), t1 / r1 / 4)  # a noisy timing must not make rows free
    overhead = max(t1 - per_row * r1, 0.0)
    return {"rows": [r for r, _ in timings], "seconds": [round(t, 2) for _, t in timings],
            "seconds_per_row": per_row * budget.safety, "overhead_seconds": overhead * budget.safety,
            "safety": budget.safety, "smote_ratio": ratio, "params": params}


def cv_seconds(pilot: dict, counts: list[tuple[str, float, float]], rows: int) -> float:
    """Predicted seconds of the cross-validated steps on ``rows`` rows."""
    return sum(n * (pilot["overhead_seconds"] + pilot["seconds_per_row"] * share * rows) for _, n, share in counts)


def size_rows(pilot: dict, counts: list[tuple[str, float, float]], available: float) -> int:
    """Largest CV subsample whose predicted fits take at most ``available`` seconds."""
    fits = sum(n for _, n, _ in counts)
    row_share = sum(n * share for _, n, share in counts)
    return int(max(available - fits * pilot["overhead_seconds"], 0.0) / (pilot["seconds_per_row"] * row_share))


def make_plan(data: TrainingData, profile: Profile, n_iter: int, seed: int, budget: Budget | None = None,
              elapsed: float = 0.0) -> Plan:
    """How many rows the cross-validated steps use (see the module docstring); ``elapsed`` = seconds spent."""
    budget = budget or Budget()
    n = len(data.y)
    bags = max(1, int(profile.bags))
    if n <= budget.subsample_above:
        return Plan(n, n, False, f"{n:,} labelled rows <= {budget.subsample_above:,}: every step uses every row",
                    np.arange(n), n_iter=n_iter, bags=bags)
    started = time.perf_counter()
    profile_iter = n_iter
    if budget.rows is not None:
        rows, pilot, estimate = min(int(budget.rows), n), None, {}
        reason = f"fixed subsample of {rows:,} rows"
        counts = fit_counts(profile, n_iter, bags)
    else:
        pilot = run_pilot(data, profile, budget, seed, n_iter)
        spent = elapsed + time.perf_counter() - started
        refit = pilot["overhead_seconds"] + pilot["seconds_per_row"] * n
        left = budget.seconds * (1 - budget.reserve) - spent
        bags = bag_count(profile.bags, refit, left)
        counts = fit_counts(profile, n_iter, bags)
        available = left - bags * refit
        wanted = size_rows(pilot, counts, available)
        rows = min(max(wanted, budget.min_rows), n)
        reason = (f"time budget {budget.seconds:.0f} s: pilot fits predict {refit:.0f} s for a "
                  f"refit on all rows ({_members(bags, profile.bags)}) and leave {max(available, 0):.0f} s for the "
                  "cross-validated steps")
        if wanted < budget.min_rows:
            reason += f" (the budget asked for {wanted:,} rows; floor {budget.min_rows:,})"
            # even the floor does not fit: fewer search candidates, down to min_candidates
            while n_iter > budget.min_candidates and cv_seconds(pilot, counts, rows) > available:
                n_iter -= 1
                counts = fit_counts(profile, n_iter, bags)
            if n_iter < profile_iter:
                reason += f"; search reduced to {n_iter} candidates (profile: {profile_iter})"
        estimate = {"budget_seconds": budget.seconds, "spent_before_cv_seconds": round(spent, 1),
                    "refit_seconds": round(refit, 1), "bags": bags, "reserve_seconds": round(budget.seconds * budget.reserve, 1),
                    "cv_seconds_available": round(available, 1), "rows_for_budget": wanted,
                    "cv_seconds": round(cv_seconds(pilot, counts, rows), 1),
                    "fits": {name: c for name, c, _ in counts}}
    if rows >= n:
        return Plan(n, n, False, reason + ": every row fits", np.arange(n), pilot, estimate, n_iter, bags)
    positions = stratified_positions(data.y, rows, seed)
    log.info("budget: cross-validated steps on a stratified subsample of %d / %d rows (%s)", len(positions), n, reason)
    # the refit was predicted on every row: it now trains on n - holdout rows, so the prediction errs on the safe side
    choose, report, held = holdout_positions(data.y, positions, seed)
    if held is not None:
        log.info("budget: holdout of %d rows outside the subsample (%d choose, %d report)", held["rows"],
                 len(choose), len(report))
    return Plan(n, int(len(positions)), True, reason, positions, pilot, estimate, n_iter, bags, choose, report, held)


def bag_count(wanted: int, refit_seconds: float, left_seconds: float) -> int:
    """Members of the shipped model: the profile's ``wanted``, fewer while their refits on every row would take
    more than :data:`BAG_SHARE` of ``left_seconds``; never fewer than one. Each member is charged a whole
    refit: cautious, since members at ``wanted`` x the learning rate grow about ``1/wanted`` of the trees, but
    each still pays SMOTE and the data set-up on every row, which the pilot does not separate."""
    bags = max(1, int(wanted))
    while bags > 1 and bags * refit_seconds > BAG_SHARE * left_seconds:
        bags -= 1
    return bags


def _members(bags: int, wanted: int) -> str:
    if bags == wanted:
        return f"{bags} member{'s' if bags > 1 else ''}"
    return f"{bags} member{'s' if bags > 1 else ''} of the profile's {wanted}: more would not fit"


def subset(data: TrainingData, plan: Plan) -> TrainingData:
    """The labelled rows of the plan (every client stays in ``X_all`` and the feature set)."""
    if not plan.subsampled:
        return data
    return replace(data, X=data.X.iloc[plan.positions], y=data.y[plan.positions])
