"""Reading the eight Kaggle tables, typed from :mod:`scoring.schema`.

Files are read with DuckDB using the schema's types (no type guessing), so the
full Kaggle tables (27 M bureau_balance rows) stream through SQL without ever
being held as pandas frames. The application tables, which are small enough,
come back as pandas frames with float32 measures and categorical text.

Every problem with the input raises :class:`DataError` naming the file and,
where there is one, the column: missing file, missing column, text in a
numeric column, NaN/inf written out, a decimal in an integer column or key, a
missing key or label, a label other than 0/1, duplicate SK_ID_CURR. Nothing is
coerced (DuckDB alone would round "0.6" to 1 in an integer column). Child rows whose key has no parent are
counted and reported (:class:`DataReport`), never silently dropped; with
``strict=True`` they raise too.
"""

from __future__ import annotations

import gzip
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring import schema

log = logging.getLogger(__name__)

# Every number is parsed as DOUBLE: DuckDB's string->integer cast rounds ("0.6" -> 1,
# "100002.5" -> 100003), which would silently coerce labels and keys. Integrality,
# finiteness and presence are then checked in SQL (see ``_check``) and keys/labels
# cast to their integer types only after the check.
_DUCK_TYPES = {"id": "DOUBLE", "target": "DOUBLE", "int": "DOUBLE", "float": "DOUBLE", "cat": "VARCHAR"}

#: Marker of the errors raised from SQL by ``_check`` (parsed back by translate_error).
_SQL_ERROR = "DATAERROR"


class DataError(ValueError):
    """Bad input data. ``file`` and ``column`` say where, when known."""

    def __init__(self, message: str, file: str | None = None, column: str | None = None):
        super().__init__(message)
        self.file = file
        self.column = column


@dataclass
class DataReport:
    """What validation found that is worth telling but not fatal."""

    rows: dict[str, int] = field(default_factory=dict)
    orphans: dict[str, int] = field(default_factory=dict)
    extra_columns: dict[str, list[str]] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        out = [f"{t}: {n} rows whose parent key is missing" for t, n in self.orphans.items() if n]
        out += [f"{t}: ignored unknown columns {cols}" for t, cols in self.extra_columns.items() if cols]
        return out


@dataclass(frozen=True)
class DataSource:
    """A data directory with one file per Kaggle table."""

    root: Path
    files: dict[str, Path]

    @property
    def synthetic(self) -> bool:
        from scoring.config import is_synthetic

        return is_synthetic(self.root)

    @property
    def description_file(self) -> Path | None:
        path = self.root / schema.DESCRIPTION_FILE
        return path if path.exists() else None


def locate(root: str | Path) -> DataSource:
    """Find the eight tables (``NAME.csv`` or ``NAME.csv.gz``) in ``root``."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"data directory {root} does not exist", file=str(root))
    files: dict[str, Path] = {}
    for table in schema.TABLE_NAMES:
        for suffix in (".csv", ".csv.gz"):
            candidate = root / f"{table}{suffix}"
            if candidate.exists():
                files[table] = candidate
                break
        else:
            raise DataError(
                f"{root}: required file {table}.csv (or {table}.csv.gz) is missing",
                file=f"{table}.csv",
            )
    return DataSource(root=root, files=files)


def read_header(path: Path) -> list[str]:
    """Column names on the first line of a (possibly gzipped) CSV file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        line = handle.readline()
    if not line.strip():
        raise DataError(f"{path.name}: the file is empty (no header line)", file=path.name)
    return [name.strip().strip('"') for name in line.rstrip("\r\n").split(",")]


def check_header(table: str, path: Path, report: DataReport | None = None) -> list[str]:
    """Return the file's columns after checking every schema column is present."""
    header = read_header(path)
    expected = schema.columns(table)
    doubled = sorted({c for c in header if header.count(c) > 1})
    if doubled:
        raise DataError(f"{path.name}: column(s) {', '.join(doubled)} appear more than once",
                        file=path.name, column=doubled[0])
    missing = [c for c in expected if c not in header]
    if missing:
        raise DataError(
            f"{path.name}: missing column(s) {', '.join(missing)}", file=path.name, column=missing[0]
        )
    extra = [c for c in header if c not in expected]
    if extra and report is not None:
        report.extra_columns[table] = extra
    return header


