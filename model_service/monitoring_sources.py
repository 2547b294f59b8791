"""Where the Monitoring page's production data come from: the prediction log, decisions and outcomes.

The prediction log is read from the service database's ``prediction_log`` table
(:func:`read_log_database`) or from the JSON-lines file (:func:`read_log_file`, with DuckDB);
both give one row per scored client -- time, client_id, probability, score, decision,
model_version, role -- plus the requested feature columns of the rows that logged features.
:func:`read_decisions` and :func:`read_outcomes` read the other two tables. All return pandas
frames for :mod:`scoring.monitoring`.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy import select

from scoring.monitoring.log_rows import fill_features

from .storage.schema import decisions, outcomes, prediction_batches, predictions

log = logging.getLogger("model_service.monitoring")

LOG_COLUMNS = ["time", "client_id", "probability", "score", "decision", "model_version", "role", "endpoint"]
#: At most this many logged feature rows (the most recent) feed the feature drift.
FEATURE_ROWS = 20_000

_LOG_SQL = """
WITH log AS (
    SELECT row_number() OVER () AS line, *
    FROM read_json(?, format = 'newline_delimited', ignore_errors = true,
                   columns = {{'time': 'VARCHAR', 'id': 'BIGINT', 'probability': 'DOUBLE',
                               'score': 'DOUBLE', 'decision': 'VARCHAR', 'model_version': 'VARCHAR',
                               'role': 'VARCHAR', 'endpoint': 'VARCHAR', 'features': 'JSON',
                               'kind': 'VARCHAR', 'batch_id': 'VARCHAR', 'batch_row': 'BIGINT',
                               'n_rows': 'BIGINT', 'columns': 'JSON'}})
),
cells AS (  -- each batch's wanted columns, one row per application (each batch's JSON read once)
    SELECT batch_id, unnest(range(n_rows)) AS batch_row{cells}
    FROM log WHERE kind = 'batch'
)
SELECT l.time, l.id AS client_id, l.probability, l.score, l.decision, l.model_version,
       coalesce(l.role, 'champion') AS role, l.endpoint{features}
FROM log l LEFT JOIN cells c ON l.batch_id = c.batch_id AND l.batch_row = c.batch_row
WHERE l.score IS NOT NULL AND l.time IS NOT NULL
ORDER BY l.line
"""


def read_log_file(path: Path, features: list[str]) -> pd.DataFrame:
    """Scored rows of the JSON-lines log (empty frame when absent or unreadable); a row of a columnar batch
    takes its values from the batch's own line (``scoring.monitoring.log_rows``)."""
    if not path.exists():
        return pd.DataFrame(columns=LOG_COLUMNS + features)
    paths = [_quote("$." + json.dumps(f)) for f in features]
    cells = "".join(f", unnest(CAST(json_extract(columns, {p}) AS JSON[])) AS c{j}" for j, p in enumerate(paths))
    extract = "".join(f", TRY_CAST(coalesce(json_extract(l.features, {p}), c.c{j}) AS DOUBLE) AS {_ident(f)}"
                      for j, (p, f) in enumerate(zip(paths, features, strict=True)))
    try:
        with duckdb.connect() as con:
            return con.execute(_LOG_SQL.format(features=extract, cells=cells),
                               [str(path)]).df()
    except duckdb.Error as exc:
        log.warning("prediction log %s unreadable: %s", path, exc)
        return pd.DataFrame(columns=LOG_COLUMNS + features)


def read_log_database(db, features: list[str], since: datetime | None = None) -> pd.DataFrame:
    """Scored rows of the ``prediction_log`` table logged at or after ``since``; a row of a columnar batch
    takes its values from ``prediction_batches``."""
    t = predictions
    query = select(t.c.logged_at, t.c.client_id, t.c.probability, t.c.score, t.c.decision, t.c.model_version,
                   t.c.role, t.c.endpoint, t.c.features, t.c.batch_id, t.c.batch_row)
    if since is not None:
        query = query.where(t.c.logged_at >= since)
    with db.connect() as conn:
        rows = conn.execute(query.order_by(t.c.logged_at)).all()
        with_features = [k for k, row in enumerate(rows) if row.features is not None or row.batch_id is not None]
        with_features = with_features[-FEATURE_ROWS:] if features else []
        records = [{"features": rows[k].features, "batch_id": rows[k].batch_id, "batch_row": rows[k].batch_row}
                   for k in with_features]
        wanted = sorted({r["batch_id"] for r in records if r["batch_id"] is not None})
        batches = dict(conn.execute(select(prediction_batches.c.batch_id, prediction_batches.c.columns)
                                    .where(prediction_batches.c.batch_id.in_(wanted))).all()) if wanted else {}
    frame = pd.DataFrame([row[:8] for row in rows], columns=["time", *LOG_COLUMNS[1:]])
    frame["time"] = pd.to_datetime(frame["time"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for r in records:
        if r["batch_id"] is None:
            try:
                r["features"] = json.loads(r["features"])
            except ValueError:
                r["features"] = None
    fill_features(records, batches)
    values = {f: np.full(len(frame), np.nan) for f in features}
    for k, record in zip(with_features, records, strict=True):
        if not isinstance(record["features"], dict):
            continue
        for f in features:
            v = record["features"].get(f)
            if isinstance(v, int | float) and not isinstance(v, bool):
                values[f][k] = float(v)
    for f in features:
        frame[f] = values[f]
    return frame


def read_decisions(db) -> pd.DataFrame:
    """Every recorded advisor decision."""
    t = decisions
    with db.connect() as conn:
        rows = conn.execute(select(t.c.client_id, t.c.decision, t.c.reason, t.c.advisor, t.c.created_at,
                                   t.c.model_decision)).all()
    return pd.DataFrame(rows, columns=["client_id", "decision", "reason", "advisor", "created_at", "model_decision"])


def read_outcomes(db) -> pd.DataFrame:
    """Each client's latest outcome: client_id, defaulted (0/1), observed_at (end of the day observed, UTC)."""
    t = outcomes
    with db.connect() as conn:
        rows = conn.execute(select(t.c.client_id, t.c.defaulted, t.c.observed_on)).all()
    frame = pd.DataFrame(rows, columns=["client_id", "defaulted", "observed_at"])
    if frame.empty:
        return frame
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True) + pd.Timedelta(days=1)
    frame["defaulted"] = frame["defaulted"].astype(int)
    return frame.sort_values(["client_id", "observed_at"]).groupby("client_id", as_index=False).tail(1)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
