"""Data-drift report: training applicants (reference) vs current applicants, with evidently.

Usage (from the repository root)::

    python -m reports.drift [--reference DIR_OR_FILE] [--current DIR_OR_FILE|log] [--log PATH]
                            [--out reports/drift.html] [--summary PATH] [--bundle PATH | --no-bundle]
                            [--top 80 | --columns A,B,...] [--max-rows 50000] [--seed 42]
                            [--drift-share 0.5] [--fail-on-psi 0.25]

Inputs
------
* **Reference**: the ``application_train`` rows of a data directory (default
  :func:`scoring.config.resolve_data_dir`: ``HOME_CREDIT_DATA``, else the seeded
  synthetic set), or a CSV/Parquet file of application rows (or of feature columns).
* **Current**: by default the ``application_test`` rows of the reference directory;
  ``--current DIR`` takes another directory's ``application_test``; ``--current FILE``
  a CSV/Parquet file of application rows; ``--current log`` (or a ``.jsonl`` file) the
  service's prediction log (``--log PATH``, else ``PREDICTION_LOG``, else
  ``var/predictions.jsonl``): one JSON object per line with ``time``, ``probability``,
  ``score`` and ``features`` ``{name: value}`` -- what production actually sees.
* **Columns compared**: with a model bundle (``--bundle``, else ``MODEL_BUNDLE``, else
  ``models/`` when it holds a bundle), the ``--top`` (default 80) most important model
  features of the bundle metadata ``importance``; without one, every raw application
  column plus the engineered ``APP_*`` features. The summary says which
  (``columns_basis``). A data directory is read in full (history tables too) only
  when a compared column or the model's scoring of the current set needs it.

An empty current (or reference) set -- the real sample's ``application_test`` is
header-only -- is an error: the command names the file and exits with status 2
without writing anything (never an empty or misleading report).

Large data: each side is sampled down to ``--max-rows`` rows (default 50,000; seeded,
so the same inputs give the same sample) before the evidently comparison; the score
PSI always uses every score. The summary (``sampled``, ``sampling``) and the HTML
banner say when sampling happened. At Kaggle size (307,511 x 48,744 rows, 145
columns) the whole command took 61 s (37 CPU seconds) and 1.4 GB peak on this 2-core
machine (``bench/drift.py``; 107 s / 2.0 GB without sampling).

Per-column tests (:func:`choose_tests`), by the effective sample size
``n_eff = n_ref * n_cur / (n_ref + n_cur)`` of the non-missing values: with
``n_eff >= 1500`` (categorical columns also >= 100 rows per level) evidently's
normalised Wasserstein distance (numeric) / Jensen-Shannon distance (categorical and
numeric columns with <= 5 values), drifted when >= 0.1; below that, where the
distances' sampling noise nears 0.1, K-S (numeric), a two-sample chi-square test of
homogeneity (categorical, rare and new levels pooled) or a Z-test (two levels), drifted
when p < 0.05 / k for k compared columns (Bonferroni). Missing categorical values are
the level ``NA`` (what the model sees); missing numbers are dropped by the tests, so the
summary gives each column's missing share on both sides and lists moves > 10 points.

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
      "current":   {"source": "<path>", "kind": "application_test" | "file" | "prediction_log",
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

Verdict: ``act`` when evidently's dataset drift is detected (share of drifted columns
>= ``--drift-share``, default 0.5) or the score PSI is > 0.25; ``watch`` when any
column drifted, a missing share moved by > 10 points or the PSI is in 0.1-0.25;
``stable`` otherwise. Columns are ranked drifted first, then by ``strength``.
See reports/README.md for the full description.

Exit status: 0 report written; 2 bad or empty input (message names the file);
3 report written but the score PSI exceeds ``--fail-on-psi``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from reports.psi import PSI_ACT, PSI_WATCH, psi_status, psi_table

log = logging.getLogger("reports.drift")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path("reports") / "drift.html"
SUMMARY_NAME = "drift_summary.json"
DEFAULT_LOG = REPO_ROOT / "var" / "predictions.jsonl"
DEFAULT_BUNDLE = REPO_ROOT / "models"
DEFAULT_TOP = 80
DEFAULT_MAX_ROWS = 50_000
DEFAULT_SEED = 42
DEFAULT_DRIFT_SHARE = 0.5
PSI_BINS = 10
SCHEMA_VERSION = 1

EXIT_OK, EXIT_INPUT, EXIT_PSI = 0, 2, 3
STABLE, WATCH, ACT = "stable", "watch", "act"
TRAIN, TEST = "application_train", "application_test"
MISSING_LEVEL = "NA"  # scoring.features.MISSING_CATEGORY, what the model sees for a missing category


class DriftInputError(Exception):
    """Bad or empty input; ``file`` names the culprit. The CLI exits with status 2."""

    def __init__(self, message: str, file: str | Path | None = None):
        super().__init__(message)
        self.file = str(file) if file is not None else None


# --------------------------------------------------------------------------- columns


@dataclass
class ColumnPlan:
    """Which columns to compare, why, and how to label them."""

    columns: list[str]
    basis: str  # "bundle_importance" | "application"
    description: str
    labels: dict[str, str] = field(default_factory=dict)
    labels_en: dict[str, str] = field(default_factory=dict)
    importance_rank: dict[str, int] = field(default_factory=dict)

    @property
    def needs_history(self) -> bool:
        return bool(set(self.columns) - set(application_columns()))


def application_columns() -> list[str]:
    """Raw application columns kept as model features + the engineered APP_* features."""
    from scoring.features.application import APPLICATION_FEATURES, raw_application_features

    return raw_application_features() + list(APPLICATION_FEATURES)


def categorical_columns() -> set[str]:
    from scoring import schema

    return set(schema.APPLICATION_CATEGORICALS)


@lru_cache(maxsize=1)
def _fallback_labels() -> tuple[dict[str, str], dict[str, str]]:
    """(label, label_en) dictionaries from scoring.labels when available, else empty."""
    found: list[dict[str, str]] = []
    for module_name in ("scoring.labels._fr", "scoring.labels._en"):
        merged: dict[str, str] = {}
        try:
            module = __import__(module_name, fromlist=["_"])
        except Exception:  # labels are a nicety; never fail the report for them
            found.append(merged)
            continue
        for attr in ("COLUMNS", "FEATURES"):
            table = getattr(module, attr, None)
            if isinstance(table, dict):
                merged.update({k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, str)})
        found.append(merged)
    return found[0], found[1]


def plan_columns(metadata: dict | None, top: int = DEFAULT_TOP) -> ColumnPlan:
    """Top-``top`` features by the bundle's importance, else all application columns."""
    fr, en = _fallback_labels()
    if metadata:
        labels = dict(fr)
        labels_en = dict(en)
        names = []
        for f in metadata.get("features", []):
            if isinstance(f, dict) and "name" in f:
                names.append(f["name"])
                if f.get("label"):
                    labels[f["name"]] = str(f["label"])
                if f.get("label_en"):
                    labels_en[f["name"]] = str(f["label_en"])
            elif isinstance(f, str):
                names.append(f)
        ranking = _importance_ranking(metadata.get("importance"), set(names))
        for entry in metadata.get("importance") or []:
            if isinstance(entry, dict) and entry.get("label") and entry.get("feature") not in labels:
                labels[entry["feature"]] = str(entry["label"])
        if ranking:
            chosen = [name for name, _ in ranking if _ > 0][:top] or [name for name, _ in ranking][:top]
            return ColumnPlan(
                columns=chosen, basis="bundle_importance",
                description=(f"the {len(chosen)} most important model features of bundle "
                             f"{metadata.get('version', '?')} (metadata importance, of {len(names)} features)"),
                labels=labels, labels_en=labels_en,
                importance_rank={name: i + 1 for i, (name, _) in enumerate(ranking)},
            )
    cols = application_columns()
    return ColumnPlan(
        columns=cols, basis="application",
        description=(f"every raw application column kept as a model feature plus the engineered APP_* "
                     f"features ({len(cols)} columns; no bundle importance available)"),
        labels=dict(fr), labels_en=dict(en),
    )


