"""The named steps of a training run (search, ablation, calibration, honest estimate, fairness, refit,
importance, metadata), each a function of a :class:`Run` and the previous steps' results.
:func:`training.pipeline.train` calls them in order."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from training import feature_groups, progress, tracking
from training.bagging import (
    MAX_EXPLAIN_LEAVES,
    bagged,
    explains_in_time,
    leaves,
    mean_logit,
    member_seed,
    merge,
    reseeded,
    widest_categorical,
)
from training.budget import Plan
from training.calibrate import CalibrationResult, calibrate_oof
from training.compare import fold_aucs, oof_predictions, summarise
from training.dataset import TrainingData, with_attributes
from training.extras import neighbours, population
from training.fairness import fairness_report, fairness_summary, group_columns
from training.holdout import HoldoutResult, choose_and_report
from training.honest import honest_estimate
from training.importance import global_importance, local_explanation
from training.labels import feature_entries, label
from training.metrics import classification_metrics, roc_points
from training.models import CATBOOST_DEFAULTS, build_dummy, build_logistic, build_pipeline, export_model
from training.profiles import Profile
from training.search import SearchResult, early_stopped, evaluate, halving_fits, refit_iterations, run_search
from training.threshold import ThresholdResult, choose_threshold


@dataclass
class Run:
    """What every step needs: the data, the shared folds, the profile, costs and seed."""

    data: TrainingData
    folds: list
    profile: Profile
    n_iter: int
    seed: int
    fn_cost: float
    fp_cost: float
    data_dir: Path
    #: every labelled row when ``data`` is the cross-validated subsample of a large data set
    full: TrainingData | None = None
    #: how the cross-validated rows were chosen (:mod:`training.budget`)
    plan: Plan | None = None

    @property
    def bags(self) -> int:
        """Members of the shipped model (seed bagging): the plan's, else the profile's."""
        return self.plan.bags if self.plan is not None else max(1, self.profile.bags)

    @property
    def all_rows(self) -> TrainingData:
        """Every labelled row, whatever the cross-validated steps used."""
        return self.full if self.full is not None else self.data

    @property
    def has_holdout(self) -> bool:
        """A subsampled run with a holdout (:func:`training.budget.holdout_positions`)."""
        return self.plan is not None and self.plan.holdout is not None

    @property
    def refit_rows(self) -> TrainingData:
        """The data of the final refit: every labelled row, minus the holdout when there is one."""
        data = self.all_rows
        if not self.has_holdout:
            return data
        keep = np.ones(len(data.y), dtype=bool)
        keep[self.plan.held_out] = False
        keep = np.flatnonzero(keep)
        return replace(data, X=data.X.iloc[keep], y=data.y[keep])

    @property
    def n_refit_rows(self) -> int:
        return int(len(self.all_rows.y) - (len(self.plan.held_out) if self.has_holdout else 0))

    def holdout_part(self, half: str) -> TrainingData:
        """The holdout's ``"choose"`` or ``"report"`` half (labelled rows of the full data)."""
        pos = self.plan.holdout_choose if half == "choose" else self.plan.holdout_report
        data = self.all_rows
        return replace(data, X=data.X.iloc[pos], y=data.y[pos])


@dataclass
class Searched:
    result: SearchResult
    ratio: float  # SMOTE minority/majority ratio
    params: dict  # CatBoost parameters (profile base + searched); ``iterations`` is the early-stopping cap
    refit_params: dict = None  # the shipped model's: ``iterations`` = CV best iteration scaled to all rows
    #: the shipped (bagged) model's out-of-fold probabilities: the search winner's when there is one member
    oof: np.ndarray = None
    bagging: dict = field(default_factory=dict)  # members, their seeds, fold AUCs and trees (:func:`bag`)
    #: CatBoost parameters of each shipped member (the searched ones; :func:`bag` raises the learning rate)
    member_params: dict = None

    def __post_init__(self):
        if self.refit_params is None:
            self.refit_params = {**self.params, "iterations": self.result.refit_iterations}
        if self.oof is None:
            self.oof = self.result.oof
        if self.member_params is None:
            self.member_params = self.params

    @property
    def members(self) -> int:
        """Members of the shipped model (decided by :func:`bag`; one before it ran)."""
        return int(self.bagging.get("bags", 1))

    @property
    def cv_auc(self) -> tuple[float, float]:
        """(mean, std) of the shipped model's fold AUCs."""
        if self.members > 1:
            return self.bagging["cv_auc"], self.bagging["cv_auc_std"]
        return self.result.cv_auc, self.result.cv_auc_std


