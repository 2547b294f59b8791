"""Data-drift report: training applicants (reference) vs current applicants, with evidently.

Command line and orchestration of ``python -m reports.drift`` (:func:`main`, :func:`run`);
the usage is in the package docstring (:mod:`reports.drift`), the method in the modules it lists.

Outputs
-------
``--out`` (default ``reports/drift.html``): evidently's HTML report with a banner on
top (sources, sizes, sampling, verdict, score PSI). Next to it (or ``--summary``),
``drift_summary.json``, served by the service at ``GET /monitoring/summary`` and read
by the dashboard's Monitoring page and the methodology note. Shape (schema_version 1)::

    {
      "schema_version": 1,
      "generated_at": "2026-01-31T12:00:00Z",          # UTC, ISO 8601
      "report_html": "reports/drift.html",
      "model_version": "20260131-1200" | null, "bundle": "models/..." | null,
      "reference": {"source": "<path>", "kind": "application_train" | "file",
                    "rows": 307511, "rows_compared": 50000, "synthetic": false},
      "current":   {"source": "<path or database>", "kind": "application_test" | "file" | "prediction_log",
                    "rows": 48744, "rows_compared": 48744,
                    # prediction_log only:
                    "first_time": "...", "last_time": "...", "skipped_lines": 0,
                    "model_versions": {"<version>": n}},
      "sampled": true,
      "sampling": {"max_rows": 50000, "seed": 42, "reference_rows": 50000, "current_rows": 48744,
                   "note": "reference sampled from 307,511 to 50,000 rows (seed 42) ..."},
      "columns_basis": {"kind": "bundle_importance" | "application" | "explicit",
                        "description": "...", "compared": 80,
                        "skipped": [{"column": "...", "reason": "..."}]},
      "n_columns": 80, "n_drifted": 3, "share_drifted": 0.0375,
      "drift_share_threshold": 0.5, "dataset_drift": false,
      "columns": [                                       # every compared column, most drifted first
        {"rank": 1, "column": "EXT_SOURCE_3", "label": "...", "label_en": "...",
         "score": 0.31, "method": "Wasserstein distance (normed)", "method_id": "wasserstein",
         "threshold": 0.1, "higher_is_drift": true, "drifted": true,
         "strength": 3.1,                                # score/threshold, or log(p)/log(threshold)
         "importance_rank": 1 | null, "n_eff": 24600.0,
         "missing_reference": 0.19, "missing_current": 0.18}, ...],
      "drifted_columns": [ ...the entries of "columns" with drifted = true... ],
      "missing_shift_columns": [{"column", "label", "missing_reference", "missing_current"}, ...],
      "score_psi": {"value": 0.04, "status": "stable" | "watch" | "act", "bins": 10,
                    "thresholds": {"watch": 0.1, "act": 0.25},
                    "of": "calibrated probability of default (same bins as the 0-100 score)",
                    "reference": {"source": "bundle extra oof (training out-of-fold)", "n": 307511},
                    "current": {"source": "...", "n": 48744},
                    "table": {"edges": [...], "reference_share": [...], "current_share": [...],
                              "contribution": [...]}}
                   | {"value": null, "status": null, "reason": "no model bundle"},
      "verdict": {"status": "stable" | "watch" | "act", "dataset_drift": false,
                  "reasons": ["3 of 80 columns drifted: EXT_SOURCE_3, ..."]},
      "notes": ["..."],
      "timings": {"load_s": 4.1, "psi_s": 1.0, "report_s": 31.2, "total_s": 38.0}
    }

Exit status: 0 report written; 2 bad or empty input (message names the file);
3 report written but the score PSI exceeds ``--fail-on-psi``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reports.drift.columns import DEFAULT_TOP, ColumnPlan, categorical_columns, plan_columns, restrict
from reports.drift.comparison import DEFAULT_DRIFT_SHARE, compare, sample_rows
from reports.drift.errors import DriftInputError
from reports.drift.html import banner_html, write_html
from reports.drift.populations import (
    TEST,
    TRAIN,
    Population,
    _empty_message,
    has_data_rows,
    load_dir,
    load_file,
    load_log,
    load_log_database,
    table_file,
)
from reports.drift.ranking import missing_shifts, rank, verdict
from reports.drift.scores import model_scores, reference_scores, score_psi

REPO_ROOT = Path(__file__).resolve().parents[2]  # reports/drift/cli.py -> repository root
DEFAULT_OUT = Path("reports") / "drift.html"
SUMMARY_NAME = "drift_summary.json"
DEFAULT_LOG = REPO_ROOT / "var" / "predictions.jsonl"
DEFAULT_BUNDLE = REPO_ROOT / "models"
DEFAULT_MAX_ROWS = 50_000
DEFAULT_SEED = 42
SCHEMA_VERSION = 1

EXIT_OK, EXIT_INPUT, EXIT_PSI = 0, 2, 3


@dataclass
class Options:
    reference: str | None = None
    current: str | None = None
    log: str | None = None
    out: Path = DEFAULT_OUT
    summary: Path | None = None
    bundle: str | None = None
    no_bundle: bool = False
    top: int = DEFAULT_TOP
    max_rows: int | None = DEFAULT_MAX_ROWS
    seed: int = DEFAULT_SEED
    drift_share: float = DEFAULT_DRIFT_SHARE
    fail_on_psi: float | None = None
    columns: list[str] | None = None
    database_url: str | None = None
    since: str | None = None
    until: str | None = None


def open_bundle(opts: Options):
    """The bundle to use, or None. An explicitly named bundle that cannot be opened is an error."""
    if opts.no_bundle:
        return None
    from scoring.bundle import BundleError, load_bundle, resolve

    explicit = opts.bundle or os.environ.get("MODEL_BUNDLE", "").strip() or None
    path = Path(explicit) if explicit else DEFAULT_BUNDLE
    if not explicit and not (resolve(path) / "metadata.json").exists():
        return None
    try:
        return load_bundle(path, load_model=False)
    except BundleError as exc:
        raise DriftInputError(str(exc), file=exc.file or path) from None


def _is_log(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "log"


def log_database_url(opts: Options) -> str | None:
    """The database holding the prediction log: --database-url, else DATABASE_URL unless a log file is named
    (--log, or a PREDICTION_LOG path)."""
    if opts.database_url:
        return opts.database_url
    if opts.log:
        return None
    env_log = os.environ.get("PREDICTION_LOG", "").strip()
    if env_log and env_log.lower() not in ("database", "db"):
        return None
    return os.environ.get("DATABASE_URL", "").strip() or None


def load_populations(opts: Options, plan: ColumnPlan, bundle) -> tuple[Population, Population]:
    """Reference and current applicants; the current set's emptiness is checked first."""
    if opts.reference:
        ref_path = Path(opts.reference).expanduser()
    else:
        from scoring.config import resolve_data_dir

        ref_path = resolve_data_dir()
    if not ref_path.exists():
        raise DriftInputError(f"reference {ref_path} does not exist", file=ref_path)

    # current first: an empty current set must fail before any heavy reading
    if _is_log(opts.current) or (opts.current is None and opts.log):
        if log_database_url(opts):
            current = load_log_database(log_database_url(opts), opts.since, opts.until)
        else:
            log_path = Path(opts.log or os.environ.get("PREDICTION_LOG", "").strip() or DEFAULT_LOG).expanduser()
            current = load_log(log_path)
    else:
        cur_path = Path(opts.current).expanduser() if opts.current else ref_path
        if not cur_path.exists():
            raise DriftInputError(f"current {cur_path} does not exist", file=cur_path)
        if cur_path.is_dir():
            test_file = table_file(cur_path, TEST)
            if not has_data_rows(test_file):
                raise DriftInputError(_empty_message(test_file, "the current set (application_test)"),
                                      file=test_file)
            current = load_dir(cur_path, TEST, full=plan.needs_history or bundle is not None)
        elif opts.current is None:
            raise DriftInputError(f"reference {ref_path} is a file: say which current set to use with "
                                  f"--current DIR|FILE|log", file=ref_path)
        else:
            current = load_file(cur_path)

    if ref_path.is_dir():
        reference = load_dir(ref_path, TRAIN, full=plan.needs_history)
    else:
        reference = load_file(ref_path)
    if reference.rows == 0:
        raise DriftInputError(f"the reference set is empty: {reference.source} has no rows", file=reference.source)
    if current.rows == 0:
        raise DriftInputError(_empty_message(Path(current.source), "the current set"), file=current.source)
    return reference, current