def restrict(plan: ColumnPlan, columns: list[str]) -> ColumnPlan:
    """The plan limited to explicitly named columns (``--columns``), in the order given."""
    from scoring.features import feature_names

    known = set(feature_names())
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise DriftInputError(f"--columns: unknown feature(s) {', '.join(unknown)}")
    return ColumnPlan(columns=list(dict.fromkeys(columns)), basis="explicit",
                      description=f"{len(columns)} column(s) named with --columns",
                      labels=plan.labels, labels_en=plan.labels_en, importance_rank=plan.importance_rank)


def _importance_ranking(importance, known: set[str]) -> list[tuple[str, float]]:
    pairs: list[tuple[str, float]] = []
    if isinstance(importance, dict):
        pairs = [(str(k), float(v)) for k, v in importance.items() if _is_number(v)]
    elif isinstance(importance, list):
        for entry in importance:
            if isinstance(entry, dict) and "feature" in entry and _is_number(entry.get("importance")):
                pairs.append((str(entry["feature"]), float(entry["importance"])))
    pairs = [(k, v) for k, v in pairs if not known or k in known]
    return sorted(pairs, key=lambda kv: -kv[1])


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --------------------------------------------------------------------------- populations


@dataclass
class Population:
    frame: pd.DataFrame  # feature columns (model names), one row per applicant / request
    source: str
    kind: str  # application_train | application_test | file | prediction_log
    probability: np.ndarray | None = None  # calibrated P(default) when already known (log)
    info: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.frame)


def table_file(root: Path, table: str) -> Path:
    for suffix in (".csv", ".csv.gz"):
        path = root / f"{table}{suffix}"
        if path.exists():
            return path
    raise DriftInputError(f"{root}: {table}.csv (or {table}.csv.gz) is missing", file=root / f"{table}.csv")


def has_data_rows(path: Path) -> bool:
    """True when a (possibly gzipped) CSV has at least one line after its header."""
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            handle.readline()
            for line in handle:
                if line.strip():
                    return True
    except (OSError, UnicodeDecodeError) as exc:
        raise DriftInputError(f"{path}: cannot be read ({exc})", file=path) from None
    return False