def cv_estimator(run: Run, s: Searched, variant: str = "smote", features=None, categorical=None, params=None):
    """The searched pipeline (or an ablation variant) early-stopped on an inner split of each training fold;
    ``params``: CatBoost parameters other than the searched ones (a bagged model's members)."""
    data = run.data
    est = build_pipeline(features or data.features, categorical if categorical is not None else data.categorical,
                         variant=variant, ratio=s.ratio, params=s.params if params is None else params, seed=run.seed)
    return early_stopped(est, seed=run.seed)


@dataclass
class Refit:
    pipeline: object
    model: object  # the exported CatBoost step
    probability: np.ndarray  # calibrated probability of every client (final model); None until calibrated
    check: float  # pipeline vs exported model max |diff|
    rows: dict = field(default_factory=dict)  # what the refit was trained on, read from the fitted pipeline
    raw: np.ndarray = None  # raw probability of every client (``data.X_all`` order)


def bag(run: Run, s: Searched) -> Searched:
    """Seed bagging (:mod:`training.bagging`), kept only when cross-validation says it helps.

    ``bags`` members (the plan's: time budget) are the searched pipeline with their own seeds and the learning
    rate times ``bags``: each stops after about ``1/bags`` of the trees, so the merged model has about one
    model's trees and explains a client as fast. They are early-stopped on the same folds and their log-odds
    averaged. The bagged model is shipped when its CV AUC is at least the single winner's on the same folds
    and it stays within :data:`~training.bagging.MAX_EXPLAIN_LEAVES` (or has no more leaves than the single
    model); otherwise the winner alone is, and the reason is recorded. Not tried at all when a categorical has
    more levels than one-hot encodes (its target statistics would not merge exactly)."""
    result = s.result
    single = {"bags": 1, "seeds": [run.seed], "requested": run.bags}
    if run.bags <= 1:
        s.bagging = single
        return s
    data, bags = run.data, run.bags
    one_hot = int(s.params.get("one_hot_max_size", 2))  # CatBoost's own default on CPU: 2
    widest = widest_categorical(data.X, data.categorical)
    if widest > one_hot:  # such a categorical would get target statistics, which members cannot merge exactly
        s.bagging = {**single, "reason": f"one member: a categorical has {widest} levels, more than one-hot encodes "
                                         f"({one_hot}); its target statistics would not merge exactly"}
        return s
    depth = int(s.params.get("depth", CATBOOST_DEFAULTS["depth"]))
    rate = float(s.params.get("learning_rate", CATBOOST_DEFAULTS["learning_rate"]))
    member_params = {**s.params, "learning_rate": rate * bags}
    pipeline = build_pipeline(data.features, data.categorical, ratio=s.ratio, params=member_params, seed=run.seed)
    oofs, iterations, n_fit = [], [], []
    seeds = [member_seed(run.seed, b) for b in range(bags)]
    with progress.bar(bags * len(run.folds), f"bagging ({bags} seeds, learning rate x{bags})") as bar:
        for b, member in enumerate(seeds):
            row = evaluate(reseeded(pipeline, member), data.X, data.y, run.folds, member,
                           name=f"bagging member {b + 1}/{bags}", tick=bar.update)
            oofs.append(row["oof"])
            iterations += row["best_iterations"]
            n_fit += row["n_fit_rows"]
    oof = mean_logit(oofs)
    aucs = fold_aucs(data.y, oof, run.folds)
    trees = refit_iterations(iterations, n_fit, run.n_refit_rows)
    measured = {"seeds": seeds, "member_learning_rate": rate * bags, "learning_rate_scale": bags,
                "cv_auc": float(np.mean(aucs)), "cv_auc_std": float(np.std(aucs)), "fold_auc": aucs,
                "single_cv_auc": result.cv_auc, "single_cv_auc_std": result.cv_auc_std,
                "best_iterations": iterations, "refit_iterations": trees,
                "averaging": "mean log-odds (catboost.sum_models, weights 1/n)", "requested": bags}
    bag_leaves, single_leaves = leaves(trees, depth, bags), leaves(result.refit_iterations, depth)
    measured.update({"leaves": bag_leaves, "single_leaves": single_leaves})
    if measured["cv_auc"] < result.cv_auc:
        reason = (f"one member: {bags} members averaged reached CV AUC {measured['cv_auc']:.4f} on the same folds, "
                  f"below the single model's {result.cv_auc:.4f}")
    elif not explains_in_time(bag_leaves, single_leaves):
        reason = (f"one member: {bags} members of {trees} trees of depth {depth} ({bag_leaves:,} leaves, against "
                  f"{single_leaves:,} for the single model) would explain a client more slowly than the service's "
                  f"goal allows (at most {MAX_EXPLAIN_LEAVES:,} leaves)")
    else:
        s.oof, s.refit_params = oof, {**member_params, "iterations": trees}
        s.member_params = member_params
        s.bagging = {"bags": bags, **measured}
        return s
    s.bagging = {**single, "reason": reason, "measured": measured}
    return s


