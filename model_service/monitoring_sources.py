"""Where the Monitoring page's production data come from: the prediction log and the decisions.

:func:`read_log_file` reads the JSON-lines prediction log with DuckDB into one row per scored
client (batches of known clients unnested), with the requested feature columns of
single-request lines. :func:`read_decisions` reads the advisors' decisions table.
Both return pandas frames for :mod:`scoring.monitoring`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

log = logging.getLogger("model_service.monitoring")

LOG_COLUMNS = ["time", "client_id", "probability", "score", "decision", "model_version"]

_LOG_SQL = """
WITH log AS (
    SELECT * FROM read_json(?, format = 'newline_delimited', ignore_errors = true,
                            columns = {{'time': 'VARCHAR', 'id': 'BIGINT', 'probability': 'DOUBLE',
                                        'score': 'DOUBLE', 'decision': 'VARCHAR', 'model_version': 'VARCHAR',
                                        'ids': 'BIGINT[]', 'probabilities': 'DOUBLE[]', 'scores': 'DOUBLE[]',
                                        'decisions': 'VARCHAR[]', 'features': 'JSON'}})
)
SELECT time, id AS client_id, probability, score, decision, model_version{features}
FROM log WHERE score IS NOT NULL AND time IS NOT NULL
UNION ALL
SELECT time, unnest(ids), unnest(probabilities), unnest(scores), unnest(decisions), model_version{nulls}
FROM log WHERE scores IS NOT NULL AND time IS NOT NULL
"""


def read_log_file(path: Path, features: list[str]) -> pd.DataFrame:
    """Scored rows of the JSON-lines log (empty frame when absent or unreadable)."""
    if not path.exists():
        return pd.DataFrame(columns=LOG_COLUMNS + features)
    extract = "".join(f", TRY_CAST(json_extract(features, {_quote('$.' + json.dumps(f))}) AS DOUBLE) AS "
                      f"{_ident(f)}" for f in features)
    nulls = "".join(f", NULL::DOUBLE AS {_ident(f)}" for f in features)
    try:
        with duckdb.connect() as con:
            return con.execute(_LOG_SQL.format(features=extract, nulls=nulls), [str(path)]).df()
    except duckdb.Error as exc:
        log.warning("prediction log %s unreadable: %s", path, exc)
        return pd.DataFrame(columns=LOG_COLUMNS + features)


def read_decisions(engine: Engine, table) -> pd.DataFrame:
    """Every recorded advisor decision."""
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.client_id, table.c.decision, table.c.reason, table.c.advisor,
                                   table.c.created_at, table.c.model_decision)).all()
    return pd.DataFrame(rows, columns=["client_id", "decision", "reason", "advisor", "created_at", "model_decision"])


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