def _empty_message(path: Path, what: str) -> str:
    return (f"{what} is empty: {path} has no data rows (header only), so there is nothing to compare. "
            f"No report was written. Give another current set with --current DIR|FILE or --current log.")


def _read_table(path: Path, table: str) -> pd.DataFrame:
    """One application table, typed from the schema with the project's DuckDB loader."""
    import duckdb

    from scoring import schema
    from scoring.data import DataError, connect, csv_relation_sql, to_frame, translate_error

    con = connect()
    try:
        try:
            arrow = con.sql(f"SELECT * FROM {csv_relation_sql(table, path)}").to_arrow_table()
        except duckdb.Error as exc:
            raise translate_error(exc, path) from None
        apps = to_frame(arrow, schema.kinds(table))
    except DataError as exc:
        raise DriftInputError(str(exc), file=path) from None
    finally:
        con.close()
    return apps


@lru_cache(maxsize=2)
def _full_features(root: str):
    from scoring.data import DataError
    from scoring.features import build_features

    try:
        return build_features(root)
    except DataError as exc:
        raise DriftInputError(str(exc), file=exc.file or root) from None


def load_dir(root: Path, table: str, *, full: bool) -> Population:
    """``table``'s applicants of data directory ``root`` as model features.

    ``full`` reads every table (history aggregates); otherwise only ``table`` is read
    and only the application features are built (much faster at Kaggle size).
    """
    path = table_file(root, table)
    if not has_data_rows(path):
        what = "the current set" if table == TEST else "the reference set"
        raise DriftInputError(_empty_message(path, what), file=path)
    if full:
        fs = _full_features(str(root))
        mask = (fs.target >= 0) if table == TRAIN else (fs.target < 0)
        frame = fs.frame.loc[mask.to_numpy()]
        synthetic = fs.synthetic
    else:
        from scoring.config import is_synthetic
        from scoring.features.application import application_features

        frame = application_features(_read_table(path, table))
        synthetic = is_synthetic(root)
    return Population(frame=frame, source=str(path), kind=table, info={"synthetic": synthetic})


def rows_to_features(rows: pd.DataFrame) -> pd.DataFrame:
    """Feature frame from raw application fields and/or ready feature columns.

    Raw application columns go through the shared feature code (history features are
    then missing, as for the service without history); columns that already carry a
    model feature's name (e.g. the log's engineered or history features) are kept as given.
    """
    from scoring import schema
    from scoring.data import DataError
    from scoring.features import feature_names, features_from_records
    from scoring.features.application import raw_application_features

    known = feature_names()
    raw = [c for c in raw_application_features() if c in rows.columns]
    index = (pd.Index(pd.to_numeric(rows["SK_ID_CURR"], errors="coerce"), name="SK_ID_CURR")
             if "SK_ID_CURR" in rows.columns else pd.RangeIndex(len(rows), name="row"))
    if raw:
        apps = rows[raw].copy()
        apps.insert(0, "SK_ID_CURR", np.arange(len(rows), dtype=np.int64))  # placeholder ids
        for name in raw:
            if name in schema.APPLICATION_CATEGORICALS:
                apps[name] = apps[name].astype(object).where(apps[name].notna(), None)
        try:
            out = features_from_records(apps)
        except DataError as exc:
            raise DriftInputError(str(exc), file=exc.file) from None
        out.index = index
    else:
        out = pd.DataFrame(index=index)
    cats = categorical_columns()
    for name in rows.columns:
        if name in raw or name not in known:
            continue
        values = rows[name].to_numpy()
        if name in cats:
            out[name] = pd.Categorical(pd.Series(values, index=index).astype(object).where(
                pd.notna(values), None))
        else:
            out[name] = pd.to_numeric(pd.Series(values, index=index), errors="coerce").astype(np.float32)
    return out


def load_file(path: Path, kind: str = "file") -> Population:
    """Rows of a CSV / CSV.GZ / Parquet file (application fields or feature columns)."""
    if not path.exists():
        raise DriftInputError(f"{path} does not exist", file=path)
    name = path.name.lower()
    if name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
        return load_log(path)
    try:
        if name.endswith(".parquet"):
            rows = pd.read_parquet(path)
        elif name.endswith((".csv", ".csv.gz")):
            if not has_data_rows(path):
                raise DriftInputError(_empty_message(path, "the input file"), file=path)
            rows = pd.read_csv(path, low_memory=False)
        else:
            raise DriftInputError(f"{path}: unsupported file type (use .csv, .csv.gz, .parquet or .jsonl)",
                                  file=path)
    except (OSError, ValueError) as exc:
        raise DriftInputError(f"{path}: cannot be read ({exc})", file=path) from None
    if rows.empty:
        raise DriftInputError(_empty_message(path, "the input file"), file=path)
    return Population(frame=rows_to_features(rows), source=str(path), kind=kind)