def split_params(params: dict) -> tuple[float, dict]:
    ratio = float(params.get("smote__sampling_strategy", 0.25))
    model = {k.removeprefix("model__"): v for k, v in params.items() if k.startswith("model__")}
    return ratio, model


def variants(run: Run, s: Searched) -> tuple[list[dict], list[dict]]:
    """Ablation (SMOTE / none / class weights) and comparison (dummy / logistic / CatBoost) on the same folds."""
    data, folds, seed, fn_cost, fp_cost = run.data, run.folds, run.seed, run.fn_cost, run.fp_cost
    X, y, ratio, smote_oof = data.X, data.y, s.ratio, s.result.oof  # one model each: the same footing
    oofs = {"smote": smote_oof}
    with progress.bar(4 * len(folds), "ablation + comparison") as bar:
        for variant in ("none", "class_weights"):
            oofs[variant] = oof_predictions(cv_estimator(run, s, variant), X, y, folds, name=f"ablation {variant}",
                                            tick=bar.update)
        oofs["dummy"] = oof_predictions(build_dummy(seed), X, y, folds, name="dummy", tick=bar.update)
        oofs["logistic"] = oof_predictions(build_logistic(data.features, data.categorical, seed=seed), X, y, folds,
                                           name="logistic regression", tick=bar.update)
    names = {"smote": f"SMOTE (ratio {ratio:.2f})", "none": "no resampling",
             "class_weights": "class weights (Balanced)"}
    ablation = [summarise(v, y, oofs[v], folds, fn_cost, fp_cost, description=names[v]) for v in names]
    comparison = [
        summarise("dummy", y, oofs["dummy"], folds, fn_cost, fp_cost, description="majority-class prior"),
        summarise("logistic", y, oofs["logistic"], folds, fn_cost, fp_cost,
                  description="L2 logistic regression (C=0.05), median-imputed, scaled, one-hot"),
        summarise("catboost", y, s.oof, folds, fn_cost, fp_cost,
                  description="SMOTENC + CatBoost (searched parameters)" + (
                      f", {s.members} seeds averaged (the shipped model)" if s.members > 1 else "")),
    ]
    return ablation, comparison


