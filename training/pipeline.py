"""Training orchestration: data -> search -> bagging -> ablation/comparison -> calibration, threshold, metrics
-> honest estimate -> fairness -> final refit -> importance -> bundle + MLflow. ``train()`` is what the
CLI and the tests call; each step is a function of :mod:`training.steps`."""

from __future__ import annotations

import logging
import resource
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

from scoring.cost import FN_COST, FP_COST
from training import budget, plots, steps, tracking
from training.dataset import load_training_data
from training.export import becomes_champion, make_version, write_bundle
from training.fairness import fairness_summary
from training.profiles import get_profile

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    bundle_path: Path
    version: str
    metrics: dict
    run_id: str | None
    seconds: float
    metadata: dict = field(default_factory=dict)
    steps: list[dict] = field(default_factory=list)  # per step: wall and CPU seconds, peak RSS so far


class StepTimer:
    """Per-step progress lines with timings; ``steps`` also holds each step's CPU seconds and the peak RSS
    reached by its end (what ``bench/training.py`` prints)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.durations: dict[str, float] = {}
        self.steps: list[dict] = []
        self._t = self.started
        self._cpu = self.cpu_started

    @property
    def cpu(self) -> float:
        """CPU seconds of this process so far (all threads): steadier than wall time on a busy machine."""
        return time.process_time() - self.cpu_started

    def done(self, name: str, message: str = "") -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.durations[name] = round(now - self._t, 2)
        self.steps.append({"step": name, "wall": self.durations[name], "cpu": round(cpu - self._cpu, 2),
                           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)})
        self._t, self._cpu = now, cpu
        log.info("[%6.1fs wall, %6.1fs CPU] %s done in %.1fs%s", now - self.started, self.cpu, name,
                 self.durations[name], f" - {message}" if message else "")


def train(data_dir: str | Path | None, out_dir: str | Path = "models", *, profile: str = "full",
          tracking_uri: str | None = None, seed: int = 42, fn_cost: float = FN_COST, fp_cost: float = FP_COST,
          n_iter: int | None = None, promote: bool | None = None,
          time_budget: budget.Budget | None = None) -> TrainResult:
    """Train, write a bundle under ``out_dir`` and log everything to MLflow. The bundle becomes the champion
    when ``out_dir`` has none yet, or as ``promote`` says (:func:`training.export.becomes_champion`). On a large
    data set the cross-validated steps run on a stratified subsample sized by ``time_budget``
    (:mod:`training.budget`)."""
    from scoring.config import resolve_data_dir

    prof = get_profile(profile)
    data_dir = resolve_data_dir(data_dir)
    timer = StepTimer()
    log.info("training profile=%s data=%s out=%s seed=%d costs fn=%g fp=%g", prof.name, data_dir, out_dir, seed,
             fn_cost, fp_cost)
    data = load_training_data(data_dir, progress=lambda m: log.info("features: %s", m))
    y = data.y
    timer.done("features", f"{len(data.X_all):,} clients, {len(y):,} labelled ({y.mean():.2%} defaults), "
                           f"{len(data.features)} features (excluded: {', '.join(data.excluded) or 'none'})")
    n_iter = n_iter or prof.n_iter
    plan = budget.make_plan(data, prof, n_iter, seed, time_budget, elapsed=time.perf_counter() - timer.started)
    cv = budget.subset(data, plan)
    n_iter = plan.n_iter or n_iter
    timer.done("budget", f"cross-validated steps on {plan.cv_rows:,} of {plan.n_labelled:,} labelled rows "
                         f"({plan.reason})")
    folds = list(StratifiedKFold(prof.folds, shuffle=True, random_state=seed).split(cv.X, cv.y))
    run = steps.Run(data=cv, folds=folds, profile=prof, n_iter=n_iter, seed=seed, fn_cost=fn_cost,
                    fp_cost=fp_cost, data_dir=Path(data_dir), full=data, plan=plan)
    uri = tracking.setup(tracking_uri)

    with tracking.run(f"train-{prof.name}") as parent:
        tracking.log_params({"profile": prof.name, "folds": prof.folds, "n_iter": run.n_iter, "seed": seed,
                             "fn_cost": fn_cost, "fp_cost": fp_cost, "n_labelled": len(y),
                             "cv_rows": plan.cv_rows, "subsampled": plan.subsampled,
                             "n_clients": len(data.X_all), "n_features": len(data.features),
                             "excluded_attributes": ",".join(data.excluded),
                             "data_dir": str(data_dir), "data_fingerprint": data.fingerprint,
                             "synthetic": data.featureset.synthetic,
                             **{f"base_{k}": v for k, v in prof.base_params.items()}})
        searched = steps.search(run, lambda i, cand: steps.log_candidate(run, i, cand))
        timer.done("search", f"best CV AUC {searched.result.cv_auc:.4f} ± {searched.result.cv_auc_std:.4f}, "
                             f"SMOTE ratio {searched.ratio:.3f}, {searched.params}, trees per fold "
                             f"{searched.result.best_iterations} -> refit {searched.result.refit_iterations}")

        searched = steps.bag(run, searched)
        bagging = searched.bagging
        if searched.members > 1:
            timer.done("bagging", f"{searched.members} seeds averaged: CV AUC {bagging['cv_auc']:.4f} ± "
                                  f"{bagging['cv_auc_std']:.4f} (one model {bagging['single_cv_auc']:.4f}), "
                                  f"refit {bagging['refit_iterations']} trees per member")
        elif run.bags > 1:
            timer.done("bagging", bagging["reason"])

        ablation, comparison = steps.variants(run, searched)
        steps.log_variants(ablation, comparison)
        timer.done("ablation_comparison", " | ".join(f"{r['variant']} AUC {r['auc']:.4f} cost {r['business_cost']:.4f}"
                                                    for r in ablation + comparison))

        cal, thr, metrics, roc = steps.calibration(run, searched)
        timer.done("calibration_threshold", f"{cal.summary['method']}, threshold {thr.threshold:.3f}, cost "
                                            f"{thr.cost:.4f} (in-sample) vs accept-all {thr.accept_all:.4f}, "
                                            f"Brier {cal.summary['brier_raw']:.4f} -> {cal.summary['brier']:.4f}")

        honest = steps.honest(run, searched, {"auc": metrics["auc"], "business_cost": thr.cost})
        metrics.update({"honest_auc": honest["auc"], "honest_auc_std": honest["auc_std"],
                        "honest_business_cost": honest["business_cost"],
                        "honest_business_cost_std": honest["business_cost_std"]})
        timer.done("honest_estimate", f"cost {honest['business_cost']:.4f} ± {honest['business_cost_std']:.4f}, "
                                      f"AUC {honest['auc']:.4f} ± {honest['auc_std']:.4f} (in-sample cost {thr.cost:.4f})")

        held, subsample, cv_cal = None, None, cal
        if run.has_holdout:  # subsampled: the shipped model is refit without the holdout, chosen and scored on it
            final = steps.refit(run, searched, None)
            timer.done("final_refit", f"on {final.rows['labelled']:,} rows (holdout of {final.rows['held_out']:,} "
                                      f"left out), pipeline vs exported model max |diff| {final.check:.2e}")
            held = steps.holdout(run, final)
            subsample = {**honest, "label": "nested CV on the cross-validated subsample (models trained on "
                                            f"{run.plan.cv_rows:,} rows; not the shipped model)",
                         "calibration": cal.summary["method"], "threshold": thr.threshold,
                         "metrics": metrics}
            cal, thr, metrics = held.calibration, held.threshold, held.metrics
            est = held.estimate
            metrics.update({"cv_auc": searched.cv_auc[0], "cv_auc_std": searched.cv_auc[1],
                            "honest_auc": est["auc"], "honest_auc_std": est["auc_std"],
                            "honest_business_cost": est["business_cost"],
                            "honest_business_cost_std": est["business_cost_std"]})
            honest = est
            timer.done("holdout", f"{cal.summary['method']}, threshold {thr.threshold:.3f} chosen on "
                                  f"{est['in_sample']['n']:,} rows; report half ({est['n']:,} rows) cost "
                                  f"{est['business_cost']:.4f} ± {est['business_cost_std']:.4f}, AUC {est['auc']:.4f}")

        fair = steps.fairness(run, searched, cal, thr, ablation, held)
        timer.done("fairness", "; ".join(
            f"{k} parity gap {v['demographic_parity_difference']['value']:.3f}" for k, v in fairness_summary(fair).items()
            if v["demographic_parity_difference"]["value"] is not None))

        if held is None:
            final = steps.refit(run, searched, cal)
            timer.done("final_refit", f"pipeline vs exported model max |diff| {final.check:.2e}")

        ranked, example = steps.importance(run, final, cal, thr)
        timer.done("importance", ", ".join(r["feature"] for r in ranked[:5]))

        version = make_version(data.fingerprint, searched.refit_params | {"ratio": searched.ratio}, seed)
        champion = becomes_champion(out_dir, promote)
        alias = tracking.ALIAS if champion else None
        mlflow_info = {"run_id": parent.info.run_id, "experiment": tracking.EXPERIMENT, "tracking_uri": uri,
                       "registered_model": tracking.REGISTERED_MODEL,
                       "model_version": tracking.log_and_register(final.model, alias=alias), "alias": alias}
        metadata = steps.metadata(run, version=version, s=searched, r=final, cal=cal, thr=thr, metrics=metrics,
                                  roc=roc, honest_est=honest, ablation=ablation, comparison=comparison, fair=fair,
                                  ranked=ranked, example=example, mlflow=mlflow_info, durations=timer.durations,
                                  held=held, subsample=subsample)
        bundle_path = write_bundle(out_dir, model=final.model, calibrator=cal.calibrator, metadata=metadata,
                                   data=data, probability=final.probability,
                                   extras=steps.extras(run, searched, cv_cal, fair, final, held), make_current=champion)
        timer.done("bundle", f"{bundle_path} ({'the champion' if champion else 'not the champion: python -m training.promote ' + version + ' after the check'})")

        _log_results(metadata, ablation, comparison, timer)
        _log_artifacts(metadata, bundle_path)
        timer.done("mlflow")
        metadata["durations"] = timer.durations
    seconds = time.perf_counter() - timer.started
    metadata["durations"]["total"] = round(seconds, 2)
    metadata["durations"]["cpu_total"] = round(timer.cpu, 2)
    log.info("done in %.0fs: bundle %s (CV AUC %.4f, threshold %.3f, cost %.4f in-sample, %.4f honest)", seconds,
             bundle_path, searched.cv_auc[0], thr.threshold, thr.cost, honest["business_cost"])
    return TrainResult(bundle_path=bundle_path, version=version, metrics=metrics, run_id=parent.info.run_id,
                       seconds=seconds, metadata=metadata, steps=timer.steps)


def _log_results(metadata: dict, ablation: list[dict], comparison: list[dict], timer: StepTimer) -> None:
    metrics = metadata["metrics"]
    tracking.log_params({"best_" + k: v for k, v in metadata["model"]["params"].items()}
                        | {"smote_ratio": metadata["model"]["smote_ratio"], "version": metadata["version"],
                           "members": metadata["model"]["bagging"].get("bags", 1)})
    tracking.log_metrics({k: v for k, v in metrics.items() if k not in ("n", "threshold")})
    tracking.log_metrics({"threshold": metadata["threshold"], "accept_all_cost": metadata["cost_curve"]["accept_all"],
                          **{f"ablation_{r['variant']}_auc": r["auc"] for r in ablation},
                          **{f"ablation_{r['variant']}_cost": r["business_cost"] for r in ablation},
                          **{f"comparison_{r['variant']}_auc": r["auc"] for r in comparison},
                          **{f"duration_{k}": v for k, v in timer.durations.items()}})


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
