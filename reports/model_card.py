"""Model card of a trained bundle, as Markdown.

    python -m reports.model_card [--bundle PATH] [--out reports/model_card.md] [--drift reports/drift_summary.json]

:func:`render_model_card` is a pure function of plain dictionaries (the bundle's
``metadata.json``, its ``extras/fairness.json`` and the drift summary written by
``python -m reports.drift``) and imports nothing beyond the standard library, so the
scoring service can serve the same card (``GET /model/card``)::

    from reports.model_card import render_model_card
    markdown = render_model_card(bundle.metadata, bundle.extra("fairness"), drift_summary_or_None)

Figures are printed as stored (floats with 4 decimals); sections whose data the bundle
does not hold say so instead of inventing anything.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

DEFAULT_OUT = Path("reports") / "model_card.md"
DEFAULT_BUNDLE = Path(__file__).resolve().parent.parent / "models"
DEFAULT_DRIFT = Path("reports") / "drift_summary.json"

#: Friendly names of common metric keys (anything else is shown under its own key).
METRIC_NAMES = {
    "auc": "ROC AUC", "roc_auc": "ROC AUC", "pr_auc": "PR AUC (average precision)", "average_precision":
    "PR AUC (average precision)", "brier": "Brier score", "log_loss": "Log loss", "logloss": "Log loss",
    "ks": "Kolmogorov-Smirnov statistic", "gini": "Gini", "accuracy": "Accuracy", "precision": "Precision",
    "recall": "Recall (defaults caught)", "f1": "F1", "f2": "F2", "business_cost": "Business cost",
    "cost": "Business cost", "cost_per_client": "Business cost per client", "specificity": "Specificity",
    "default_rate": "Default rate", "approval_rate": "Approval rate", "n": "Clients evaluated",
    "cv_auc": "ROC AUC (cross-validation mean)", "cv_auc_std": "ROC AUC (cross-validation std)",
    "auc_pooled_raw": "ROC AUC (pooled out-of-fold, before calibration)", "brier_raw": "Brier score (before calibration)",
    "accept_all_cost": "Business cost if every applicant is accepted", "refusal_rate": "Refusal rate",
    "threshold": "Decision threshold", "tn": "True negatives (good clients accepted)",
    "fp": "False positives (good clients refused)", "fn": "False negatives (defaults accepted)",
    "tp": "True positives (defaults refused)", "source": "Evaluated on",
}

#: Fairness gap names (training.fairness) -> reading.
GAP_NAMES = {
    "demographic_parity_difference": "Demographic parity difference (approval-rate gap)",
    "equal_opportunity_difference": "Equal opportunity difference (gap in good clients approved)",
    "tpr_difference": "Gap in defaults caught (TPR)",
}
GROUP_COLUMNS = ("group", "count", "defaults", "default_rate", "approval_rate", "tpr", "fpr", "auc", "mean_score")

INTENDED_USE = (
    "Decision support for loan advisors assessing consumer-credit applications: the model estimates the "
    "calibrated probability that an applicant will have repayment difficulties, shown as a 0-100 score "
    "(the decision threshold maps to 50) with a suggested decision (approve below 45, advisor's review "
    "from 45 to 55, decline above 55) and the main factors behind it.",
    "The advisor makes and records the decision; every override is kept with its reason. The score is "
    "not meant to take a credit decision on its own, to price loans, or to assess populations or "
    "products other than those it was trained on.",
)

LIMITS = (
    "Trained on historical Home Credit applications: it reflects that lender's past acceptance policy "
    "(only accepted applicants have an observed outcome) and the period the data cover.",
    "Probabilities are calibrated on out-of-fold training scores; calibration can degrade when the "
    "applicant population drifts (see the drift status below and `python -m reports.drift`).",
    "Applicants without credit history (no bureau or previous-application rows) are scored from their "
    "application alone; their scores are less informed.",
    "Protected attributes (e.g. gender) and their proxies may carry historical bias; the fairness table "
    "must be reviewed before each release and decisions stay with a human advisor.",
    "Explanations (feature contributions) describe the model, not causes: they must not be read as "
    "what an applicant should change.",
)


# --------------------------------------------------------------------------- formatting


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        if abs(value) >= 1000:
            return f"{value:,.2f}"
        return f"{value:.4f}"
    if isinstance(value, list | tuple):
        if len(value) > 8:
            return f"[{len(value)} values]"
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value).replace("|", "\\|").replace("\n", " ")


def _plain(value) -> str:
    """Settings (costs, hyper-parameters) as written: 10 not 10.0000, 0.08 not 0.0800."""
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return _fmt(value)


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, object]]:
    """Scalars of a nested dict as ("a / b", value) pairs (lists of numbers are skipped: curves)."""
    out: list[tuple[str, object]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.extend(_flatten(value, f"{name} / "))
        elif _is_scalar(value):
            out.append((name, value))
    return out


def _metric_name(key: str) -> str:
    parts = key.split(" / ")
    parts[-1] = METRIC_NAMES.get(parts[-1].lower(), parts[-1])
    return " / ".join(parts)


def _table(rows: list[dict], columns: list[str] | None = None) -> list[str]:
    if not rows:
        return ["_(empty)_"]
    columns = columns or list(dict.fromkeys(k for row in rows for k in row if _is_scalar(row.get(k))))
    lines = ["| " + " | ".join(_fmt(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_fmt(row.get(c)) for c in columns) + " |")
    return lines


def _rows_of(value) -> list[dict] | None:
    """A list of row dicts out of the usual table shapes, else None."""
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        return value
    if isinstance(value, dict):
        for key in ("rows", "groups", "table", "items"):
            if isinstance(value.get(key), list) and all(isinstance(r, dict) for r in value[key]):
                return value[key]
        if value and all(isinstance(v, dict) and all(_is_scalar(x) for x in v.values()) for v in value.values()):
            return [{"group": k, **v} for k, v in value.items()]
    return None


# --------------------------------------------------------------------------- sections


def _gap_lines(attr: dict) -> list[str]:
    lines = []
    for key, label in GAP_NAMES.items():
        gap = attr.get(key)
        if isinstance(gap, dict) and "value" in gap:
            ci = (f" (95% CI {_fmt(gap.get('ci_low'))} - {_fmt(gap.get('ci_high'))})"
                  if gap.get("ci_low") is not None else "")
            lines.append(f"- {label}: {_fmt(gap['value'])}{ci}")
        elif _is_scalar(gap) and gap is not None:
            lines.append(f"- {label}: {_fmt(gap)}")
    return lines


def _section_fairness(fairness, summary=None) -> list[str]:
    out = ["## Fairness", ""]
    if not fairness and isinstance(summary, dict) and summary:
        out.append("Gaps between groups (bundle metadata; the per-group table is not in this bundle):")
        out.append("")
        for name, attr in summary.items():
            if isinstance(attr, dict):
                out += [f"### {name}", ""] + _gap_lines(attr) + [""]
        return out
    if not fairness:
        return out + ["No fairness table in this bundle (extras/fairness.json is absent): review the model "
                      "by group before release.", ""]
    if isinstance(fairness, dict) and isinstance(fairness.get("attributes"), dict):
        notes = []
        if fairness.get("threshold") is not None:
            notes.append(f"decision threshold {_fmt(fairness['threshold'])}")
        if fairness.get("min_group_size") is not None:
            notes.append(f"gaps over groups of at least {_fmt(fairness['min_group_size'])} clients")
        if fairness.get("bootstrap"):
            notes.append(f"95% confidence intervals from {_fmt(fairness['bootstrap'])} bootstrap resamples")
        if fairness.get("positive"):
            notes.append(f"positive class: {fairness['positive']}")
        if notes:
            out += ["Out-of-fold calibrated probabilities; " + "; ".join(notes) + ".", ""]
        for name, attr in fairness["attributes"].items():
            out += [f"### {name}", ""]
            rows = attr.get("groups") if isinstance(attr, dict) else None
            if isinstance(rows, list) and rows:
                present = [c for c in GROUP_COLUMNS if any(c in r for r in rows)]
                out += _table(rows, present) + [""]
            if isinstance(attr, dict):
                gaps = _gap_lines(attr)
                if gaps:
                    out += gaps + [""]
        return out
    rows = _rows_of(fairness)
    if rows is not None:
        return out + _table(rows) + [""]
    if isinstance(fairness, dict):
        notes = [(k, v) for k, v in fairness.items() if _is_scalar(v)]
        for key, value in fairness.items():
            sub = _rows_of(value)
            if sub is not None:
                out += [f"### {key}", ""] + _table(sub) + [""]
            elif isinstance(value, dict):
                scalars = [(k, v) for k, v in _flatten(value)]
                if scalars:
                    out += [f"### {key}", ""] + [f"- {k}: {_fmt(v)}" for k, v in scalars] + [""]
        out += [f"- {k}: {_fmt(v)}" for k, v in notes]
        if len(out) > 2:
            return out + [""]
    return out + ["```json", json.dumps(fairness, indent=2, default=str)[:4000], "```", ""]


def _section_drift(drift) -> list[str]:
    out = ["## Drift status", ""]
    if not drift:
        return out + ["No drift report yet: run `python -m reports.drift` (weekly in the `drift` workflow).", ""]
    verdict = drift.get("verdict") or {}
    out.append(f"- Report of {drift.get('generated_at', 'n/a')}: **{str(verdict.get('status', 'n/a')).upper()}**"
               + (f" - {'; '.join(verdict.get('reasons', []))}" if verdict.get("reasons") else ""))
    ref, cur = drift.get("reference") or {}, drift.get("current") or {}
    if ref or cur:
        out.append(f"- Reference: {ref.get('kind', 'n/a')} ({_fmt(ref.get('rows'))} rows); current: "
                   f"{cur.get('kind', 'n/a')} ({_fmt(cur.get('rows'))} rows)"
                   + (" - sampled for the comparison" if drift.get("sampled") else ""))
    if "n_columns" in drift:
        out.append(f"- Drifted columns: {_fmt(drift.get('n_drifted'))} of {_fmt(drift.get('n_columns'))} "
                   f"(share {_fmt(drift.get('share_drifted'))}); dataset drift: {_fmt(drift.get('dataset_drift'))}")
    top = [c for c in drift.get("drifted_columns") or []][:5]
    if top:
        out.append("- Most drifted: " + ", ".join(f"{c.get('column')} ({c.get('method')} {_fmt(c.get('score'))})"
                                                  for c in top))
    psi = drift.get("score_psi") or {}
    if psi.get("value") is not None:
        out.append(f"- Score PSI (training out-of-fold vs current): {_fmt(psi['value'])} ({psi.get('status')}; "
                   "< 0.1 stable, 0.1-0.25 watch, > 0.25 act)")
    else:
        out.append(f"- Score PSI: not computed ({psi.get('reason', 'n/a')})")
    if drift.get("model_version"):
        out.append(f"- Model version monitored: {drift['model_version']}")
    return out + [""]


def render_model_card(metadata: dict, fairness: dict | list | None = None, drift: dict | None = None) -> str:
    """The model card (Markdown) from bundle metadata, fairness extra and drift summary."""
    md = metadata or {}
    version = md.get("version", "unknown")
    out = [f"# Model card - credit default risk (version {version})", ""]
    if md.get("synthetic"):
        out += ["> **Trained on synthetic data**: figures below describe generated data, not real applicants.",
                ""]

    out += ["## Intended use", ""]
    intended = md.get("intended_use")
    out += ([str(intended)] if isinstance(intended, str) else list(INTENDED_USE)) + [""]

    out += ["## Data", ""]
    data_lines = []
    for key in ("data", "training_data", "dataset"):
        if isinstance(md.get(key), dict):
            data_lines += [f"- {_metric_name(k)}: {_fmt(v)}" for k, v in _flatten(md[key])]
    features = md.get("features") or []
    if features:
        n_cat = len(md.get("categorical") or [])
        data_lines.append(f"- Model features: {len(features)} ({n_cat} categorical)")
    for key, label in (("n_train", "Training applicants"), ("n_labelled", "Labelled applicants (training)"),
                       ("n_clients", "Applicants in the client store"), ("rows", "Rows"),
                       ("default_rate", "Default rate"), ("data_fingerprint", "Data fingerprint"),
                       ("data_dir", "Data directory")):
        if key in md and _is_scalar(md[key]):
            data_lines.append(f"- {label}: {_fmt(md[key])}")
    data_lines.append(f"- Synthetic data: {_fmt(bool(md.get('synthetic', False)))}")
    out += data_lines + [""]

    model_lines = []
    for key, label in (("model", "Model"), ("algorithm", "Algorithm"), ("profile", "Training profile"),
                       ("calibration_method", "Calibration"), ("calibration_kind", "Calibration")):
        if key in md and _is_scalar(md[key]):
            model_lines.append(f"- {label}: {_fmt(md[key])}")
    model = md.get("model")
    if isinstance(model, dict):
        if model.get("type"):
            pipeline = model.get("pipeline")
            model_lines.append(f"- Model: {model['type']}"
                               + (f" (training pipeline: {' -> '.join(map(str, pipeline))})"
                                  if isinstance(pipeline, list) else ""))
        if isinstance(model.get("params"), dict):
            model_lines.append(f"- Parameters: {_plain(model['params'])}")
        for key in ("smote_ratio", "seed"):
            if _is_scalar(model.get(key)) and model.get(key) is not None:
                model_lines.append(f"- {key.replace('_', ' ').capitalize()}: {_fmt(model[key])}")
    search = md.get("search")
    if isinstance(search, dict) and search.get("method"):
        model_lines.append(f"- Hyper-parameter search: {search['method']}, {_fmt(search.get('n_candidates'))} "
                           f"candidates, {_fmt(search.get('folds'))} folds, metric {search.get('metric', 'n/a')}"
                           + (f"; best CV AUC {_fmt(search['cv_auc'])} +/- {_fmt(search.get('cv_auc_std'))}"
                              if _num(search.get("cv_auc")) else ""))
    calibration = md.get("calibration")
    if isinstance(calibration, dict) and calibration.get("kind"):
        model_lines.append(f"- Calibration: {calibration['kind']} (fitted on out-of-fold scores)")
    for key in ("params", "hyperparameters", "best_params"):
        if isinstance(md.get(key), dict):
            model_lines.append(f"- {key.replace('_', ' ').capitalize()}: {_plain(md[key])}")
    importance = md.get("importance")
    if isinstance(importance, list) and importance:
        top = [e for e in importance if isinstance(e, dict) and "feature" in e][:10]
        if top:
            model_lines.append("- Most important features: " + ", ".join(
                f"{e.get('label') or e['feature']} ({e['feature']})" for e in top))
    if model_lines:
        out += ["## Model", ""] + model_lines + [""]

    out += ["## Metrics", ""]
    metrics = md.get("metrics")
    if isinstance(metrics, dict) and metrics:
        pairs = _flatten(metrics)
        out += ["| Metric | Value |", "|---|---|"] + [f"| {_metric_name(k)} | {_fmt(v)} |" for k, v in pairs]
    else:
        out.append("No metrics recorded in the bundle metadata.")
    calibration = md.get("calibration")
    if isinstance(calibration, dict) and calibration.get("brier") is not None:
        out += ["", f"Calibration (reliability on out-of-fold scores): Brier score {_fmt(calibration['brier'])}."]
    out.append("")

    out += ["## Threshold and costs", ""]
    threshold = md.get("threshold")
    costs = md.get("costs") or {}
    out.append(f"- Decision threshold (calibrated probability of default): {_fmt(threshold)} - maps to score 50")
    if isinstance(costs, dict) and costs:
        fn, fp = costs.get("fn"), costs.get("fp")
        out.append(f"- Costs: missed default (false negative) {_plain(fn)}, wrongly refused good client "
                   f"(false positive) {_plain(fp)}"
                   + (f" - a missed default weighs {fn / fp:g} times a refusal" if _num(fn) and _num(fp) and fp
                      else ""))
        extra = {k: v for k, v in costs.items() if k not in ("fn", "fp")}
        if extra:
            out.append(f"- Other cost settings: {_plain(extra)}")
    curve = md.get("cost_curve")
    if isinstance(curve, dict) and curve.get("thresholds") and curve.get("cost"):
        pairs = [(t, c) for t, c in zip(curve["thresholds"], curve["cost"], strict=False) if _num(t) and _num(c)]
        if pairs:
            best = min(pairs, key=lambda tc: tc[1])
            out.append(f"- Cost curve: minimum cost {_fmt(float(best[1]))} at threshold {_fmt(float(best[0]))} "
                       f"({len(pairs)} thresholds evaluated)")
    out += ["- Bands: approve below score 45, advisor's review 45-55, decline above 55.", ""]

    out += _section_fairness(fairness, (md.get("fairness") or {}).get("summary")
                             if isinstance(md.get("fairness"), dict) else None)

    out += ["## Limits", ""] + [f"- {line}" for line in LIMITS]
    n_labelled = md.get("n_labelled") or md.get("n_train")
    if _num(n_labelled) and n_labelled < 100_000:
        out.append(f"- Trained on {int(n_labelled):,} labelled applicants only (the full Kaggle training set has "
                   "307,511): metrics and fairness gaps carry wide uncertainty (see the confidence intervals).")
    if md.get("synthetic"):
        out.append("- Trained on synthetic data: for demonstration and testing only, not for real decisions.")
    for line in md.get("limitations") or []:
        out.append(f"- {line}")
    out.append("")

    out += _section_drift(drift)

    out += ["## Version", ""]
    for key, label in (("version", "Model version"), ("created", "Created"),
                       ("data_fingerprint", "Data fingerprint"), ("code_version", "Code version"),
                       ("git_commit", "Code commit"), ("mlflow_run_id", "MLflow run")):
        if md.get(key) is not None:
            out.append(f"- {label}: {_fmt(md[key])}")
    mlflow = md.get("mlflow")
    if isinstance(mlflow, dict):
        for key, label in (("run_id", "MLflow run"), ("registered_model", "Registered model"),
                           ("model_version", "Registered model version"), ("alias", "Alias")):
            if mlflow.get(key) is not None:
                out.append(f"- {label}: {_fmt(mlflow[key])}")
    out.append("")
    return "\n".join(out)


def _num(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --------------------------------------------------------------------------- CLI


def _bundle_dir(path: Path) -> Path:
    pointer = path / "CURRENT"
    if pointer.exists():
        name = pointer.read_text().strip()
        if not name:
            raise FileNotFoundError(f"{pointer} is empty")
        return path / name
    return path


def load_inputs(bundle: Path, drift_path: Path | None) -> tuple[dict, object, dict | None]:
    """(metadata, fairness or None, drift summary or None) read with the standard library."""
    bundle_dir = _bundle_dir(bundle)
    meta_path = bundle_dir / "metadata.json"
    if not meta_path.exists():
        raise FileNotFoundError(f"{meta_path} does not exist (train a bundle with `python -m training`)")
    metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    fairness_path = bundle_dir / "extras" / "fairness.json"
    fairness = json.loads(fairness_path.read_text(encoding="utf-8")) if fairness_path.exists() else None
    drift = None
    if drift_path is not None and drift_path.exists():
        drift = json.loads(drift_path.read_text(encoding="utf-8"))
    return metadata, fairness, drift


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reports.model_card", description="Write the model card (Markdown).")
    p.add_argument("--bundle", type=Path,
                   default=Path(os.environ.get("MODEL_BUNDLE", "").strip() or DEFAULT_BUNDLE),
                   help="bundle directory or models root (default MODEL_BUNDLE, else models/)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output Markdown file")
    p.add_argument("--drift", type=Path,
                   default=Path(os.environ.get("DRIFT_SUMMARY", "").strip() or DEFAULT_DRIFT),
                   help="drift summary JSON (default DRIFT_SUMMARY, else reports/drift_summary.json)")
    a = p.parse_args(argv)
    try:
        metadata, fairness, drift = load_inputs(a.bundle, a.drift)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"model_card: error: {exc}", file=sys.stderr)
        return 2
    text = render_model_card(metadata, fairness, drift)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text, encoding="utf-8")
    print(f"model card: {a.out} (model {metadata.get('version')}; drift summary "
          f"{'included' if drift else 'absent'}; fairness {'included' if fairness else 'absent'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