def csv_relation_sql(table: str, path: Path, header: list[str] | None = None) -> str:
    """A DuckDB ``read_csv`` expression for ``path`` typed and checked from the schema.

    Keys come out as BIGINT, TARGET as TINYINT, measures as DOUBLE, text as
    VARCHAR; unknown extra columns are read as text and left out. The checks
    (see :func:`_check`) sit in a WHERE clause that names every numeric
    column, so a query reading only a few columns still parses and checks the
    whole file: a bad value anywhere raises, whatever is selected.
    """
    header = header or check_header(table, path)
    kinds = schema.kinds(table)
    types = ", ".join(
        f"'{name}': '{_DUCK_TYPES[kinds[name]] if name in kinds else 'VARCHAR'}'" for name in header
    )
    wanted = ", ".join(_typed(name, kinds[name]) for name in schema.columns(table))
    checks = [c for c in (_check(path.name, name, kinds[name]) for name in schema.columns(table)) if c]
    where = f" WHERE {' AND '.join(checks)}" if checks else ""
    file = str(path).replace("'", "''")
    return (
        f"(SELECT {wanted} FROM read_csv('{file}', header=true, auto_detect=false, "
        f"delim=',', quote='\"', nullstr='', columns={{{types}}}){where})"
    )


def _typed(name: str, kind: str) -> str:
    col = f'"{name}"'
    if kind == "id":
        return f"CAST({col} AS BIGINT) AS {col}"
    if kind == "target":
        return f"CAST({col} AS TINYINT) AS {col}"
    return col


def _check(file: str, name: str, kind: str) -> str | None:
    """A condition that is true for a valid value and raises (DuckDB ``error()``) otherwise.

    The CSV parser already rejects text in numbers ("abc", "1,5", "12abc");
    this adds what it lets through: NaN/inf spelled out, decimals in integer
    columns (DuckDB's own integer parsing would round "0.6" to 1), missing
    keys or labels, labels other than 0/1. Valid rows pay one comparison.
    """
    if kind == "cat":
        return None
    col = f'"{name}"'
    prefix = f"{_SQL_ERROR}|{file}|{name}|".replace("'", "''")

    def fail(what: str) -> str:
        value = f"coalesce(CAST({col} AS VARCHAR), '(missing)')"
        return f"CASE WHEN {{}} THEN error('{prefix}value ' || {value} || ' {what}') ELSE true END"

    if kind == "float":
        return fail("is not a finite number").format(f"NOT isfinite({col})")
    if kind == "int":
        return fail("is not an integer").format(f"NOT isfinite({col}) OR {col} <> trunc({col})")
    if kind == "target":
        return fail("is not 0 or 1").format(f"{col} IS NULL OR {col} NOT IN (0, 1)")
    return fail("is not an integer id").format(f"{col} IS NULL OR NOT isfinite({col}) OR {col} <> trunc({col})")


_COLUMN_RE = re.compile(r'column[ :]+"?([A-Z_0-9]+)"?', re.IGNORECASE)


def translate_error(exc: Exception, path: Path) -> DataError:
    """Turn a DuckDB conversion error into a DataError naming file and column."""
    message = str(exc)
    if f"{_SQL_ERROR}|" in message:
        file, column, what = message.split(f"{_SQL_ERROR}|", 1)[1].splitlines()[0].split("|", 2)
        return DataError(f"{file}, column {column}: {what}", file=file, column=column)
    match = _COLUMN_RE.search(message)
    column = match.group(1) if match else None
    value = re.search(r'convert string "([^"]*)"', message)
    line = re.search(r"Line: (\d+)", message)
    parts = [path.name]
    if line:
        parts.append(f"line {line.group(1)}")
    if column:
        parts.append(f"column {column}")
    what = f"value {value.group(1)!r} is not a number" if value else message.splitlines()[0]
    return DataError(f"{', '.join(parts)}: {what}", file=path.name, column=column)


