"""Scoring new applications from raw fields (one, with explanation), and batches."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from flask import Response

from scoring import schema
from scoring.data import DataError
from scoring.features import feature_columns, history_columns, list_columns, model_columns, model_rows

from ..api import Routes, operation
from ..completeness import warnings
from ..errors import Invalid, problems_from
from ..prediction_log import BatchEntry, now
from ..schemas import BatchOut, PredictOut
from ..scorer import BANDS
from ..services import Services, services
from ..validation import BATCH_FORMS
from .scoring import log_score

bp = Routes("predict")

PLACEHOLDER_ID = 0


def history_frames(history: Any) -> dict[str, pd.DataFrame]:
    """Validated history rows -> one frame per table, every schema column present, ids filled."""
    frames: dict[str, pd.DataFrame] = {}
    if history is None:
        return frames
    for table, rows in history.model_dump().items():
        if not rows:
            continue
        frame = pd.DataFrame(rows).reindex(columns=schema.columns(table))
        if "SK_ID_CURR" in frame:
            frame["SK_ID_CURR"] = PLACEHOLDER_ID
        for key in ("SK_ID_BUREAU", "SK_ID_PREV"):
            if key in frame and frame[key].isna().any():
                filler = pd.Series(-np.arange(1, len(frame) + 1), index=frame.index)
                frame[key] = frame[key].fillna(filler)
        for column, kind in schema.TABLES[table]:
            if kind == "cat":
                frame[column] = frame[column].astype(object)
        frames[table] = frame
    return frames


def columns_inputs(s: Services, columns: dict[str, list], n: int,
                   history: dict[str, pd.DataFrame] | None = None) -> dict[str, np.ndarray]:
    """Model input columns of ``n`` validated applications given as one list per field, through the
    core's columnar features (the same functions for one row and for many)."""
    try:
        hist = history_columns(history, np.full(n, PLACEHOLDER_ID)) if history else None
        cols = feature_columns(list_columns(columns, n, numbers_checked=True), n, hist)  # strict pydantic types
    except (DataError, ValueError, TypeError, KeyError, duckdb.Error) as exc:
        raise Invalid([{"field": "history" if history else "application", "problem": str(exc)[:300]}],
                      error="cannot build features") from None
    return model_columns(cols, s.inputs.features, s.inputs.categorical)


def model_inputs(s: Services, applications: list[dict[str, Any]],
                 history: dict[str, pd.DataFrame] | None = None) -> dict[str, np.ndarray]:
    """Model input columns of validated applications (dicts, one or many)."""
    present = set().union(*applications) if applications else set()
    return columns_inputs(s, {name: [a.get(name) for a in applications] for name in present},
                          len(applications), history)


@operation(bp, "/predict", method="POST", summary="Score a new application from raw fields, with explanation",
           tags="scoring", body=lambda: services().models.predict, response=PredictOut,
           errors=(400, 413, 415, 422, 429))
def predict(body: Any):
    s = services()
    application = body.application.model_dump(exclude_none=True)
    client_id = application.pop("SK_ID_CURR", None)
    history = history_frames(body.history)
    row = model_rows(model_inputs(s, [application], history), s.inputs.features)[0]
    result = s.scorer.score_row(row)
    if s.predictions.enabled:
        log_score(s, "predict", client_id, result, row)
    answer: dict[str, Any] = {"id": client_id, **result.as_dict(),
                              "explanation": s.explainer.explain(row, body.top, score=result.score) if body.explain else None,
                              "warnings": warnings(application, bool(history))}
    if body.counterfactual:
        answer["counterfactual"] = s.counterfactuals.search(application, row)
    return s.stamp(answer)


def _results(scores, ids: list) -> list[str]:
    """Result items already written as JSON (10,000 dicts through json.dumps cost more than scoring them)."""
    return [f'{{"id":{"null" if i is None else int(i)},"probability":{p!r},"score":{sc!r},"decision":"{d}","band":"{BANDS[d]}"}}'
            for i, p, sc, d in zip(ids, scores.probability.tolist(), scores.score.tolist(),
                                   scores.decision.tolist(), strict=True)]