def run(opts: Options) -> tuple[dict, int]:
    """Build the report and summary; return (summary, exit status)."""
    started = time.perf_counter()
    bundle = open_bundle(opts)
    plan = plan_columns(bundle.metadata if bundle is not None else None, top=opts.top)
    if opts.columns:
        plan = restrict(plan, opts.columns)
    reference, current = load_populations(opts, plan, bundle)
    t_load = time.perf_counter()
    notes: list[str] = []

    # score PSI: all scores, no sampling
    if bundle is None:
        psi = score_psi(None, None, "", "", reason="no model bundle (give --bundle or MODEL_BUNDLE)")
    else:
        ref_scores, ref_source = reference_scores(bundle)
        if current.probability is not None:
            cur_scores = current.probability
            cur_source = f"prediction log probabilities ({current.source})"
            other = {v: n for v, n in current.info.get("model_versions", {}).items() if v != bundle.version}
            if other:
                notes.append(f"{sum(other.values())} logged request(s) were scored by another model version "
                             f"than the bundle's {bundle.version}: {other}")
        else:
            cur_scores = model_scores(bundle, current.frame)
            cur_source = f"bundle model {bundle.version} applied to the current applicants' features"
            if current.kind == "file":
                from scoring.features.history import history_feature_names

                given = [c for c in history_feature_names() if c in current.frame and current.frame[c].notna().any()]
                if not given:
                    notes.append("the current file has no history features: it was scored as applicants "
                                 "without credit history (as the service does without history rows)")
        psi = score_psi(ref_scores, cur_scores, ref_source, cur_source)
        if "in-sample" in ref_source:
            notes.append("score PSI reference is the store's in-sample probabilities (no oof extra in the bundle)")
    t_psi = time.perf_counter()

    ref_sample = sample_rows(reference.frame, opts.max_rows, opts.seed)
    cur_sample = sample_rows(current.frame, opts.max_rows, opts.seed + 1)
    sampled = len(ref_sample) < reference.rows or len(cur_sample) < current.rows
    parts = []
    if len(ref_sample) < reference.rows:
        parts.append(f"reference sampled from {reference.rows:,} to {len(ref_sample):,} rows")
    if len(cur_sample) < current.rows:
        parts.append(f"current sampled from {current.rows:,} to {len(cur_sample):,} rows")
    note = ("; ".join(parts) + f" (uniform without replacement, seed {opts.seed}, --max-rows {opts.max_rows:,}); "
            "the score PSI uses every score") if sampled else "none: every row compared"

    snapshot, results, skipped = compare(ref_sample, cur_sample, plan.columns, categorical_columns(),
                                         drift_share=opts.drift_share)
    t_report = time.perf_counter()
    columns = rank(results, plan)
    n_drifted = sum(c["drifted"] for c in columns)
    share = n_drifted / len(columns)
    dataset_drift = share >= opts.drift_share
    missing = missing_shifts(columns + [{**s, "label": plan.labels.get(s["column"], s["column"])}
                                        for s in skipped if "missing_reference" in s])
    if skipped:
        notes.append(f"{len(skipped)} column(s) not compared: "
                     + ", ".join(f"{s['column']} ({s['reason']})" for s in skipped[:8])
                     + (", ..." if len(skipped) > 8 else ""))

    out = Path(opts.out)
    summary_path = Path(opts.summary) if opts.summary else out.with_name(SUMMARY_NAME)
    ref_info = {"source": reference.source, "kind": reference.kind, "rows": reference.rows,
                "rows_compared": len(ref_sample)}
    if "synthetic" in reference.info:
        ref_info["synthetic"] = bool(reference.info["synthetic"])
    cur_info = {"source": current.source, "kind": current.kind, "rows": current.rows,
                "rows_compared": len(cur_sample), **{k: v for k, v in current.info.items() if k != "synthetic"}}
    summary = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "report_html": str(out),
        "model_version": bundle.version if bundle is not None else None,
        "bundle": str(bundle.path) if bundle is not None else None,
        "reference": ref_info,
        "current": cur_info,
        "sampled": bool(sampled),
        "sampling": {"max_rows": opts.max_rows, "seed": opts.seed, "reference_rows": len(ref_sample),
                     "current_rows": len(cur_sample), "note": note},
        "columns_basis": {"kind": plan.basis, "description": plan.description, "compared": len(columns),
                          "skipped": skipped},
        "n_columns": len(columns),
        "n_drifted": n_drifted,
        "share_drifted": round(share, 6),
        "drift_share_threshold": opts.drift_share,
        "dataset_drift": bool(dataset_drift),
        "columns": columns,
        "drifted_columns": [c for c in columns if c["drifted"]],
        "missing_shift_columns": missing,
        "score_psi": psi,
        "verdict": verdict(columns, dataset_drift, psi, opts.drift_share, missing),
        "notes": notes,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    write_html(snapshot, out, banner_html(summary))
    summary["timings"] = {"load_s": round(t_load - started, 2), "psi_s": round(t_psi - t_load, 2),
                          "report_s": round(t_report - t_psi, 2),
                          "total_s": round(time.perf_counter() - started, 2)}
    tmp = summary_path.with_name(summary_path.name + ".tmp")
    tmp.write_text(json.dumps(summary, indent=2, allow_nan=False), encoding="utf-8")
    os.replace(tmp, summary_path)

    status = EXIT_OK
    if opts.fail_on_psi is not None and psi.get("value") is not None and psi["value"] > opts.fail_on_psi:
        status = EXIT_PSI
    return summary, status