def protected_variant(run: Run, s: Searched, base: dict) -> dict:
    """The shipped model excludes the protected attributes; this variant adds them back on the same folds and
    parameters, only to measure what excluding them costs (``auc`` = without, ``auc_with`` = with)."""
    data, folds, fn_cost, fp_cost = run.data, run.folds, run.fn_cost, run.fp_cost
    features, categorical, X = with_attributes(data, data.excluded)
    if len(features) == len(data.features):
        return {"computed": False, "excluded": list(data.excluded), "note": "no excluded attribute in the data"}
    est = cv_estimator(run, s, features=features, categorical=categorical)
    with progress.bar(len(folds), "variant with " + ", ".join(data.excluded)) as bar:
        oof = oof_predictions(est, X, data.y, folds, name="with " + ", ".join(data.excluded), tick=bar.update)
    row = summarise("with_protected", data.y, oof, folds, fn_cost, fp_cost)
    return {"auc": base["auc"], "business_cost": base["business_cost"], "auc_with": row["auc"],
            "business_cost_with": row["business_cost"], "auc_change": base["auc"] - row["auc"],
            "business_cost_change": base["business_cost"] - row["business_cost"], "computed": True,
            "excluded": list(data.excluded), "shipped": "without"}


def honest(run: Run, s: Searched, in_sample: dict) -> dict:
    """Honest AUC/cost: each fold's threshold chosen on inner CV of the other folds (:mod:`training.honest`)."""
    data, prof, seed = run.data, run.profile, run.seed
    # the shipped model's procedure: its members, their parameters, early-stopped like every fit
    est = bagged(cv_estimator(run, s, params=s.member_params), s.members, seed)

    def inner_predict(rows: np.ndarray) -> np.ndarray:
        X, y = data.X.iloc[rows], data.y[rows]
        inner = list(StratifiedKFold(prof.inner_folds, shuffle=True, random_state=seed + 1).split(X, y))
        return oof_predictions(est, X, y, inner, name="honest estimate, inner CV", tick=bar.update)

    with progress.bar(len(run.folds) * prof.inner_folds, "honest estimate") as bar:
        out = honest_estimate(data.y, s.oof, run.folds, inner_predict, run.fn_cost, run.fp_cost, seed=seed)
    out["inner_folds"] = prof.inner_folds
    out["bags"] = s.members
    out["in_sample"] = {**in_sample, "label": "optimistic: threshold chosen on the same out-of-fold predictions"}
    return out




def search(run: Run, on_candidate=None) -> Searched:
    prof, data = run.profile, run.data
    base = build_pipeline(data.features, data.categorical, ratio=prof.ratio, params=prof.base_params, seed=run.seed)
    n_fits = halving_fits(run.n_iter, prof.shares, prof.factor) * len(run.folds)
    with progress.bar(n_fits, "search (candidates x folds, successive halving)") as bar:
        result = run_search(base, data.X, data.y, run.folds, prof.distributions, run.n_iter, run.seed,
                            shares=prof.shares, factor=prof.factor, on_candidate=on_candidate, tick=bar.update)
    # the final model is refit on every row (but the holdout), also when the search ran on a subsample
    result.refit_iterations = refit_iterations(result.best_iterations, result.n_fit_rows, run.n_refit_rows)
    ratio, searched = split_params(result.best_params)
    return Searched(result=result, ratio=ratio, params={**prof.base_params, **searched})


def calibration(run: Run, s: Searched) -> tuple[CalibrationResult, ThresholdResult, dict, dict]:
    """Calibrator chosen by CV on the OOF scores, threshold and metrics on the calibrated OOF probability."""
    y = run.data.y
    cal = calibrate_oof(y, s.oof, seed=run.seed)
    thr = choose_threshold(y, cal.calibrated, run.fn_cost, run.fp_cost)
    metrics = classification_metrics(y, cal.calibrated, thr.threshold, run.fn_cost, run.fp_cost)
    cv_auc, cv_auc_std = s.cv_auc
    metrics.update({"cv_auc": cv_auc, "cv_auc_std": cv_auc_std,
                    "auc_pooled_raw": float(roc_auc_score(y, s.oof)), "brier_raw": cal.summary["brier_raw"],
                    "brier": cal.summary["brier"], "source": "out-of-fold"})
    return cal, thr, metrics, roc_points(y, cal.calibrated)