def load_log(path: Path) -> Population:
    """The service's prediction log: JSON lines with time, probability, score and features."""
    import gzip

    if not path.exists():
        raise DriftInputError(f"prediction log {path} does not exist (set PREDICTION_LOG or pass --log PATH)",
                              file=path)
    opener = gzip.open if path.suffix == ".gz" else open
    records, probabilities, times, versions = [], [], [], Counter()
    skipped = 0
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                skipped += 1
                continue
            features = entry.get("features") if isinstance(entry, dict) else None
            if not isinstance(features, dict) or not features:
                skipped += 1
                continue
            records.append(features)
            p = entry.get("probability")
            probabilities.append(float(p) if _is_number(p) else np.nan)
            if entry.get("time") is not None:
                times.append(str(entry["time"]))
            if entry.get("model_version") is not None:
                versions[str(entry["model_version"])] += 1
    if not records:
        detail = f" ({skipped} unreadable line(s) or lines without features)" if skipped else ""
        raise DriftInputError(
            f"the current set is empty: prediction log {path} holds no scored request with features{detail}. "
            f"No report was written.", file=path)
    rows = pd.DataFrame.from_records(records)
    info = {"skipped_lines": skipped, "first_time": min(times) if times else None,
            "last_time": max(times) if times else None, "model_versions": dict(versions)}
    return Population(frame=rows_to_features(rows), source=str(path), kind="prediction_log",
                      probability=np.asarray(probabilities, dtype=np.float64), info=info)


# --------------------------------------------------------------------------- scores / PSI


def reference_scores(bundle) -> tuple[np.ndarray, str]:
    """Training out-of-fold calibrated probabilities, else the store's labelled clients'."""
    oof = bundle.extra("oof")
    if isinstance(oof, dict) and oof.get("probability") is not None and len(oof["probability"]):
        return np.asarray(oof["probability"], dtype=np.float64), "bundle extra oof (training out-of-fold probabilities)"
    store = bundle.store
    labelled = np.asarray(store.target) >= 0
    return (np.asarray(store.probability, dtype=np.float64)[labelled],
            "bundle store probabilities of labelled (training) clients -- in-sample: no oof extra in the bundle")


def model_scores(bundle, frame: pd.DataFrame) -> np.ndarray:
    """Calibrated P(default) of ``frame``'s rows with the bundle's model."""
    from scoring.features import model_input

    X = model_input(frame, bundle.feature_names, bundle.categorical)
    raw = bundle.model.predict_proba(X)[:, 1]
    return np.asarray(bundle.calibrator.apply(raw), dtype=np.float64)


def score_psi(reference: np.ndarray | None, current: np.ndarray | None, ref_source: str, cur_source: str,
              reason: str | None = None, bins: int = PSI_BINS) -> dict:
    if reference is None or current is None:
        return {"value": None, "status": None, "reason": reason or "scores unavailable"}
    ref = reference[np.isfinite(reference)]
    cur = current[np.isfinite(current)]
    if not len(ref) or not len(cur):
        return {"value": None, "status": None, "reason": "no finite scores on one side"}
    table = psi_table(ref, cur, bins=bins)
    value = round(table["psi"], 6)
    return {
        "value": value, "status": psi_status(value), "bins": bins,
        "thresholds": {"watch": PSI_WATCH, "act": PSI_ACT},
        "of": "calibrated probability of default (quantile bins, so identical for the 0-100 score)",
        "reference": {"source": ref_source, "n": table["reference_n"]},
        "current": {"source": cur_source, "n": table["current_n"]},
        "table": {k: table[k] for k in ("edges", "reference_share", "current_share", "contribution")},
    }


# --------------------------------------------------------------------------- evidently


def sample_rows(frame: pd.DataFrame, max_rows: int | None, seed: int) -> pd.DataFrame:
    """At most ``max_rows`` rows, drawn without replacement with ``seed`` (order kept)."""
    if not max_rows or len(frame) <= max_rows:
        return frame
    idx = np.sort(np.random.default_rng(seed).choice(len(frame), size=max_rows, replace=False))
    return frame.iloc[idx]


#: Below this effective sample size the distances' sampling noise nears their 0.1 threshold.
LARGE_SAMPLE = 1500
#: Categorical columns also need this many rows per level for the Jensen-Shannon distance.
ROWS_PER_LEVEL = 100
#: Numeric columns with at most this many distinct values are compared as categories.
FEW_VALUES = 5
DISTANCE_THRESHOLD = 0.1
ALPHA = 0.05
#: A column whose missing share moves by more than this (absolute) is reported (tests ignore missing numbers).
MISSING_SHIFT = 0.10
#: Chi-square cells must expect at least this many current rows (rarer levels are pooled).
MIN_EXPECTED = 5.0
OTHER_LEVEL = "(rare levels)"


#: evidently stattest id -> display name (as in the HTML report).
METHOD_NAMES = {"wasserstein": "Wasserstein distance (normed)", "jensenshannon": "Jensen-Shannon distance",
                "ks": "K-S p_value", "chisquare": "chi-square p_value", "z": "Z-test p_value",
                "chisquare_two_sample": "chi-square two-sample p_value"}
#: Tests whose score is a p-value (drift when below the threshold).
P_VALUE_METHODS = {"ks", "chisquare", "z", "t_test", "mannw", "es", "chisquare_two_sample"}


def effective_n(n_ref: int, n_cur: int) -> float:
    """n_ref * n_cur / (n_ref + n_cur): the sample size that drives a two-sample statistic's noise."""
    return n_ref * n_cur / (n_ref + n_cur) if n_ref and n_cur else 0.0