def parse_args(argv: list[str] | None = None) -> Options:
    p = argparse.ArgumentParser(prog="python -m reports.drift", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reference", help="data directory (its application_train) or CSV/Parquet file "
                                       "(default: HOME_CREDIT_DATA, else the synthetic data)")
    p.add_argument("--current", help="data directory (its application_test), CSV/Parquet/JSONL file, or 'log' "
                                      "for the prediction log (default: the reference directory's application_test)")
    p.add_argument("--log", help="prediction log path for --current log (default: PREDICTION_LOG, "
                                 "else var/predictions.jsonl)")
    p.add_argument("--database-url", help="database holding the prediction log for --current log "
                                          "(default: DATABASE_URL, unless --log or a PREDICTION_LOG file is given)")
    p.add_argument("--since", help="--current log: first scoring time included (e.g. 2026-01-01)")
    p.add_argument("--until", help="--current log: scorings before this time")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="HTML report path (default reports/drift.html)")
    p.add_argument("--summary", type=Path, help=f"summary JSON path (default: {SUMMARY_NAME} next to --out)")
    p.add_argument("--bundle", help="model bundle (or models root); default MODEL_BUNDLE, else models/ if present")
    p.add_argument("--no-bundle", action="store_true", help="ignore any bundle: application columns, no score PSI")
    p.add_argument("--top", type=int, default=DEFAULT_TOP, help="most important features compared (bundle)")
    p.add_argument("--max-rows", type=int, default=DEFAULT_MAX_ROWS,
                   help="sample each side down to this many rows (0 = never sample)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="sampling seed")
    p.add_argument("--drift-share", type=float, default=DEFAULT_DRIFT_SHARE,
                   help="share of drifted columns that makes dataset drift (default 0.5)")
    p.add_argument("--fail-on-psi", type=float, metavar="PSI",
                   help="exit with status 3 when the score PSI exceeds this (e.g. 0.25); "
                        "status 2 when no PSI can be computed")
    p.add_argument("--columns", help="compare only these comma-separated feature columns")
    a = p.parse_args(argv)
    if a.top < 1:
        p.error("--top must be >= 1")
    if a.max_rows < 0:
        p.error("--max-rows must be >= 0")
    return Options(reference=a.reference, current=a.current, log=a.log, out=a.out, summary=a.summary,
                   bundle=a.bundle, no_bundle=a.no_bundle, top=a.top, max_rows=a.max_rows or None,
                   seed=a.seed, drift_share=a.drift_share, fail_on_psi=a.fail_on_psi,
                   columns=[c.strip() for c in a.columns.split(",") if c.strip()] if a.columns else None,
                   database_url=a.database_url, since=a.since, until=a.until)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    opts = parse_args(argv)
    from scoring.bundle import BundleError
    from scoring.data import DataError

    try:
        if opts.fail_on_psi is not None and opts.no_bundle:
            raise DriftInputError("--fail-on-psi needs the model's scores: drop --no-bundle and give --bundle")
        summary, status = run(opts)
    except (DriftInputError, BundleError, DataError) as exc:
        print(f"drift: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    psi = summary["score_psi"]
    print(f"drift report: {summary['report_html']} (summary {Path(opts.summary or Path(opts.out).with_name(SUMMARY_NAME))})")
    print(f"  reference {summary['reference']['rows']:,} rows, current {summary['current']['rows']:,} rows; "
          f"sampling: {summary['sampling']['note']}")
    print(f"  {summary['n_drifted']} of {summary['n_columns']} columns drifted "
          f"(share {summary['share_drifted']:.3f}); dataset drift: {summary['dataset_drift']}")
    for c in summary["drifted_columns"][:10]:
        print(f"    {c['column']:<32} {c['score']:.4f}  {c['method']}")
    print("  score PSI: " + (f"{psi['value']:.4f} ({psi['status']})" if psi.get("value") is not None
                             else f"not computed ({psi.get('reason')})"))
    print(f"  verdict: {summary['verdict']['status']} - {'; '.join(summary['verdict']['reasons'])}")
    print(f"  timings: {summary['timings']}")
    if opts.fail_on_psi is not None:
        if psi.get("value") is None:
            print(f"drift: error: --fail-on-psi {opts.fail_on_psi}: no score PSI ({psi.get('reason')})",
                  file=sys.stderr)
            return EXIT_INPUT
        if status == EXIT_PSI:
            print(f"drift: score PSI {psi['value']:.4f} exceeds --fail-on-psi {opts.fail_on_psi}", file=sys.stderr)
    return status
