"""Feature engineering shared by training and serving (no train/serve skew).

Everything is computed on **columns**: a mapping of column name -> 1-D numpy
array, all of one length ``n``. One applicant (the service's ``POST /predict``,
``n == 1``) and 356k applicants (a full build) go through the very same
functions; there is no second single-row implementation.

Entry points
- :func:`build_features` reads a whole data directory (up to Kaggle size)
  and returns one row per applicant (a frame, for training).
- :func:`records_columns` turns validated raw records (dicts) into columns;
  :func:`feature_columns` builds every model feature from such columns (plus
  optional history aggregates); :func:`model_columns` makes them what CatBoost
  takes and :func:`model_rows` plain rows of it (the fast single-row input).
- :func:`features_from_records` / :func:`model_input` are the pandas wrappers
  (frames in, frames out) over the same functions.

How a feature-group module is written (e.g. ``scoring/features/credit.py``)
- It defines ``NAMES: tuple[str, ...]``, its output columns in order, and one
  pure function ``columns(cols: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]``
  returning exactly ``NAMES``, each a float32 array of length ``n``.
- ``cols`` holds every raw application field (numbers float32, NaN = missing;
  the DAYS_EMPLOYED sentinel already NaN; categoricals as an array-like of
  text/None) and every column of the groups registered before it, e.g. the
  ``APP_*`` ratios. Read with ``cols["AMT_CREDIT"]``; never assume a pandas
  object, never loop over rows, never mutate ``cols``.
- Compute in float64 and cast to float32 at the end; division by zero or a
  missing operand gives NaN (see ``application._ratio``), never inf.
- Register it by adding ``(module.NAMES, module.columns)`` to
  :data:`DERIVED_GROUPS` below: :func:`feature_names` and every build (full
  frame, service row, simulation) pick it up, in that order, after the ``APP_*``
  features and before the history aggregates.
- A recomputation (e.g. a what-if that changes ``AMT_CREDIT``) is simply
  :func:`feature_columns` on the changed raw columns: derived features then
  equal what a whole build with the new value gives.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from scoring import schema
from scoring.data import (
    DataError,
    DataReport,
    connect,
    count_orphans,
    load_into,
    locate,
    open_view,
    read_applications,
    to_frame,
    translate_error,
)
from scoring.features.application import (
    APPLICATION_FEATURES,
    application_columns,
    application_features,
    frame_columns,
    missing_column,
    raw_application_features,
)
from scoring.features.history import HISTORY_FEATURES, bureau_balance_per_credit_sql, history_feature_names

log = logging.getLogger(__name__)

#: Text used for a missing categorical value in the model input.
MISSING_CATEGORY = "NA"

__all__ = [
    "FeatureSet", "build_features", "features_from_records", "feature_names",
    "categorical_features", "model_input", "application_features", "MISSING_CATEGORY",
    "DERIVED_GROUPS", "records_columns", "list_columns", "feature_columns", "model_columns", "model_rows",
    "history_aggregates", "history_columns",
]

Columns = Mapping[str, Any]

#: Feature groups computed from the application columns after ``APP_*``, in order:
#: ``(names, function(cols, n) -> dict of float32 columns)``. See the module docstring.
DERIVED_GROUPS: list[tuple[tuple[str, ...], Callable[[Columns, int], dict[str, np.ndarray]]]] = []


def feature_names() -> list[str]:
    """Every model feature, in model order."""
    derived = [name for names, _ in DERIVED_GROUPS for name in names]
    return raw_application_features() + list(APPLICATION_FEATURES) + derived + history_feature_names()


_NUMBER_TYPES = frozenset({int, float, type(None)})


def _numeric_column(name: str, values: list) -> np.ndarray:
    """A list of numbers/None as float32 through float64 (None = NaN); anything else raises.

    The type check is one ``set(map(type, ...))`` (C speed): numpy itself would parse text
    ("1.5") and booleans as numbers, which must stay an error here.
    """
    if not set(map(type, values)) <= _NUMBER_TYPES:
        bad = next(v for v in values if type(v) not in _NUMBER_TYPES)
        if isinstance(bad, bool) or not isinstance(bad, int | float | np.integer | np.floating):
            raise DataError(f"column {name}: {bad!r} is not a number", column=name)
        values = [None if v is None else float(v) for v in values]  # numpy scalars
    return np.array(values, dtype=np.float64).astype(np.float32)


def list_columns(columns: Mapping[str, list], n: int, numbers_checked: bool = False) -> dict[str, Any]:
    """Raw application fields given as lists of ``n`` validated values (None = missing) as the
    columns :func:`feature_columns` takes: numbers float32 (through float64, as a CSV read does),
    categoricals an object array of text/None. Fields that are not application columns are ignored.

    Every numeric field goes through one ``np.array`` call (its columns are rows of one matrix):
    the per-call cost of numpy, not the data, is what one application pays. ``numbers_checked``: the
    numeric fields' values are already known to be int, float or None (the service's strict pydantic
    models), so the type scan that keeps text and booleans from numpy's parser is skipped.
    """
    out: dict[str, Any] = {}
    numeric: list[str] = []
    for name in raw_application_features():
        values = columns.get(name)
        if values is None:
            continue
        if len(values) != n:
            raise ValueError(f"column {name}: {len(values)} values for {n} rows")
        if name in _CATEGORICAL_SET:
            column = np.empty(n, dtype=object)
            column[:] = [None if v is None else str(v) for v in values]
            out[name] = column
        else:
            numeric.append(name)
    if numeric:
        lists = [columns[name] for name in numeric]
        if numbers_checked or set(map(type, chain.from_iterable(lists))) <= _NUMBER_TYPES:
            matrix = np.array(lists, dtype=np.float64).astype(np.float32)
            out.update(zip(numeric, matrix, strict=True))
        else:
            out.update((name, _numeric_column(name, values)) for name, values in zip(numeric, lists, strict=True))
    return {name: out[name] for name in raw_application_features() if name in out}


def records_columns(records: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Raw application records (dicts of validated values, absent = missing) as columns
    (:func:`list_columns` of each field's values)."""
    present = set().union(*records) if records else set()
    return list_columns({name: [r.get(name) for r in records] for name in raw_application_features()
                         if name in present}, len(records))


