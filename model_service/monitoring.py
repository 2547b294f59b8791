"""Production monitoring: the drift report's summary plus the score distribution of
the prediction log, per day (read with DuckDB, cached until the log changes)."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger("model_service.monitoring")

HISTOGRAM_BINS = 10

_SQL = """
WITH log AS (
    SELECT * FROM read_json(?, format = 'newline_delimited', ignore_errors = true,
                            columns = {{'time': 'VARCHAR', 'score': 'DOUBLE', 'decision': 'VARCHAR',
                                        'scores': 'DOUBLE[]', 'decisions': 'VARCHAR[]'}})
), scored AS (
    SELECT time, score, decision FROM log WHERE score IS NOT NULL
    UNION ALL
    SELECT time, unnest(scores) AS score, unnest(decisions) AS decision FROM log WHERE scores IS NOT NULL
)
SELECT substr(time, 1, 10) AS day,
       count(*) AS count,
       avg(score) AS mean_score,
       quantile_cont(score, 0.1) AS p10,
       quantile_cont(score, 0.5) AS p50,
       quantile_cont(score, 0.9) AS p90,
       avg(CASE WHEN decision = 'approve' THEN 1.0 ELSE 0.0 END) AS approve,
       avg(CASE WHEN decision = 'review' THEN 1.0 ELSE 0.0 END) AS review,
       avg(CASE WHEN decision = 'decline' THEN 1.0 ELSE 0.0 END) AS decline,
       list(least(CAST(floor(score / {width}) AS INTEGER), {last})) AS bins
FROM scored
WHERE time IS NOT NULL AND score IS NOT NULL
GROUP BY day ORDER BY day
"""


class Monitoring:
    def __init__(self, drift_summary: Path, prediction_log: Path | None):
        self.drift_summary = drift_summary
        self.prediction_log = prediction_log
        self._cache_key: tuple[int, float] | None = None
        self._cache: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def drift(self) -> dict[str, Any] | None:
        """The drift summary, or None when no report exists (or it cannot be read)."""
        try:
            data = json.loads(self.drift_summary.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("drift summary %s unreadable: %s", self.drift_summary, exc)
            return None
        return data if isinstance(data, dict) else {"summary": data}

    def scores_by_day(self) -> list[dict[str, Any]]:
        path = self.prediction_log
        if path is None or not path.exists():
            return []
        stat = path.stat()
        key = (stat.st_size, stat.st_mtime)
        with self._lock:
            if key == self._cache_key:
                return self._cache
            try:
                with duckdb.connect() as con:
                    sql = _SQL.format(width=100 / HISTOGRAM_BINS, last=HISTOGRAM_BINS - 1)
                    rows = con.execute(sql, [str(path)]).fetchall()
                    names = [d[0] for d in con.description]
            except duckdb.Error as exc:
                log.warning("prediction log %s unreadable: %s", path, exc)
                return []
            out = []
            for row in rows:
                item = dict(zip(names, row, strict=True))
                counts = [0] * HISTOGRAM_BINS
                for b in item.pop("bins") or []:
                    if b is not None:
                        counts[max(0, min(HISTOGRAM_BINS - 1, int(b)))] += 1
                item["histogram"] = {"edges": [i * 100 / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)],
                                     "counts": counts}
                out.append({k: (float(v) if isinstance(v, float) else v) for k, v in item.items()})
            self._cache_key, self._cache = key, out
            return out
