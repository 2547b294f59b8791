"""Training orchestration: data -> search -> ablation/comparison -> calibration, threshold, metrics
-> fairness -> final refit -> bundle + MLflow. ``train()`` is what the CLI and the tests call."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from scoring.cost import FN_COST, FP_COST
from training import plots, tracking
from training.calibrate import calibrate_oof
from training.compare import oof_predictions, summarise
from training.dataset import TrainingData, load_training_data, with_attributes
from training.export import make_version, write_bundle
from training.extras import neighbours, population
from training.fairness import fairness_report, fairness_summary, group_columns
from training.honest import honest_estimate
from training.importance import global_importance, local_explanation
from training.labels import feature_entries, label
from training.metrics import classification_metrics, roc_points
from training.models import build_dummy, build_logistic, build_pipeline, export_model
from training.profiles import Profile, get_profile
from training.search import run_search
from training.threshold import choose_threshold

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    bundle_path: Path
    version: str
    metrics: dict
    run_id: str | None
    seconds: float
    metadata: dict = field(default_factory=dict)


class Steps:
    """Per-step progress lines with timings."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.durations: dict[str, float] = {}
        self._t = self.started

    @property
    def cpu(self) -> float:
        """CPU seconds of this process so far (all threads): steadier than wall time on a busy machine."""
        return time.process_time() - self.cpu_started

    def done(self, name: str, message: str = "") -> None:
        now = time.perf_counter()
        self.durations[name] = round(now - self._t, 2)
        self._t = now
        log.info("[%6.1fs wall, %6.1fs CPU] %s done in %.1fs%s", now - self.started, self.cpu, name,
                 self.durations[name], f" - {message}" if message else "")


def _split_params(params: dict) -> tuple[float, dict]:
    ratio = float(params.get("smote__sampling_strategy", 0.25))
    model = {k.removeprefix("model__"): v for k, v in params.items() if k.startswith("model__")}
    return ratio, model


def _variants(data: TrainingData, folds, ratio: float, cb: dict, smote_oof: np.ndarray, fn_cost: float,
              fp_cost: float, seed: int) -> tuple[list[dict], list[dict]]:
    """Ablation (SMOTE / none / class weights) and comparison (dummy / logistic / CatBoost) on the same folds."""
    X, y = data.X, data.y
    oofs = {"smote": smote_oof}
    for variant in ("none", "class_weights"):
        est = build_pipeline(data.features, data.categorical, variant=variant, params=cb, seed=seed)
        oofs[variant] = oof_predictions(est, X, y, folds, name=f"ablation {variant}")
    names = {"smote": f"SMOTE (ratio {ratio:.2f})", "none": "no resampling",
             "class_weights": "class weights (Balanced)"}
    ablation = [summarise(v, y, oofs[v], folds, fn_cost, fp_cost, description=names[v]) for v in names]
    oofs["dummy"] = oof_predictions(build_dummy(seed), X, y, folds, name="dummy")
    oofs["logistic"] = oof_predictions(build_logistic(data.features, data.categorical, seed=seed), X, y, folds,
                                       name="logistic regression")
    comparison = [
        summarise("dummy", y, oofs["dummy"], folds, fn_cost, fp_cost, description="majority-class prior"),
        summarise("logistic", y, oofs["logistic"], folds, fn_cost, fp_cost,
                  description="L2 logistic regression (C=0.05), median-imputed, scaled, one-hot"),
        summarise("catboost", y, smote_oof, folds, fn_cost, fp_cost,
                  description="SMOTENC + CatBoost (searched parameters)"),
    ]
    return ablation, comparison


def _protected_variant(data: TrainingData, folds, ratio: float, cb: dict, base: dict, fn_cost: float,
                       fp_cost: float, seed: int) -> dict:
    """The shipped model excludes the protected attributes; this variant adds them back on the same folds and
    parameters, only to measure what excluding them costs (``auc`` = without, ``auc_with`` = with)."""
    features, categorical, X = with_attributes(data, data.excluded)
    if len(features) == len(data.features):
        return {"computed": False, "excluded": list(data.excluded), "note": "no excluded attribute in the data"}
    est = build_pipeline(features, categorical, variant="smote", ratio=ratio, params=cb, seed=seed)
    oof = oof_predictions(est, X, data.y, folds, name="with " + ", ".join(data.excluded))
    row = summarise("with_protected", data.y, oof, folds, fn_cost, fp_cost)
    return {"auc": base["auc"], "business_cost": base["business_cost"], "auc_with": row["auc"],
            "business_cost_with": row["business_cost"], "auc_change": base["auc"] - row["auc"],
            "business_cost_change": base["business_cost"] - row["business_cost"], "computed": True,
            "excluded": list(data.excluded), "shipped": "without"}