def _derived(cols: dict[str, Any], n: int) -> dict[str, Any]:
    for names, func in DERIVED_GROUPS:
        made = func(cols, n)
        cols.update({name: np.asarray(made[name], dtype=np.float32) for name in names})
    return cols


def feature_columns(applications: Columns, n: int, history: Mapping[str, np.ndarray] | None = None) -> dict[str, Any]:
    """Every model feature (:func:`feature_names` order) of ``n`` applicants given as columns.

    ``applications``: raw application columns (:func:`records_columns`, or
    :func:`application.frame_columns` of a frame). ``history``: history
    aggregate columns already aligned on these ``n`` applicants (absent = no history, NaN).
    """
    cols = _derived(application_columns(applications, n), n)
    if not history:
        cols.update(dict.fromkeys(history_feature_names(), missing_column(n, np.float32)))
        return cols
    unknown = missing_column(n, np.float32)
    for name in history_feature_names():
        value = history.get(name)
        cols[name] = unknown if value is None else np.asarray(value, dtype=np.float32)
    return cols


def _category_text(value: Any) -> np.ndarray:
    """A categorical column as an object array of text, ``NA`` for missing."""
    if isinstance(value, pd.Categorical):
        lookup = np.array([str(c) for c in value.categories] + [MISSING_CATEGORY], dtype=object)
        codes = np.asarray(value.codes)
        return lookup[np.where(codes < 0, len(lookup) - 1, codes)]
    items = np.asarray(value, dtype=object).tolist()
    return np.array([MISSING_CATEGORY if v is None or v != v else str(v) for v in items], dtype=object)


def model_columns(cols: Columns, features: list[str], categorical: list[str]) -> dict[str, np.ndarray]:
    """What CatBoost takes, as columns: numbers float32, categoricals text with ``NA`` for missing."""
    cats = set(categorical)
    return {name: _category_text(cols[name]) if name in cats else np.asarray(cols[name], dtype=np.float32)
            for name in features}


def model_rows(columns: Mapping[str, np.ndarray], features: list[str]) -> list[list]:
    """Model columns (:func:`model_columns`) as plain Python rows (floats and text), CatBoost's fastest input."""
    return [list(r) for r in zip(*(columns[name].tolist() for name in features), strict=True)]


_CATEGORICAL_SET = frozenset(schema.APPLICATION_CATEGORICALS)


def categorical_features() -> list[str]:
    """Model features that are categorical (kept as text for CatBoost)."""
    raw = set(raw_application_features())
    return [c for c in schema.APPLICATION_CATEGORICALS if c in raw]


@dataclass
class FeatureSet:
    """Features of every applicant in a data directory."""

    frame: pd.DataFrame  # index SK_ID_CURR, columns feature_names()
    target: pd.Series  # 0/1 for labelled applicants, -1 for application_test
    applications: pd.DataFrame  # the raw application rows (descriptive fields for the UI)
    report: DataReport
    synthetic: bool
    data_dir: Path

    @property
    def labelled(self) -> pd.Series:
        return self.target >= 0


def _frame(cols: dict[str, Any], index: pd.Index) -> pd.DataFrame:
    """Feature columns as the training frame: categoricals as pandas categories."""
    for name in _CATEGORICAL_SET & cols.keys():
        if not isinstance(cols[name], pd.Categorical):
            cols[name] = pd.Categorical(cols[name])
    return pd.DataFrame(cols, index=index, columns=feature_names())