@dataclass
class ColumnTest:
    column: str
    as_categorical: bool
    method: str  # evidently stattest name
    threshold: float
    n_eff: float
    levels: int | None = None
    keep: set[str] | None = None  # chi-square: levels kept apart, the others pooled into OTHER_LEVEL


def choose_tests(reference: pd.DataFrame, current: pd.DataFrame, columns: list[str],
                 categorical: set[str]) -> list[ColumnTest]:
    """Per column, a distance in the large-sample regime, else a Bonferroni-corrected test.

    Numeric columns with > 5 distinct values: normalised Wasserstein distance (>= 0.1 is
    drift) when the effective size of the non-missing values is >= LARGE_SAMPLE, else the
    K-S test. Categorical columns (and numeric ones with <= 5 values; missing is a level):
    Jensen-Shannon distance (>= 0.1) when the effective size is >= LARGE_SAMPLE and >= 100
    rows per level, else the two-sample chi-square test of homogeneity (:func:`chi2_two_sample`;
    Z-test for two levels; levels expecting < 5 current rows
    and new levels pooled, see :func:`pool_rare_levels`). Tests use p < 0.05 / k for k
    compared columns, so a random split of one population flags no column 95% of the time.
    """
    alpha = ALPHA / max(len(columns), 1)
    tests = []
    for name in columns:
        ref, cur = reference[name], current[name]
        if name in categorical:
            cat, levels = True, len(set(_as_levels(ref).unique()) | set(_as_levels(cur).unique()))
        else:
            ref_num = pd.to_numeric(ref, errors="coerce")
            cur_num = pd.to_numeric(cur, errors="coerce")
            distinct = pd.concat([ref_num.dropna(), cur_num.dropna()]).nunique()
            cat = distinct <= FEW_VALUES
            levels = distinct + int(ref_num.isna().any() or cur_num.isna().any()) if cat else None
        if cat:
            n_eff = effective_n(len(ref), len(cur))
            if levels <= 1 or n_eff >= max(LARGE_SAMPLE, ROWS_PER_LEVEL * levels):
                tests.append(ColumnTest(name, True, "jensenshannon", DISTANCE_THRESHOLD, n_eff, levels))
            elif levels == 2:
                tests.append(ColumnTest(name, True, "z", alpha, n_eff, levels))
            else:
                keep = pool_rare_levels(_as_levels(ref), _as_levels(cur))
                n_levels = levels if keep is None else len(keep) + 1
                method = CHI2_TWO_SAMPLE if n_levels > 2 else "z"
                tests.append(ColumnTest(name, True, method, alpha, n_eff, n_levels, keep))
        else:
            n_eff = effective_n(int(ref_num.notna().sum()), int(cur_num.notna().sum()))
            if n_eff >= LARGE_SAMPLE:
                tests.append(ColumnTest(name, False, "wasserstein", DISTANCE_THRESHOLD, n_eff))
            else:
                tests.append(ColumnTest(name, False, "ks", alpha, n_eff))
    return tests


def pool_rare_levels(reference: pd.Series, current: pd.Series,
                     min_expected: float = MIN_EXPECTED) -> set[str] | None:
    """Levels kept apart for a chi-square test; the others are pooled into OTHER_LEVEL. None: pool nothing.

    Cochran's rule: with sparse cells the chi-square test is anti-conservative (a rare level
    seen twice instead of once looks like drift), and a level absent from the reference
    makes a cell expecting 0 rows (any single occurrence is "drift"). Levels expecting
    fewer than ``min_expected`` current rows and levels new in the current set are pooled;
    if the pooled cell still expects too few rows, the least frequent kept level joins it.
    A pooled cell that fills up far beyond its reference share still shows as drift.
    """
    expected = reference.value_counts(normalize=True) * len(current)
    new_levels = set(current.unique()) - set(expected.index)
    rare = expected[expected < min_expected]
    if rare.empty and not new_levels:
        return None
    common = expected[expected >= min_expected].sort_values()
    keep = [str(v) for v in common.index]
    if rare.sum() < min_expected and len(keep) > 2:
        keep = keep[1:]
    return set(keep)


def _as_levels(column: pd.Series) -> pd.Series:
    """A categorical column as text with missing = "NA" (what the model sees)."""
    values = column.astype(object)
    if pd.api.types.is_float_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype):
        values = values.map(lambda v: v if pd.isna(v) else f"{float(v):g}")
    return values.where(values.notna(), MISSING_LEVEL).astype(str)


def _prepare(frame: pd.DataFrame, tests: list[ColumnTest]) -> pd.DataFrame:
    out = {}
    for t in tests:
        column = frame[t.column]
        if t.as_categorical:
            levels = _as_levels(column)
            if t.keep is not None:
                levels = levels.where(levels.isin(t.keep), OTHER_LEVEL)
            out[t.column] = levels.to_numpy(dtype=object)
        else:
            out[t.column] = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.DataFrame(out)