def fairness(run: Run, s: Searched, cal: CalibrationResult, thr: ThresholdResult, ablation: list[dict],
             held: HoldoutResult | None = None) -> dict:
    """Group gaps at the threshold: on the out-of-fold predictions, or with a holdout on the shipped model's
    probabilities of its report half; the protected-attribute variant always on the CV folds."""
    data, prof = run.data, run.profile
    if held is not None:
        report = run.holdout_part("report")
        groups = group_columns(data.featureset.applications.loc[report.ids])
        fair = fairness_report(report.y, held.report_probability, groups, held.threshold.threshold,
                               n_boot=prof.fairness_bootstrap, seed=run.seed)
        fair["rows"] = "holdout report half (shipped model)"
    else:
        groups = group_columns(data.featureset.applications.loc[data.ids])
        fair = fairness_report(data.y, cal.calibrated, groups, thr.threshold, n_boot=prof.fairness_bootstrap,
                               seed=run.seed)
    base_row = next(r for r in ablation if r["variant"] == "smote")
    if prof.gender_variant:
        fair["gender_variant"] = protected_variant(run, s, base_row)
    else:
        fair["gender_variant"] = {"computed": False, "excluded": list(data.excluded),
                                  "note": f"skipped in the {prof.name} profile (run the full profile)"}
    return fair


def refit(run: Run, s: Searched, cal: CalibrationResult | None) -> Refit:
    """The shipped model: SMOTE + CatBoost refit on every labelled row (also when the cross-validated steps
    ran on a subsample; minus the holdout when there is one), scoring every client; its trees = the CV best
    iteration scaled to these rows. With several members each is refit with its own seeds and they are merged
    into one CatBoost model. ``cal=None``: the probabilities wait for :func:`holdout` (:func:`calibrate_refit`)."""
    data = run.refit_rows
    final = build_pipeline(data.features, data.categorical, variant="smote", ratio=s.ratio, params=s.refit_params,
                           seed=run.seed)
    iterations = int(final.named_steps["model"].get_params().get("iterations") or 1000)
    members = [reseeded(final, member_seed(run.seed, b)) for b in range(s.members)]
    with progress.bar(iterations * len(members), f"final refit on {len(data.y):,} rows"
                      + (f", {len(members)} members" if len(members) > 1 else ""), unit="tree") as bar:
        for member in members:
            member.fit(data.X, data.y, model__callbacks=[progress.CatBoostBar(bar)])
    model = merge([export_model(m) for m in members])
    raw_all = model.predict_proba(data.X_all)[:, 1]
    check = float(np.max(np.abs(mean_logit([m.predict_proba(data.X_all)[:, 1] for m in members]) - raw_all)))
    probability = None if cal is None else np.asarray(cal.calibrator.apply(raw_all), dtype=np.float64)
    smote = members[0].named_steps["smote"]
    rows = {"labelled": int(len(data.y)), "defaults": int(data.y.sum()),
            # SMOTE's neighbour index holds the defaulters it was fitted on: proof of what the refit saw
            "defaults_seen_by_smote": int(smote.nn_k_.n_samples_fit_), "members": len(members)}
    if run.has_holdout:
        rows["held_out"] = int(len(run.plan.held_out))
    return Refit(pipeline=members[0], model=model, probability=probability, check=check, rows=rows, raw=raw_all)


def holdout(run: Run, r: Refit) -> HoldoutResult:
    """Calibrator and threshold chosen on the shipped model's predictions of the holdout's choose half, honest
    estimate, metrics and ROC on its report half (:mod:`training.holdout`); fills ``r.probability``."""
    choose, report = run.holdout_part("choose"), run.holdout_part("report")
    held = choose_and_report(choose.y, r.model.predict_proba(choose.X)[:, 1], report.y,
                             r.model.predict_proba(report.X)[:, 1], run.fn_cost, run.fp_cost, seed=run.seed)
    held.calibration.summary["fitted_on"] = (f"the shipped model's raw probabilities on the holdout's choose half, "
                                             f"{len(choose.y):,} rows")
    held.calibration.summary["note"] = ("brier = choose-half scores calibrated by a calibrator fitted on the other "
                                        "choose-half folds (5-fold cross-fitting)")
    r.probability = np.asarray(held.calibration.calibrator.apply(r.raw), dtype=np.float64)
    return held