def _honest(data: TrainingData, folds, prof: Profile, ratio: float, cb: dict, outer_oof: np.ndarray, fn_cost: float,
            fp_cost: float, seed: int) -> dict:
    """Honest AUC/cost: each fold's threshold chosen on inner CV of the other folds (:mod:`training.honest`)."""
    est = build_pipeline(data.features, data.categorical, variant="smote", ratio=ratio, params=cb, seed=seed)

    def inner_predict(rows: np.ndarray) -> np.ndarray:
        X, y = data.X.iloc[rows], data.y[rows]
        inner = list(StratifiedKFold(prof.inner_folds, shuffle=True, random_state=seed + 1).split(X, y))
        return oof_predictions(est, X, y, inner, name="honest estimate, inner CV")

    out = honest_estimate(data.y, outer_oof, folds, inner_predict, fn_cost, fp_cost, seed=seed)
    out["inner_folds"] = prof.inner_folds
    return out


def train(data_dir: str | Path | None, out_dir: str | Path = "models", *, profile: str = "full",
          tracking_uri: str | None = None, seed: int = 42, fn_cost: float = FN_COST, fp_cost: float = FP_COST,
          n_iter: int | None = None) -> TrainResult:
    """Train, write a bundle under ``out_dir`` and log everything to MLflow."""
    os.environ.setdefault("DO_NOT_TRACK", "true")
    from scoring.config import resolve_data_dir

    prof = get_profile(profile)
    n_iter = n_iter or prof.n_iter
    data_dir = resolve_data_dir(data_dir)
    steps = Steps()
    log.info("training profile=%s data=%s out=%s seed=%d costs fn=%g fp=%g", prof.name, data_dir, out_dir, seed,
             fn_cost, fp_cost)
    data = load_training_data(data_dir, progress=lambda m: log.info("features: %s", m))
    X, y = data.X, data.y
    steps.done("features", f"{len(data.X_all):,} clients, {len(y):,} labelled ({y.mean():.2%} defaults), "
                           f"{len(data.features)} features")
    folds = list(StratifiedKFold(prof.folds, shuffle=True, random_state=seed).split(X, y))
    uri = tracking.setup(tracking_uri)

    with tracking.run(f"train-{prof.name}") as parent:
        tracking.log_params({"profile": prof.name, "folds": prof.folds, "n_iter": n_iter, "seed": seed,
                             "fn_cost": fn_cost, "fp_cost": fp_cost, "n_labelled": len(y),
                             "n_clients": len(data.X_all), "n_features": len(data.features),
                             "data_dir": str(data_dir), "data_fingerprint": data.fingerprint,
                             "synthetic": data.featureset.synthetic, **{f"base_{k}": v for k, v in prof.base_params.items()}})
        base = build_pipeline(data.features, data.categorical, ratio=prof.ratio, params=prof.base_params, seed=seed)

        def on_candidate(i: int, cand: dict) -> None:
            with tracking.run(f"candidate-{i:02d}", nested=True, tags={"kind": "search"}):
                tracking.log_params(cand["params"])
                row = summarise(f"candidate-{i}", y, cand["oof"], folds, fn_cost, fp_cost)
                tracking.log_metrics({"cv_auc": cand["auc_mean"], "cv_auc_std": cand["auc_std"],
                                      "business_cost": row["business_cost"], "fit_seconds": cand["fit_seconds"]})

        search = run_search(base, X, y, folds, prof.distributions, n_iter, seed, on_candidate)
        ratio, searched = _split_params(search.best_params)
        cb = {**prof.base_params, **searched}
        steps.done("search", f"best CV AUC {search.cv_auc:.4f} ± {search.cv_auc_std:.4f}, SMOTE ratio {ratio:.3f}, {cb}")

        ablation, comparison = _variants(data, folds, ratio, cb, search.oof, fn_cost, fp_cost, seed)
        for row in ablation + comparison:
            kind = "ablation" if row in ablation else "comparison"
            with tracking.run(f"{kind}-{row['variant']}", nested=True, tags={"kind": kind}):
                tracking.log_params({"variant": row["variant"]})
                tracking.log_metrics({k: v for k, v in row.items() if isinstance(v, float)})
        winner = min(ablation, key=lambda r: (r["business_cost"], -r["auc"]))["variant"]
        best_auc = max(ablation, key=lambda r: r["auc"])["variant"]
        steps.done("ablation_comparison", " | ".join(f"{r['variant']} AUC {r['auc']:.4f} cost {r['business_cost']:.4f}"
                                                    for r in ablation + comparison))

        cal = calibrate_oof(y, search.oof, seed=seed)
        thr = choose_threshold(y, cal.calibrated, fn_cost, fp_cost)
        metrics = classification_metrics(y, cal.calibrated, thr.threshold, fn_cost, fp_cost)
        metrics.update({"cv_auc": search.cv_auc, "cv_auc_std": search.cv_auc_std,
                        "auc_pooled_raw": float(roc_auc_score(y, search.oof)), "brier_raw": cal.summary["brier_raw"],
                        "brier": cal.summary["brier"], "source": "out-of-fold"})
        roc = roc_points(y, cal.calibrated)
        honest = _honest(data, folds, prof, ratio, cb, search.oof, fn_cost, fp_cost, seed)
        honest["in_sample"] = {"auc": metrics["auc"], "business_cost": thr.cost,
                               "label": "optimistic: threshold chosen on the same out-of-fold predictions"}
        metrics.update({"honest_auc": honest["auc"], "honest_auc_std": honest["auc_std"],
                        "honest_business_cost": honest["business_cost"],
                        "honest_business_cost_std": honest["business_cost_std"]})
        steps.done("calibration_threshold", f"{cal.summary['method']}, threshold {thr.threshold:.3f}, cost "
                                            f"{thr.cost:.4f} (in-sample) vs accept-all {thr.accept_all:.4f}, "
                                            f"Brier {cal.summary['brier_raw']:.4f} -> {cal.summary['brier']:.4f}; "
                                            f"honest cost {honest['business_cost']:.4f} ± {honest['business_cost_std']:.4f}, "
                                            f"AUC {honest['auc']:.4f} ± {honest['auc_std']:.4f}")

        groups = group_columns(data.featureset.applications.loc[data.ids])
        fair = fairness_report(y, cal.calibrated, groups, thr.threshold, n_boot=prof.fairness_bootstrap, seed=seed)
        base_row = next(r for r in ablation if r["variant"] == "smote")
        if prof.gender_variant:
            fair["gender_variant"] = _protected_variant(data, folds, ratio, cb, base_row, fn_cost, fp_cost, seed)
        else:
            fair["gender_variant"] = {"computed": False, "note": f"skipped in the {prof.name} profile (run the full profile)"}
        steps.done("fairness", "; ".join(
            f"{k} parity gap {v['demographic_parity_difference']['value']:.3f}" for k, v in fairness_summary(fair).items()
            if v["demographic_parity_difference"]["value"] is not None))

        final = build_pipeline(data.features, data.categorical, variant="smote", ratio=ratio, params=cb, seed=seed)
        final.fit(X, y)
        model = export_model(final)
        raw_all = model.predict_proba(data.X_all)[:, 1]
        check = float(np.max(np.abs(final.predict_proba(data.X_all)[:, 1] - raw_all)))
        probability = np.asarray(cal.calibrator.apply(raw_all), dtype=np.float64)
        steps.done("final_refit", f"pipeline vs exported model max |diff| {check:.2e}")

        labels = {f: label(f, "fr") for f in data.features}
        importance = global_importance(model, data.X_all, data.categorical, labels, prof.shap_sample, seed)
        oof_cal = cal.calibrated
        example_pos = int(np.argmin(np.abs(oof_cal - thr.threshold) + (y == 0) * 1.0))  # a defaulter near the threshold
        example_id = int(data.ids[example_pos])
        example = local_explanation(model, data.X_all.loc[[example_id]], data.categorical, labels)
        example.update({"id": example_id, "probability": float(probability[data.X_all.index.get_loc(example_id)]),
                        "known_outcome": int(y[example_pos])})
        steps.done("importance", ", ".join(r["feature"] for r in importance[:5]))

        version = make_version(data.fingerprint, cb | {"ratio": ratio}, seed)
        model_version = tracking.log_and_register(model)
        metadata = {
            "version": version, "created": datetime.now(UTC).isoformat(timespec="seconds"), "profile": prof.name,
            "data_dir": str(data_dir), "data_fingerprint": data.fingerprint, "synthetic": bool(data.featureset.synthetic),
            "n_clients": int(len(data.X_all)), "n_labelled": int(len(y)), "default_rate": float(y.mean()),
            "features": feature_entries(data.features, data.categorical), "categorical": list(data.categorical),
            "excluded_attributes": list(data.excluded),
            "threshold": thr.threshold, "threshold_scale": "calibrated probability",
            "costs": {"fn": fn_cost, "fp": fp_cost}, "metrics": metrics,
            "cost_curve": {**thr.curve, "accept_all": thr.accept_all, "best_cost": thr.cost},
            "importance": importance, "roc": roc, "calibration": cal.summary, "honest_estimate": honest,
            "ablation": ablation, "ablation_winner": {"by_cost": winner, "by_auc": best_auc, "shipped": "smote"},
            "comparison": comparison,
            "search": {"method": "RandomizedSearchCV", "metric": "roc_auc", "folds": prof.folds, "n_candidates": n_iter,
                       "best_params": cb, "smote_ratio": ratio, "cv_auc": search.cv_auc, "cv_auc_std": search.cv_auc_std,
                       "candidates": [{k: c[k] for k in ("params", "auc_mean", "auc_std", "fold_auc", "fit_seconds")}
                                      for c in search.candidates]},
            "fairness": {"summary": fairness_summary(fair), "gender_variant": fair["gender_variant"],
                         "threshold": thr.threshold},
            "example": example,
            "model": {"type": "CatBoostClassifier", "pipeline": [n for n, _ in final.steps], "params": cb,
                      "smote_ratio": ratio, "seed": seed, "serving_check_max_abs_diff": check},
            "mlflow": {"run_id": parent.info.run_id, "experiment": tracking.EXPERIMENT, "tracking_uri": uri,
                       "registered_model": tracking.REGISTERED_MODEL, "model_version": model_version,
                       "alias": tracking.ALIAS},
            "durations": steps.durations,
        }
        extras = {
            "neighbours": neighbours(data.featureset.frame),
            "population": population(X, y, data.categorical, labels),
            "fairness": fair,
            "oof": {"ids": data.ids, "probability": oof_cal.astype(np.float64), "raw": search.oof.astype(np.float64),
                    "target": y.astype(np.int64)},
        }
        bundle_path = write_bundle(out_dir, model=model, calibrator=cal.calibrator, metadata=metadata, data=data,
                                   probability=probability, extras=extras)
        steps.done("bundle", str(bundle_path))

        tracking.log_params({"best_" + k: v for k, v in cb.items()} | {"smote_ratio": ratio, "version": version})
        tracking.log_metrics({k: v for k, v in metrics.items() if k not in ("n", "threshold")})
        tracking.log_metrics({"threshold": thr.threshold, "accept_all_cost": thr.accept_all,
                              **{f"ablation_{r['variant']}_auc": r["auc"] for r in ablation},
                              **{f"ablation_{r['variant']}_cost": r["business_cost"] for r in ablation},
                              **{f"comparison_{r['variant']}_auc": r["auc"] for r in comparison},
                              **{f"duration_{k}": v for k, v in steps.durations.items()}})
        _log_artifacts(metadata, bundle_path)
        steps.done("mlflow")
        metadata["durations"] = steps.durations
    seconds = time.perf_counter() - steps.started
    metadata["durations"]["total"] = round(seconds, 2)
    metadata["durations"]["cpu_total"] = round(steps.cpu, 2)
    log.info("done in %.0fs: bundle %s (CV AUC %.4f, threshold %.3f, cost %.4f)", seconds, bundle_path,
             search.cv_auc, thr.threshold, thr.cost)
    return TrainResult(bundle_path=bundle_path, version=version, metrics=metrics, run_id=parent.info.run_id,
                       seconds=seconds, metadata=metadata)


