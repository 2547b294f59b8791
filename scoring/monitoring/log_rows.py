"""The prediction log's columnar batches: logged once as they came, their rows rebuilt when read.

A batch sent as columns (``POST /predict/batch {"columns": ...}``) is one log entry of kind
:data:`BATCH_KIND` holding the validated columns as JSON text, plus one row per application
whose ``features`` are NULL, ``features_source`` is ``"batch"`` and ``batch_id``/``batch_row``
say where its values are. Writing each row's fields as its own JSON object was half of the
service's CPU on such a batch (bench/README.md); readers pay it instead, off the request path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

BATCH_KIND = "batch"
BATCH_SOURCE = "batch"


def batch_row(columns: Mapping[str, list], k: int) -> dict[str, Any]:
    """The fields sent for row ``k`` of a logged batch, as its record would have been logged: nulls left out."""
    return {name: values[k] for name, values in columns.items() if values[k] is not None}


def parse_columns(text: str | Mapping[str, list] | None) -> dict[str, list] | None:
    """A batch entry's columns (JSON text, or already parsed); None when unreadable or not columns."""
    if isinstance(text, str):
        try:
            text = json.loads(text)
        except ValueError:
            return None
    if not isinstance(text, Mapping) or not all(isinstance(v, list) for v in text.values()):
        return None
    return dict(text)


def fill_features(rows: Iterable[dict[str, Any]], batches: Mapping[str, Any]) -> None:
    """Give each row of a logged batch its ``features`` (a dict) from ``batches`` (batch_id -> columns, as text
    or parsed); rows whose batch is absent or too short keep ``features`` None."""
    parsed: dict[str, dict[str, list] | None] = {}
    for row in rows:
        batch_id, k = row.get("batch_id"), row.get("batch_row")
        if batch_id is None or not isinstance(k, int) or isinstance(k, bool):
            continue
        if batch_id not in parsed:
            parsed[batch_id] = parse_columns(batches.get(batch_id))
        columns = parsed[batch_id]
        if columns and all(0 <= k < len(values) for values in columns.values()):
            row["features"] = batch_row(columns, k)
