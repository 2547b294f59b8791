"""Reference and current applicants as model feature frames: data directory, file or prediction log.

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

An empty current (or reference) set -- the real sample's ``application_test`` is
header-only -- is an error: the command names the file and exits with status 2
without writing anything (never an empty or misleading report).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from reports.drift.columns import _is_number, categorical_columns
from reports.drift.errors import DriftInputError
from scoring.monitoring.log_rows import BATCH_KIND, fill_features

TRAIN, TEST = "application_train", "application_test"


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
    entries, batches = [], {}
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
            if isinstance(entry, dict) and entry.get("kind") == BATCH_KIND:  # a columnar batch's values
                batches[entry.get("batch_id")] = entry.get("columns")
            elif isinstance(entry, dict):
                entries.append(entry)
            else:
                skipped += 1
    fill_features(entries, batches)  # its rows, wherever its line is
    records, probabilities, times, versions = [], [], [], Counter()
    for entry in entries:
        features = entry.get("features")
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


def load_log_database(url: str, since: str | None = None, until: str | None = None) -> Population:
    """The prediction log kept in the service's database (champion records with features, in [since, until))."""
    from sqlalchemy.exc import SQLAlchemyError

    from reports.production_db import DatabaseInputError, engine_for, read_predictions

    try:
        frame = read_predictions(engine_for(url), since, until, role="champion", with_features=True)
    except (DatabaseInputError, SQLAlchemyError) as exc:
        raise DriftInputError(f"prediction log database: {str(exc).splitlines()[0]}") from None
    from sqlalchemy.engine import make_url

    source = f"prediction log database {make_url(url.replace('postgres://', 'postgresql://', 1)).render_as_string()}"
    with_features = frame[[isinstance(f, dict) and bool(f) for f in frame["features"]]]
    window = f" between {since or 'the start'} and {until or 'now'}"
    if with_features.empty:
        raise DriftInputError(f"the current set is empty: the {source} holds no scored request with features{window}. "
                              f"No report was written.")
    versions = Counter(str(v) for v in with_features["model_version"].dropna())
    info = {"skipped_lines": int(len(frame) - len(with_features)),
            "first_time": with_features["scored_at"].min().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "last_time": with_features["scored_at"].max().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "model_versions": dict(versions), "window": {"since": since, "until": until}}
    rows = pd.DataFrame.from_records(list(with_features["features"]))
    return Population(frame=rows_to_features(rows), source=source, kind="prediction_log",
                      probability=with_features["probability"].to_numpy(dtype=np.float64), info=info)