def compare(reference: pd.DataFrame, current: pd.DataFrame, columns: list[str],
            categorical: set[str] | None = None, drift_share: float = DEFAULT_DRIFT_SHARE):
    """Run evidently's DataDriftPreset on ``columns``; return (snapshot, results, skipped).

    ``results`` is one dict per compared column: column, score, method, threshold,
    higher_is_drift, drifted, n_eff, missing_reference, missing_current. Columns absent
    or entirely missing on either side are skipped (listed with a reason). The test of
    each column is chosen by :func:`choose_tests`.
    """
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    categorical = categorical_columns() if categorical is None else categorical
    skipped, usable = [], []
    for name in columns:
        if name not in reference.columns or name not in current.columns:
            side = "reference" if name not in reference.columns else "current"
            skipped.append({"column": name, "reason": f"absent from the {side} set"})
            continue
        if name not in categorical:
            if reference[name].notna().sum() == 0 or current[name].notna().sum() == 0:
                side = "reference" if reference[name].notna().sum() == 0 else "current"
                skipped.append({"column": name, "reason": f"entirely missing in the {side} set",
                                "missing_reference": round(float(reference[name].isna().mean()), 4),
                                "missing_current": round(float(current[name].isna().mean()), 4)})
                continue
        usable.append(name)
    if not usable:
        raise DriftInputError("no column to compare: none of the chosen columns is present on both sides")
    _register_two_sample_chisquare()
    tests = choose_tests(reference, current, usable, categorical)
    ref = _prepare(reference, tests)
    cur = _prepare(current, tests)
    definition = DataDefinition(numerical_columns=[t.column for t in tests if not t.as_categorical],
                                categorical_columns=[t.column for t in tests if t.as_categorical])
    preset = DataDriftPreset(columns=usable, drift_share=drift_share,
                             per_column_method={t.column: t.method for t in tests},
                             per_column_threshold={t.column: t.threshold for t in tests})
    with _evidently_speedups():
        snapshot = Report([preset], include_tests=True).run(
            current_data=Dataset.from_pandas(cur, data_definition=definition),
            reference_data=Dataset.from_pandas(ref, data_definition=definition),
        )
    results = read_snapshot(snapshot.dict())
    by_name = {t.column: t for t in tests}
    for r in results:
        name = r["column"]
        r["n_eff"] = round(by_name[name].n_eff, 1)
        if by_name[name].keep is not None:
            r["pooled_rare_levels"] = True
        r["missing_reference"] = round(float(reference[name].isna().mean()), 4)
        r["missing_current"] = round(float(current[name].isna().mean()), 4)
    return snapshot, results, skipped


CHI2_TWO_SAMPLE = "chisquare_two_sample"