def connect(memory_limit: str = "4GB", threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a bounded memory budget."""
    con = duckdb.connect(config={"memory_limit": memory_limit})
    if threads:
        con.execute(f"SET threads={int(threads)}")
    con.execute("SET preserve_insertion_order=false")
    return con


def load_into(
    con: duckdb.DuckDBPyConnection, source: DataSource, table: str, report: DataReport | None = None
) -> int:
    """Materialise ``table`` as a DuckDB temp table of the same name; return its row count."""
    path = source.files[table]
    header = check_header(table, path, report)
    try:
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT * FROM {csv_relation_sql(table, path, header)}')
    except duckdb.Error as exc:
        raise translate_error(exc, path) from None
    count = con.sql(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
    if report is not None:
        report.rows[table] = int(count)
    return int(count)


def open_view(
    con: duckdb.DuckDBPyConnection, source: DataSource, table: str, report: DataReport | None = None
) -> None:
    """Expose ``table`` as a DuckDB temp view over its CSV file (typed and checked as by
    :func:`load_into`, but nothing is materialised: each query streams the file)."""
    path = source.files[table]
    header = check_header(table, path, report)
    con.execute(f'CREATE OR REPLACE TEMP VIEW "{table}" AS SELECT * FROM {csv_relation_sql(table, path, header)}')


def _as_text(series: pd.Series) -> pd.Series:
    """Categorical values as text, as a CSV read gives them (bureau_balance STATUS 1 -> "1").

    Numbers in a text column (a JSON request, or pandas guessing an all-digit
    column) would otherwise reach DuckDB as integers, where ``STATUS = 'C'``
    fails and ``STATUS IN ('1', ...)`` compares differently.
    """
    if isinstance(series.dtype, pd.StringDtype):
        return series
    if isinstance(series.dtype, pd.CategoricalDtype):
        if pd.api.types.infer_dtype(series.cat.categories, skipna=True) in ("string", "empty"):
            return series
        series = series.astype(object)
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return series

    def text(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, (bool, np.bool_)):
            raise DataError(f"column {series.name}: value {value!r} is not text", column=str(series.name))
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        return str(value)

    return series.map(text).astype(object)


def to_frame(arrow_or_df, table_kinds: dict[str, str], float_dtype=np.float32) -> pd.DataFrame:
    """Apply the schema's in-memory types: float32 measures, category text, int ids.

    Nothing is coerced: text in a numeric column, a missing or fractional id
    and a label other than 0/1 (-1 = unlabelled) raise :class:`DataError` naming the column.
    ``float_dtype`` (float64) keeps full precision for frames handed to the
    DuckDB aggregates, which must see the same values as a CSV read.
    """
    df = arrow_or_df if isinstance(arrow_or_df, pd.DataFrame) else arrow_or_df.to_pandas()
    out: dict[str, object] = {}
    for name in df.columns:
        kind = table_kinds.get(name, "float")
        if kind == "cat":
            out[name] = _as_text(df[name]).astype("category")
            continue
        try:
            values = pd.to_numeric(df[name], errors="raise")
        except (ValueError, TypeError) as exc:
            raise DataError(f"column {name}: {exc}", column=name) from None
        if kind in ("id", "target"):
            numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
            bad = ~np.isfinite(numbers) | (numbers != np.trunc(numbers))
            if kind == "target":
                bad |= ~np.isin(numbers, (0.0, 1.0)) & (numbers != -1.0)
            if bad.any():
                raise DataError(f"column {name}: value {values[bad].iloc[0]!r} is not a valid "
                                f"{'label' if kind == 'target' else 'integer id'}", column=name)
            out[name] = pd.Series(numbers.astype(np.int8 if kind == "target" else np.int64), index=df.index)
        else:
            out[name] = values.astype(float_dtype)
    # one construction instead of column-by-column assignment (no fragmented frame)
    return pd.DataFrame(out, index=df.index, columns=df.columns)


def _application_arrow(con: duckdb.DuckDBPyConnection, source: DataSource, table: str,
                       report: DataReport) -> pa.Table:
    """One application table straight from its CSV, typed in SQL as the frame wants it.

    Measures are cast to FLOAT by DuckDB (the same round-to-nearest as numpy's
    float64 -> float32), so the Arrow table converts to pandas without a
    per-column pass; application_test gets TARGET = -1.
    """
    path = source.files[table]
    header = check_header(table, path, report)
    kinds = schema.kinds(table)
    select = []
    for name, kind in schema.TABLES["application_train"]:
        if name not in kinds:  # TARGET, absent from application_test
            select.append('CAST(-1 AS TINYINT) AS "TARGET"')
        elif kind in ("int", "float"):
            select.append(f'CAST("{name}" AS FLOAT) AS "{name}"')
        else:
            select.append(f'"{name}"')
    try:
        # ORDER BY: a parallel CSV read (preserve_insertion_order=false) returns row chunks
        # in thread order, so without it two builds could order applicants differently.
        arrow = con.sql(f"SELECT {', '.join(select)} FROM {csv_relation_sql(table, path, header)} "
                        'ORDER BY "SK_ID_CURR"').to_arrow_table()
    except duckdb.Error as exc:
        raise translate_error(exc, path) from None
    report.rows[table] = arrow.num_rows
    ids = arrow.column("SK_ID_CURR").to_numpy()
    unique, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        duplicated = unique[counts > 1][:5].tolist()
        raise DataError(f"{path.name}, column SK_ID_CURR: duplicate ids {duplicated}",
                        file=path.name, column="SK_ID_CURR")
    return arrow


def read_applications(con: duckdb.DuckDBPyConnection, source: DataSource, report: DataReport) -> pd.DataFrame:
    """application_train and application_test as one frame (TARGET missing = -1 for test).

    Rows: application_train then application_test, each by SK_ID_CURR (the Kaggle
    files' own order), whatever the thread scheduling. Columns in application_train order: SK_ID_CURR int64, TARGET int8, measures
    float32, text as category (categories sorted, as ``astype("category")``).
    """
    train = _application_arrow(con, source, "application_train", report)
    test = _application_arrow(con, source, "application_test", report)
    if train.num_rows + test.num_rows == 0:
        raise DataError(f"{source.root}: application_train and application_test have no rows",
                        file=source.files["application_train"].name)
    both = pa.concat_tables([train, test]).combine_chunks()
    clash = np.intersect1d(train.column("SK_ID_CURR").to_numpy(), test.column("SK_ID_CURR").to_numpy())
    if len(clash):
        name = source.files["application_test"].name
        raise DataError(f"{name}, column SK_ID_CURR: ids also in application_train: {clash[:5].tolist()}",
                        file=name, column="SK_ID_CURR")
    cats = set(schema.APPLICATION_CATEGORICALS)
    columns = [pc.dictionary_encode(both.column(n)) if n in cats else both.column(n) for n in both.column_names]
    apps = pa.table(columns, names=both.column_names).to_pandas()
    for name in cats:  # sorted categories, as pandas' astype("category") (and features_from_records) give
        categories = apps[name].cat.categories
        if not categories.is_monotonic_increasing:
            apps[name] = apps[name].cat.reorder_categories(categories.sort_values())
    return apps


def count_orphans(con: duckdb.DuckDBPyConnection, table: str, parent_sql: str, key: str) -> int:
    """Rows of ``table`` whose ``key`` is not among the parent keys."""
    sql = f'SELECT count(*) FROM "{table}" c WHERE NOT EXISTS (SELECT 1 FROM {parent_sql} p WHERE p.k = c."{key}")'
    return int(con.sql(sql).fetchall()[0][0])