def _assemble(apps: pd.DataFrame, aggregates: list[pd.DataFrame]) -> pd.DataFrame:
    """The feature frame of application rows and their history aggregates (frames by SK_ID_CURR)."""
    index = pd.Index(apps["SK_ID_CURR"].to_numpy(dtype=np.int64), name="SK_ID_CURR")
    history: dict[str, np.ndarray] = {}
    for aggregate in aggregates:
        aligned = aggregate.reindex(index)
        history.update({name: aligned[name].to_numpy() for name in aggregate.columns})
    return _frame(feature_columns(frame_columns(apps), len(apps), history), index)


def build_features(
    data_dir: str | Path,
    *,
    strict: bool = False,
    memory_limit: str = "4GB",
    progress: Callable[[str], None] | None = None,
) -> FeatureSet:
    """Read every table of ``data_dir`` and build one feature row per applicant.

    History tables are handled one at a time: each is aggregated by DuckDB
    straight from its CSV in one streaming pass (bureau alone is copied into
    DuckDB, as bureau_balance needs its keys), with every value checked and
    orphan rows counted on the way, so memory stays far below the data size.
    At Kaggle size (2.5 GiB of CSV) this takes about 37 CPU seconds and peaks
    near 1.2 GB RSS (``bench/features.py``). Rows come out in a fixed order:
    application_train then application_test, each by SK_ID_CURR.
    """
    say = progress or log.info
    source = locate(data_dir)
    report = DataReport()
    con = connect(memory_limit=memory_limit)
    try:
        started = time.perf_counter()
        apps = read_applications(con, source, report)
        say(f"applications: {len(apps):,} rows ({time.perf_counter() - started:.1f}s)")
        aggregates = _history_aggregates(con, source, report, apps["SK_ID_CURR"].to_numpy(), strict, say)
    finally:
        con.close()
    frame = _assemble(apps, aggregates)
    target = pd.Series(apps["TARGET"].to_numpy(), index=frame.index, name="TARGET")
    applications = apps.set_index("SK_ID_CURR", drop=False)
    say(f"features: {frame.shape[0]:,} x {frame.shape[1]} ({time.perf_counter() - started:.1f}s)")
    return FeatureSet(frame=frame, target=target, applications=applications, report=report,
                      synthetic=source.synthetic, data_dir=Path(data_dir))


#: History tables aggregated straight from their file in one streaming pass, where
#: rows and orphans are counted from the per-client row count (the first aggregate).
_STREAMED = ("previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance")
assert all(HISTORY_FEATURES[t][1][0][1] == "count(*)" for t in _STREAMED)


def _orphans(report: DataReport, table: str, file: str, orphans: int, strict: bool) -> None:
    """Record ``orphans`` child rows of ``table``; warn, or raise when ``strict``."""
    report.orphans[table] = orphans
    if orphans:
        key, parent = schema.PARENT_KEY[table]
        message = f"{file}: {orphans:,} rows whose {key} has no parent row in {parent}"
        if strict:
            raise DataError(message, file=file, column=key)
        log.warning(message)


def _history_aggregates(con, source, report: DataReport, app_ids: np.ndarray, strict: bool,
                        say: Callable[[str], None]) -> list[pd.DataFrame]:
    """Aggregate the six history tables one at a time, counting (and reporting) orphan rows."""
    con.register("_app_ids_df", pd.DataFrame({"k": app_ids}))
    con.execute("CREATE TEMP TABLE _app_ids AS SELECT k FROM _app_ids_df")
    con.unregister("_app_ids_df")
    aggregates = []
    for table, (func, aggs, _reads) in HISTORY_FEATURES.items():
        t0 = time.perf_counter()
        key, parent = schema.PARENT_KEY[table]
        path = source.files[table]
        if table == "bureau":
            # copied into DuckDB: read twice (its own aggregates, then bureau_balance's key mapping)
            load_into(con, source, table, report)
            _orphans(report, table, path.name, count_orphans(con, table, "_app_ids", key), strict)
            aggregates.append(func(con))
        elif table == "bureau_balance":
            # one streaming pass to partial counts per credit (1.7 M rows, not 27 M), which
            # give the row count, the orphans (credits missing from bureau) and the BB_* features
            open_view(con, source, table, report)
            try:
                con.execute(f"CREATE TEMP TABLE _bb_credit AS {bureau_balance_per_credit_sql(table)}")
            except duckdb.Error as exc:
                raise translate_error(exc, path) from None
            rows, orphans = con.sql(
                "SELECT coalesce(sum(_months), 0), coalesce(sum(_months) FILTER (WHERE NOT EXISTS "
                "(SELECT 1 FROM bureau b WHERE b.SK_ID_BUREAU = c.SK_ID_BUREAU)), 0) FROM _bb_credit c"
            ).fetchall()[0]
            report.rows[table] = int(rows)
            _orphans(report, table, path.name, int(orphans), strict)
            aggregates.append(func(con, per_credit="_bb_credit"))
            for drop in ('VIEW "bureau_balance"', "TABLE _bb_credit", 'TABLE "bureau"'):
                con.execute(f"DROP {drop}")
        else:
            open_view(con, source, table, report)
            try:
                aggregate = func(con)
            except duckdb.Error as exc:
                raise translate_error(exc, path) from None
            # every row lands in exactly one SK_ID_CURR group (keys are never missing)
            counts = aggregate[aggs[0][0]].to_numpy(dtype=np.float64)
            report.rows[table] = int(counts.sum())
            _orphans(report, table, path.name, int(counts[~np.isin(aggregate.index.to_numpy(), app_ids)].sum()),
                     strict)
            aggregates.append(aggregate)
            con.execute(f'DROP VIEW "{table}"')
        say(f"{table}: {report.rows[table]:,} rows -> {len(aggregates[-1]):,} clients "
            f"({time.perf_counter() - t0:.1f}s)")
    return aggregates