def importance(run: Run, r: Refit, cal: CalibrationResult, thr: ThresholdResult) -> tuple[list[dict], dict]:
    """``cal.calibrated`` holds the probabilities of the rows the threshold was chosen on (the CV rows, or the
    holdout's choose half); the local example is a defaulter among them near the threshold."""
    data = run.holdout_part("choose") if run.has_holdout else run.data
    y = data.y
    labels = {f: label(f, "fr") for f in data.features}
    ranked = global_importance(r.model, data.X_all, data.categorical, labels, run.profile.shap_sample, run.seed)
    example_pos = int(np.argmin(np.abs(cal.calibrated - thr.threshold) + (y == 0) * 1.0))  # a defaulter near it
    example_id = int(data.ids[example_pos])
    example = local_explanation(r.model, data.X_all.loc[[example_id]], data.categorical, labels)
    example.update({"id": example_id, "probability": float(r.probability[data.X_all.index.get_loc(example_id)]),
                    "known_outcome": int(y[example_pos])})
    return ranked, example


def metadata(run: Run, *, version: str, s: Searched, r: Refit, cal: CalibrationResult, thr: ThresholdResult,
             metrics: dict, roc: dict, honest_est: dict, ablation: list[dict], comparison: list[dict], fair: dict,
             ranked: list[dict], example: dict, mlflow: dict, durations: dict,
             held: HoldoutResult | None = None, subsample: dict | None = None) -> dict:
    """The bundle's metadata, built in one place. With a holdout (``held``), the threshold, calibration, metrics,
    ROC and honest estimate are the holdout's; ``subsample`` holds the subsample's out-of-fold figures
    (calibration, threshold, metrics, nested-CV honest estimate), kept under ``honest_estimate`` for reference."""
    data, prof = run.data, run.profile
    winner = min(ablation, key=lambda row: (row["business_cost"], -row["auc"]))["variant"]
    best_auc = max(ablation, key=lambda row: row["auc"])["variant"]
    if held is not None:
        cal, thr, metrics, roc = held.calibration, held.threshold, held.metrics, held.roc
        honest_est = {**held.estimate, "nested_cv_on_subsample": subsample}
    out = {
        "version": version, "created": datetime.now(UTC).isoformat(timespec="seconds"), "profile": prof.name,
        "data_dir": str(run.data_dir), "data_fingerprint": data.fingerprint,
        "synthetic": bool(data.featureset.synthetic),
        "n_clients": int(len(data.X_all)), "n_labelled": int(len(run.all_rows.y)),
        "default_rate": float(run.all_rows.y.mean()), "sampling": sampling(run, r),
        "features": feature_entries(data.features, data.categorical), "categorical": list(data.categorical),
        "excluded_attributes": list(data.excluded),
        "feature_groups": {"dropped": list(data.dropped_groups), **feature_groups.measured()},
        "threshold": thr.threshold, "threshold_scale": "calibrated probability",
        "costs": {"fn": run.fn_cost, "fp": run.fp_cost}, "metrics": metrics,
        "cost_curve": {**thr.curve, "accept_all": thr.accept_all, "best_cost": thr.cost},
        "importance": ranked, "roc": roc, "calibration": cal.summary, "honest_estimate": honest_est,
        "ablation": ablation, "ablation_winner": {"by_cost": winner, "by_auc": best_auc, "shipped": "smote"},
        "comparison": comparison,
        "search": {"method": "successive halving (rows) over random candidates, CatBoost early-stopped on an "
                             "inner validation split of each training fold", "metric": "roc_auc",
                   "folds": prof.folds, "n_candidates": run.n_iter, "shares": list(prof.shares),
                   "factor": prof.factor, "rungs": s.result.rungs, "n_fits": sum(
                       len(c["fold_auc"]) for c in s.result.candidates),
                   "best_params": s.params, "smote_ratio": s.ratio,
                   "cv_auc": s.result.cv_auc, "cv_auc_std": s.result.cv_auc_std,
                   "best_iterations": s.result.best_iterations, "refit_iterations": s.result.refit_iterations,
                   "nested": False,
                   "candidates": [{k: c[k] for k in ("index", "rung", "share", "params", "auc_mean", "auc_std",
                                                     "fold_auc", "best_iterations", "fit_seconds")}
                                  for c in s.result.candidates]},
        "fairness": {"summary": fairness_summary(fair), "gender_variant": fair["gender_variant"],
                     "threshold": thr.threshold},
        "example": example,
        "model": {"type": "CatBoostClassifier", "pipeline": [n for n, _ in r.pipeline.steps], "params": s.refit_params,
                  "smote_ratio": s.ratio, "seed": run.seed, "serving_check_max_abs_diff": r.check,
                  "trees": int(r.model.tree_count_), "bagging": s.bagging},
        "mlflow": mlflow,
        "durations": durations,
    }
    if held is not None:
        out["model"]["trained_on"] = (f"every labelled row except the holdout ({r.rows['labelled']:,} of "
                                      f"{len(run.all_rows.y):,}): the shipped model never saw the holdout")
        out["cost_curve"]["rows"] = "holdout choose half (shipped model)"
    return out