def _answer(s: Services, items: list[str | dict[str, Any]]) -> Response:
    parts = [item if isinstance(item, str) else json.dumps(item, separators=(",", ":")) for item in items]
    body = (f'{{"results":[{",".join(parts)}],"count":{len(parts)},'
            f'"model_version":{json.dumps(s.version)},"threshold":{s.threshold!r},'
            f'"all_to_advisor":{json.dumps(s.oversight.on)}}}')
    return Response(body, mimetype="application/json")


def _batch_ids(s: Services, ids: list[int]) -> list[str | dict[str, Any]]:
    try:
        as_int = np.array(ids, dtype=np.int64)
        valid = as_int >= 0
    except OverflowError:  # ids beyond int64 are unknown by definition
        valid = np.array([0 <= i < 2**63 for i in ids], dtype=bool)
        as_int = np.where(valid, np.asarray(ids, dtype=object), -1).astype(np.int64)
    positions = np.searchsorted(s.clients.ids, as_int)
    positions = np.clip(positions, 0, max(len(s.clients.ids) - 1, 0))
    found = valid & (s.clients.ids[positions] == as_int) if len(s.clients.ids) else np.zeros(len(ids), bool)
    results: list[str | dict[str, Any] | None] = [None] * len(ids)
    for k in np.flatnonzero(~found).tolist():
        results[k] = {"id": ids[k], "error": "unknown client"}
    if found.any():
        scores = s.scorer.score_indices(positions[found])
        found_ids = as_int[found].tolist()
        for k, item in zip(np.flatnonzero(found).tolist(), _results(scores, found_ids), strict=True):
            results[k] = item
        if s.predictions.enabled:
            s.predictions.put(BatchEntry(time=now(), endpoint="batch", ids=found_ids, probability=scores.probability,
                                         score=scores.score, decision=scores.decision))
    return results  # type: ignore[return-value]


def _batch_records(s: Services, records: list[dict[str, Any]]) -> list[str | dict[str, Any]]:
    columns, kept, errors = s.models.records.validate(records)
    results: list[str | dict[str, Any] | None] = [None] * len(records)
    for k, exc in errors.items():
        results[k] = {"index": k, "id": records[k].get("SK_ID_CURR"), "error": "invalid input",
                      "detail": problems_from(exc)}
    if kept:
        ids = columns.pop("SK_ID_CURR", None) or [None] * len(kept)
        scores = s.scorer.score_columns(columns_inputs(s, columns, len(kept)))
        for k, item in zip(kept, _results(scores, ids), strict=True):
            results[k] = f'{{"index":{k},{item[1:]}'  # item is a JSON object: prepend the index
        if s.predictions.enabled:
            # logged as columns, like the columnar form: the scored records' validated values, once
            s.predictions.put(BatchEntry(time=now(), endpoint="batch", ids=ids, probability=scores.probability,
                                         score=scores.score, decision=scores.decision, columns=columns))
    return results  # type: ignore[return-value]


def _batch_columns(s: Services, given: Any) -> list[str | dict[str, Any]]:
    """Applications as one validated list per field (pydantic checked every value and the lengths)."""
    columns = {name: getattr(given, name) for name in given.model_fields_set}
    ids = columns.pop("SK_ID_CURR", None)
    n = len(ids) if ids is not None else len(next(iter(columns.values())))
    ids = ids or [None] * n
    scores = s.scorer.score_columns(columns_inputs(s, columns, n))
    if s.predictions.enabled:
        s.predictions.put(BatchEntry(time=now(), endpoint="batch", ids=ids, probability=scores.probability,
                                     score=scores.score, decision=scores.decision, columns=columns))
    return [f'{{"index":{k},{item[1:]}' for k, item in enumerate(_results(scores, ids))]


@operation(bp, "/predict/batch", method="POST", summary="Score up to 10,000 known clients or raw applications",
           tags="scoring", body=lambda: services().models.batch, response=BatchOut,
           errors=(400, 413, 415, 422, 429))
def predict_batch(body: Any):
    s = services()
    given = [form for form in BATCH_FORMS if getattr(body, form) is not None]
    if len(given) != 1:
        raise Invalid([{"field": "(body)", "problem": "give exactly one of 'ids', 'records' or 'columns'"}])
    score = {"ids": _batch_ids, "records": _batch_records, "columns": _batch_columns}[given[0]]
    return _answer(s, score(s, getattr(body, given[0])))