def chi2_two_sample(reference: pd.Series, current: pd.Series) -> float:
    """p-value of the chi-square test of homogeneity of two samples' level counts (2 x k table).

    evidently's own "chisquare" is a goodness-of-fit test that takes the reference shares
    as exact; with a reference not much larger than the current set it ignores half of
    the sampling noise and flags random splits. This is the two-sample test.
    """
    from scipy.stats import chi2_contingency

    levels = sorted(set(reference.dropna().unique()) | set(current.dropna().unique()), key=str)
    ref_counts = reference.value_counts()
    cur_counts = current.value_counts()
    table = np.array([[ref_counts.get(v, 0) for v in levels], [cur_counts.get(v, 0) for v in levels]], dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 1.0
    return float(chi2_contingency(table, correction=False)[1])


def _register_two_sample_chisquare() -> None:
    """Make :func:`chi2_two_sample` available to evidently as the stattest CHI2_TWO_SAMPLE."""
    from evidently.legacy.calculations.stattests.registry import StatTest, _registered_stat_tests, register_stattest
    from evidently.legacy.core import ColumnType

    if CHI2_TWO_SAMPLE in _registered_stat_tests:
        return

    def impl(reference_data: pd.Series, current_data: pd.Series, feature_type, threshold: float):
        p_value = chi2_two_sample(reference_data, current_data)
        return p_value, p_value < threshold

    register_stattest(StatTest(name=CHI2_TWO_SAMPLE, display_name="chi-square two-sample p_value",
                               allowed_feature_types=[ColumnType.Categorical], default_threshold=0.05),
                      default_impl=impl)


@contextmanager
def _evidently_speedups():
    """Two savings while DataDriftPreset runs (results unchanged; about 40% less time).

    * The per-column ValueDrift metrics (whose values the summary reads) each build a
      plotly widget that the preset's HTML never shows (it shows its own drift table):
      skipped.
    * The preset computes the drift of every column twice through evidently's legacy
      ``get_drift_for_columns`` (dataset-drift counter, then drift table) with the same
      data, columns and options: the second call reuses the first result.
    Anything unexpected (another evidently layout) just runs evidently unchanged.
    """
    patches = []
    try:
        from evidently.legacy.metrics.data_drift import data_drift_table, dataset_drift_metric
        from evidently.metrics.column_statistics import ValueDriftCalculation
    except ImportError:
        yield
        return
    if "_render" in ValueDriftCalculation.__dict__:
        patches.append((ValueDriftCalculation, "_render", ValueDriftCalculation.__dict__["_render"]))
        ValueDriftCalculation._render = lambda self, *args, **kwargs: []
    original = getattr(dataset_drift_metric, "get_drift_for_columns", None)
    if original is not None and getattr(data_drift_table, "get_drift_for_columns", None) is original:
        seen: list[tuple[tuple, object, object]] = []

        def shared(**kwargs):
            options = kwargs.get("data_drift_options")
            threshold = kwargs.get("drift_share_threshold")
            threshold = threshold if threshold is not None else getattr(options, "drift_share", None)
            key = (id(kwargs.get("current_data")), id(kwargs.get("reference_data")),
                   tuple(kwargs.get("columns") or ()), kwargs.get("agg_data"), threshold)
            for seen_key, seen_options, result in seen:
                if seen_key == key and seen_options == options:
                    return result
            result = original(**kwargs)
            seen.append((key, options, result))
            return result

        for module in (dataset_drift_metric, data_drift_table):
            patches.append((module, "get_drift_for_columns", original))
            module.get_drift_for_columns = shared
    try:
        yield
    finally:
        for owner, name, value in reversed(patches):
            setattr(owner, name, value)


def read_snapshot(data: dict) -> list[dict]:
    """Per-column drift results out of an evidently 0.7 snapshot ``dict()``."""
    status: dict[str, str] = {}
    for test in data.get("tests", []):
        params = (test.get("metric_config") or {}).get("params") or {}
        if params.get("type", "").endswith("ValueDrift") and "column" in params:
            status[params["column"]] = test.get("status")
    results = []
    for metric in data.get("metrics", []):
        config = metric.get("config") or {}
        if not str(config.get("type", "")).endswith(":ValueDrift"):
            continue
        name = config["column"]
        method_id = str(config.get("method"))
        method = METHOD_NAMES.get(method_id, method_id)
        threshold = float(config["threshold"]) if config.get("threshold") is not None else None
        value = metric.get("value")
        score = float(value) if _is_number(value) else float("nan")
        higher = "p_value" not in method and method_id not in P_VALUE_METHODS
        if name in status:
            drifted = status[name] == "FAIL"
        elif threshold is None or not math.isfinite(score):
            drifted = False
        else:
            drifted = score >= threshold if higher else score < threshold
        results.append({"column": name, "score": score, "method": method, "method_id": method_id,
                        "threshold": threshold,
                        "higher_is_drift": higher, "drifted": bool(drifted)})
    return results


def strength(score: float, threshold: float | None, higher_is_drift: bool) -> float:
    """Drift strength relative to the column's threshold (>= 1 means drifted), comparable across tests.

    Distances: score / threshold. p-values: log(p) / log(threshold) (capped at 100 for p = 0).
    """
    if not math.isfinite(score) or not threshold:
        return 0.0
    if higher_is_drift:
        return score / threshold
    if score <= 0:
        return 100.0
    if score >= 1:
        return 0.0
    return min(math.log(score) / math.log(threshold), 100.0)


def rank(results: list[dict], plan: ColumnPlan | None = None) -> list[dict]:
    """Drifted columns first, then by drift strength relative to the threshold, then importance."""
    def key(r):
        imp = (plan.importance_rank.get(r["column"], 10**6) if plan else 10**6)
        return (not r["drifted"], -strength(r["score"], r["threshold"], r["higher_is_drift"]), imp, r["column"])

    ranked = sorted(results, key=key)
    out = []
    for i, r in enumerate(ranked, 1):
        entry = {"rank": i, "column": r["column"],
                 "label": (plan.labels.get(r["column"]) if plan else None) or r["column"],
                 "label_en": (plan.labels_en.get(r["column"]) if plan else None) or r["column"],
                 "score": round(r["score"], 6) if math.isfinite(r["score"]) else None,
                 "method": r["method"], "method_id": r.get("method_id"), "threshold": r["threshold"],
                 "higher_is_drift": r["higher_is_drift"], "drifted": r["drifted"],
                 "strength": round(strength(r["score"], r["threshold"], r["higher_is_drift"]), 4),
                 "importance_rank": plan.importance_rank.get(r["column"]) if plan else None}
        for k in ("n_eff", "pooled_rare_levels", "missing_reference", "missing_current"):
            if k in r:
                entry[k] = r[k]
        out.append(entry)
    return out


def missing_shifts(columns: list[dict], limit: float = MISSING_SHIFT) -> list[dict]:
    """Columns whose share of missing values moved by more than ``limit`` (absolute)."""
    out = []
    for c in columns:
        if "missing_reference" in c and abs(c["missing_current"] - c["missing_reference"]) > limit:
            out.append({"column": c["column"], "label": c["label"], "missing_reference": c["missing_reference"],
                        "missing_current": c["missing_current"]})
    return sorted(out, key=lambda m: -abs(m["missing_current"] - m["missing_reference"]))


def verdict(columns: list[dict], dataset_drift: bool, psi: dict, drift_share: float,
            missing: list[dict] | None = None) -> dict:
    drifted = [c for c in columns if c["drifted"]]
    reasons = []
    status = STABLE
    if dataset_drift:
        status = ACT
        reasons.append(f"dataset drift: {len(drifted)} of {len(columns)} columns drifted "
                       f"(share >= {drift_share:g})")
    elif drifted:
        status = WATCH
        names = ", ".join(c["column"] for c in drifted[:5]) + (", ..." if len(drifted) > 5 else "")
        reasons.append(f"{len(drifted)} of {len(columns)} columns drifted: {names}")
    if missing:
        status = ACT if status == ACT else WATCH
        names = ", ".join(m["column"] for m in missing[:5]) + (", ..." if len(missing) > 5 else "")
        reasons.append(f"missing-value share moved by more than {MISSING_SHIFT * 100:.0f} points in "
                       f"{len(missing)} column(s): {names}")
    value = psi.get("value")
    if value is not None:
        if psi["status"] == ACT:
            status = ACT
            reasons.append(f"score PSI {value:.3f} > {PSI_ACT} (significant shift of the score population)")
        elif psi["status"] == WATCH:
            status = ACT if status == ACT else WATCH
            reasons.append(f"score PSI {value:.3f} in {PSI_WATCH}-{PSI_ACT} (moderate shift)")
    if not reasons:
        reasons.append("no drifted column" + ("" if value is None else f"; score PSI {value:.3f} < {PSI_WATCH}"))
    return {"status": status, "dataset_drift": bool(dataset_drift), "reasons": reasons}


# --------------------------------------------------------------------------- HTML


def banner_html(summary: dict) -> str:
    v = summary["verdict"]
    colour = {STABLE: "#1b7f3b", WATCH: "#b26a00", ACT: "#b3261e"}[v["status"]]
    psi = summary["score_psi"]
    psi_text = (f"{psi['value']:.4f} ({psi['status']}; &lt; {PSI_WATCH} stable, {PSI_WATCH}&ndash;{PSI_ACT} watch, "
                f"&gt; {PSI_ACT} act) &mdash; reference: {escape(psi['reference']['source'])} "
                f"(n={psi['reference']['n']:,}); current: {escape(psi['current']['source'])} "
                f"(n={psi['current']['n']:,})"
                if psi.get("value") is not None else f"not computed ({escape(psi.get('reason', ''))})")
    ref, cur = summary["reference"], summary["current"]
    sampling = summary["sampling"]["note"]
    top = [c for c in summary["drifted_columns"][:10]]
    top_text = ", ".join(f"{escape(c['column'])} ({c['score']:.3g})" for c in top) or "none"
    lines = [
        f"<b>Verdict: <span style='color:{colour}'>{v['status'].upper()}</span></b> &mdash; "
        + "; ".join(escape(r) for r in v["reasons"]),
        f"<b>Reference</b>: {escape(ref['kind'])} {escape(ref['source'])} &mdash; {ref['rows']:,} rows "
        f"({ref['rows_compared']:,} compared)",
        f"<b>Current</b>: {escape(cur['kind'])} {escape(cur['source'])} &mdash; {cur['rows']:,} rows "
        f"({cur['rows_compared']:,} compared)",
        f"<b>Sampling</b>: {escape(sampling)}",
        f"<b>Columns</b>: {escape(summary['columns_basis']['description'])}; "
        f"{summary['n_drifted']} of {summary['n_columns']} drifted "
        f"(share {summary['share_drifted']:.3f}, dataset drift threshold {summary['drift_share_threshold']:g})",
        f"<b>Most drifted</b>: {top_text}",
        f"<b>Tests</b>: {escape(_methods_text(summary['columns']))}",
        f"<b>Score PSI</b>: {psi_text}",
        f"<b>Model</b>: {escape(summary.get('model_version') or 'none (no bundle)')} &mdash; generated "
        f"{escape(summary['generated_at'])}",
    ]
    for note in summary.get("notes", []):
        lines.append(f"<b>Note</b>: {escape(note)}")
    items = "".join(f"<div style='margin:2px 0'>{line}</div>" for line in lines)
    return ("<div id='credit-drift-banner' style='font-family:sans-serif;font-size:14px;padding:12px 16px;"
            f"border-left:6px solid {colour};background:#f7f7f7;margin:8px'>"
            "<div style='font-size:18px;font-weight:bold;margin-bottom:6px'>Data drift &mdash; credit scoring "
            f"model</div>{items}</div>")


def _methods_text(columns: list[dict]) -> str:
    counts = Counter(c["method"] for c in columns)
    thresholds = {}
    for c in columns:
        thresholds.setdefault(c["method"], c["threshold"])
    parts = [f"{n} x {m} ({'drift if >=' if 'p_value' not in m else 'drift if p <'} {thresholds[m]:.3g})"
             for m, n in counts.most_common()]
    return "; ".join(parts) + (" -- p-value thresholds are 0.05 / number of columns (Bonferroni)"
                               if any("p_value" in m for m in counts) else "")


def write_html(snapshot, path: Path, banner: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    snapshot.save_html(str(tmp))
    html = tmp.read_text(encoding="utf-8")
    marker = "<body>"
    at = html.find(marker)
    html = html[: at + len(marker)] + banner + html[at + len(marker):] if at >= 0 else banner + html
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------- orchestration


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
                   columns=[c.strip() for c in a.columns.split(",") if c.strip()] if a.columns else None)


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


if __name__ == "__main__":
    sys.exit(main())