def sampling(run: Run, r: Refit) -> dict:
    """Which rows each step used: the cross-validated subsample (if any) and the refit on every row."""
    plan = run.plan.as_metadata() if run.plan is not None else {
        "n_labelled": int(len(run.all_rows.y)), "cv_rows": int(len(run.data.y)), "subsampled": False,
        "reason": "every step uses every row"}
    cv_y = run.data.y
    out = {**plan, "cv_default_rate": float(cv_y.mean()), "cv_defaults": int(cv_y.sum()), "refit": r.rows}
    if run.has_holdout:
        out["holdout"] = {**out["holdout"], "shipped_model": "refit without the holdout (it never saw these rows)"}
    return out


def extras(run: Run, s: Searched, cal: CalibrationResult, fair: dict, r: Refit | None = None,
           held: HoldoutResult | None = None) -> dict:
    """``oof``: the CV rows' out-of-fold predictions (``cal`` = their calibration: the subsample's with a
    holdout); ``holdout`` (with one): the shipped model's predictions of both halves."""
    data, full = run.data, run.all_rows
    labels = {f: label(f, "fr") for f in data.features}
    out = {
        "neighbours": neighbours(data.featureset.frame),
        "population": population(full.X, full.y, data.categorical, labels),
        "fairness": fair,
        "oof": {"ids": data.ids, "probability": cal.calibrated.astype(np.float64),
                "raw": s.oof.astype(np.float64), "target": data.y.astype(np.int64)},
    }
    if held is not None and r is not None:
        choose, report = run.holdout_part("choose"), run.holdout_part("report")
        ids = np.concatenate([choose.ids, report.ids]).astype(np.int64)
        where = data.X_all.index.get_indexer(ids)
        out["holdout"] = {"ids": ids, "report": np.r_[np.zeros(len(choose.ids)), np.ones(len(report.ids))].astype(np.int8),
                          "raw": np.asarray(r.raw, dtype=np.float64)[where],
                          "probability": np.asarray(r.probability, dtype=np.float64)[where],
                          "target": np.concatenate([choose.y, report.y]).astype(np.int64)}
    return out


def log_candidate(run: Run, i: int, cand: dict) -> None:
    with tracking.run(f"candidate-{i:02d}", nested=True, tags={"kind": "search"}):
        tracking.log_params({**cand["params"], "rung": cand["rung"], "rows_share": cand["share"]})
        row = summarise(f"candidate-{i}", run.data.y, cand["oof"], run.folds, run.fn_cost, run.fp_cost)
        tracking.log_metrics({"cv_auc": cand["auc_mean"], "cv_auc_std": cand["auc_std"],
                              "business_cost": row["business_cost"], "fit_seconds": cand["fit_seconds"],
                              "mean_best_iteration": float(np.mean(cand["best_iterations"]))})


def log_variants(ablation: list[dict], comparison: list[dict]) -> None:
    for row in ablation + comparison:
        kind = "ablation" if row in ablation else "comparison"
        with tracking.run(f"{kind}-{row['variant']}", nested=True, tags={"kind": kind}):
            tracking.log_params({"variant": row["variant"]})
            tracking.log_metrics({k: v for k, v in row.items() if isinstance(v, float)})