def _history_frame(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """One history table's rows typed as a full build reads them from CSV.

    Keys are required; other absent fields count as missing (as for the
    application fields), unknown ones are ignored. Measures stay float64, not
    float32: a full build aggregates the CSV values as DOUBLE, so the service
    must hand DuckDB the very same values (no train/serve skew).
    """
    kinds = schema.kinds(table)
    missing = [c for c in ("SK_ID_CURR", "SK_ID_BUREAU") if c in kinds and c not in frame.columns]
    if missing:
        raise DataError(f"{table}: missing column(s) {', '.join(missing)}", file=table, column=missing[0])
    wanted = [c for c in schema.columns(table) if c in frame.columns or kinds[c] != "id"]
    try:
        return to_frame(frame.reindex(columns=wanted), kinds, float_dtype=np.float64)
    except DataError as exc:
        raise DataError(f"{table}, {exc}", file=table, column=exc.column) from None


def history_aggregates(history: Mapping[str, pd.DataFrame] | None) -> list[pd.DataFrame]:
    """The history aggregates (frames by SK_ID_CURR) of given history rows, one DuckDB pass per table.

    ``history`` maps Kaggle table names to frames of that table's rows. Tables
    not given (or empty) mean "no history" for them.
    """
    aggregates: list[pd.DataFrame] = []
    history = {k: v for k, v in (history or {}).items() if v is not None and len(v)}
    if not history:
        return aggregates
    unknown = set(history) - set(HISTORY_FEATURES)
    if unknown:
        raise DataError(f"unknown history table(s): {sorted(unknown)}")
    if "bureau_balance" in history and "bureau" not in history:
        raise DataError("bureau_balance rows need their bureau rows", file="bureau_balance")
    con = duckdb.connect()
    try:
        for table, frame in history.items():
            con.register(table, _history_frame(table, frame))
        for func, _, reads in HISTORY_FEATURES.values():
            if all(r in history for r in reads):
                aggregates.append(func(con))
    finally:
        con.close()
    return aggregates


def history_columns(history: Mapping[str, pd.DataFrame] | None, ids: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`history_aggregates` as columns aligned on ``ids`` (the applicants' SK_ID_CURR)."""
    index = pd.Index(np.asarray(ids, dtype=np.int64), name="SK_ID_CURR")
    out: dict[str, np.ndarray] = {}
    for aggregate in history_aggregates(history):
        aligned = aggregate.reindex(index)
        out.update({name: aligned[name].to_numpy() for name in aggregate.columns})
    return out


def features_from_records(
    applications: pd.DataFrame, history: Mapping[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """Features for applicants given as raw application fields (+ optional history rows), as a frame.

    ``applications`` needs SK_ID_CURR (any placeholder ids) and any subset of
    the application columns; ``history`` maps Kaggle table names to frames of
    that table's rows for those applicants. Tables not given mean "no history".
    """
    kinds = schema.kinds("application_test")
    apps = to_frame(applications.copy(), {**kinds, "SK_ID_CURR": "id"})
    return _assemble(apps, history_aggregates(history))


def model_input(frame: pd.DataFrame, features: list[str], categorical: list[str]) -> pd.DataFrame:
    """The frame CatBoost takes: numeric float32, categoricals as text with ``NA`` for missing."""
    out = frame.reindex(columns=features).copy()
    for name in categorical:
        column = out[name]
        values = column.astype(object).where(column.notna(), MISSING_CATEGORY)
        out[name] = values.astype(str)
    numeric = [c for c in features if c not in set(categorical)]
    out[numeric] = out[numeric].astype(np.float32)
    return out