def _log_artifacts(metadata: dict, bundle_path: Path) -> None:
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = [
            plots.cost_curve_plot(metadata["cost_curve"], metadata["threshold"], metadata["cost_curve"]["accept_all"],
                                  d / "cost_curve.png"),
            plots.roc_plot(metadata["roc"], metadata["metrics"]["auc"], d / "roc.png"),
            plots.reliability_plot(metadata["calibration"], d / "reliability.png"),
            plots.importance_plot(metadata["importance"], d / "importance.png"),
            plots.ablation_plot(metadata["ablation"], d / "ablation.png"),
        ]
        pd.DataFrame(metadata["ablation"]).to_csv(d / "ablation.csv", index=False)
        pd.DataFrame(metadata["comparison"]).to_csv(d / "comparison.csv", index=False)
        pd.DataFrame({"threshold": metadata["cost_curve"]["thresholds"], "cost": metadata["cost_curve"]["cost"]}).to_csv(
            d / "cost_curve.csv", index=False)
        pd.DataFrame([{**c["params"], "auc_mean": c["auc_mean"], "auc_std": c["auc_std"]}
                      for c in metadata["search"]["candidates"]]).to_csv(d / "search.csv", index=False)
        files += [d / "ablation.csv", d / "comparison.csv", d / "cost_curve.csv", d / "search.csv"]
        tracking.log_artifacts(files, "report")
        tracking.log_artifacts([bundle_path / "metadata.json", bundle_path / "extras" / "fairness.json"], "bundle")
