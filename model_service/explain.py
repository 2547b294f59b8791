"""Per-client explanations from CatBoost's native SHAP values (no shap package).

The SHAP values of one row are read from a leaf table (:mod:`scoring.leaf_shap`: filled with
CatBoost's own ShapValues at start-up, about 0.05 ms a row instead of 6-30 ms). The table is used
only once it has given, on a sample of stored clients and on synthetic rows (missing values,
unseen categories, numbers next to split borders), exactly (``==``) what CatBoost's ShapValues
gives; otherwise, or with ``LEAF_SHAP_TABLE=0``, every row goes to CatBoost, and the answers are
the same either way.

``base_value + sum(contributions) == raw_score``: the log-odds of the
uncalibrated model for that row. ``points`` gives the same explanation in points of the
0-100 score (``model_service.reasons``); protected attributes are never named.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from scoring import leaf_shap
from scoring.bundle import Bundle
from scoring.decision import to_score
from scoring.features import MISSING_CATEGORY
from scoring.leaf_shap import LeafShapTable
from scoring.protected import of_bundle

from . import reasons, text
from .inputs import StoreInputs

log = logging.getLogger("model_service")

REFERENCE_SAMPLE = 5000
#: Stored clients on which the leaf table is checked against CatBoost at start-up (plus synthetic rows).
TABLE_CHECK_ROWS = 64
#: Seconds the start-up waits for the leaf table before it explains with CatBoost alone.
TABLE_TIMEOUT = 300
ROOT = Path(__file__).resolve().parent.parent


def reference_terciles(inputs: StoreInputs, sample: int = REFERENCE_SAMPLE) -> dict[str, tuple[float, float]]:
    """Population terciles of every numeric feature, from an evenly spaced sample of the store."""
    n = len(inputs.store)
    if n == 0:
        return {}
    rows = np.unique(np.linspace(0, n - 1, num=min(n, sample)).astype(np.int64))
    matrix = inputs.matrix(rows).astype(np.float64)
    out: dict[str, tuple[float, float]] = {}
    categorical = set(inputs.categorical)
    for j, name in enumerate(inputs.features):
        column = matrix[:, j]
        if name in categorical or np.isnan(column).all():
            continue
        low, high = np.nanquantile(column, [1 / 3, 2 / 3])
        out[name] = (float(low), float(high))
    return out


def json_value(value: Any) -> Any:
    if value is None or value == MISSING_CATEGORY:
        return None
    if isinstance(value, float | np.floating):
        x = float(value)
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(value, np.integer):
        return int(value)
    return value


def native_shap_values(model, inputs: StoreInputs, row: list) -> np.ndarray:
    """CatBoost's ShapValues of one plain row: n_features contributions then the base value (log-odds)."""
    return leaf_shap.native_shap_values(model, inputs.features, inputs.cat_index, row)


def stored_check_rows(inputs: StoreInputs, sample: int = TABLE_CHECK_ROWS) -> list[tuple[int, np.ndarray, list]]:
    """An even spread of stored clients: (position, coded store row, plain row)."""
    n = len(inputs.store)
    positions = np.unique(np.linspace(0, n - 1, num=min(n, sample)).astype(np.int64)).tolist() if n else []
    return [(i, np.array(inputs.reader.row(i)), inputs.row(i)) for i in positions]


def checked_leaf_table(model, inputs: StoreInputs, sample: int = TABLE_CHECK_ROWS) -> LeafShapTable | None:
    """The model's leaf table if it reproduces CatBoost's ShapValues exactly on the check rows, else None
    (a warning names why).

    Built and checked in a separate process (a fresh interpreter, not a fork), on the model saved from this
    one: a SHAP computation in gunicorn's master, even single-threaded, makes the forked workers crash at
    exit (SIGSEGV, seen with tests/integration/test_service_startup.py); only the numbers come back."""
    start = time.perf_counter()
    stored = stored_check_rows(inputs, sample)
    try:
        table, failure = build_elsewhere(model, inputs.features, inputs.cat_index, dict(inputs.store.categories),
                                         stored)
    except Exception as exc:  # noqa: BLE001 - a broken process, a timeout: the native path still answers
        table, failure = None, f"the leaf table process failed ({type(exc).__name__}: {exc})"
    if table is None:
        log.warning("explanations use CatBoost's ShapValues for every row: %s", failure)
        return None
    log.info("explanations use a leaf table of SHAP values (%d trees, %.1f s to build and check)",
             table.stats["trees"], time.perf_counter() - start)
    return table


#: Answers of build_elsewhere by (saved model, arguments): the same bytes give the same table and check, so a
#: process that opens the same bundle again (the tests make many apps) does not pay the build twice.
_BUILT: dict[str, tuple[LeafShapTable | None, str | None]] = {}


def build_elsewhere(model, *args) -> tuple[LeafShapTable | None, str | None]:
    """:func:`scoring.leaf_shap.build_checked` run by ``python -c`` (the same interpreter, the same code)."""
    with tempfile.TemporaryDirectory() as tmp:
        model_path, input_path, output_path = (str(Path(tmp) / name) for name in ("model.cbm", "in.pkl", "out.pkl"))
        model.save_model(model_path)
        payload = pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)
        key = hashlib.sha256(Path(model_path).read_bytes() + payload).hexdigest()
        if key in _BUILT:
            return _BUILT[key]
        Path(input_path).write_bytes(payload)
        code = "import sys; from scoring.leaf_shap import build_in_process; build_in_process(*sys.argv[1:])"
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        done = subprocess.run([sys.executable, "-c", code, model_path, input_path, output_path], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": path}, capture_output=True, timeout=TABLE_TIMEOUT,
                              check=False)
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise RuntimeError(f"exit status {done.returncode}: {tail[0][:300]}")
        with open(output_path, "rb") as handle:
            answer = pickle.load(handle)
    if len(_BUILT) >= 4:
        _BUILT.clear()
    _BUILT[key] = answer
    return answer


class Explainer:
    def __init__(self, bundle: Bundle, inputs: StoreInputs, reference: dict[str, tuple[float, float]],
                 cache_size: int = 4096, leaf_table: bool = True):
        self.model = bundle.model
        self.calibrator = bundle.calibrator
        self.threshold = bundle.threshold
        self.inputs = inputs
        self.reference = reference
        self.protected = of_bundle(bundle.metadata)
        #: the checked leaf table, None: CatBoost's ShapValues for every row
        self.table: LeafShapTable | None = checked_leaf_table(self.model, inputs) if leaf_table else None
        self._shap_index = lru_cache(maxsize=cache_size)(self._shap_of_index) if cache_size else self._shap_of_index

    @property
    def uses_table(self) -> bool:
        return self.table is not None

    def shap_values(self, row: list) -> np.ndarray:
        """SHAP values of one row: n_features contributions then the base value (log-odds)."""
        if self.table is not None:
            x = self.table.encode(row)
            if x is not None:
                return self.table.shap_values(x)
        return native_shap_values(self.model, self.inputs, row)

    def _shap_of_index(self, i: int) -> np.ndarray:
        if self.table is not None:
            values = self.table.shap_values(self.inputs.reader.row(i))
        else:
            values = native_shap_values(self.model, self.inputs, self.inputs.row(i))
        values.setflags(write=False)
        return values

    def score_of(self, log_odds: float) -> float:
        """The 0-100 score of a raw model output in log-odds (as ``Scorer.from_raw`` computes it)."""
        raw = 1.0 / (1.0 + math.exp(-log_odds))
        return float(to_score(float(self.calibrator.apply(raw)), self.threshold))

    def explain_index(self, i: int, top: int, score: float) -> dict[str, Any]:
        """``score``: the client's score as served everywhere (the points add up to it)."""
        return self.explain(self.inputs.row(i), top, self._shap_index(i), score=score)

    def explain(self, row: list, top: int, shap: np.ndarray | None = None, score: float | None = None
                ) -> dict[str, Any]:
        shap = self.shap_values(row) if shap is None else shap
        contributions, base = shap[:-1], float(shap[-1])
        raw = base + float(contributions.sum())
        chosen = reasons.named_order(contributions, self.inputs.features, self.protected)[:top]
        items = [self.contribution(j, row[j], float(contributions[j])) for j in chosen]
        rest = float(contributions.sum() - contributions[chosen].sum())
        return {
            "base_value": base,
            "raw_score": raw,
            "contributions": items,
            "other_contribution": rest,
            "other_count": len(contributions) - len(chosen),
            "points": self.points(row, contributions, base, self.score_of(raw) if score is None else score),
        }

    def points(self, row: list, contributions: np.ndarray, base: float, score: float) -> dict[str, Any]:
        base_score, chosen, other, other_count = reasons.in_points(
            contributions, base, score, self.score_of, self.inputs.features, self.protected)
        items = []
        for j, points in chosen:
            item = self.contribution(j, row[j], float(contributions[j]))
            del item["contribution"], item["unit"]
            items.append({**item, "points": points})
        return {"unit": "score points", "base": base_score, "score": score, "reasons": items,
                "other_points": other, "other_count": other_count}

    def contribution(self, j: int, value: Any, contribution: float) -> dict[str, Any]:
        name = self.inputs.features[j]
        value = json_value(value)
        sentence_fr, sentence_en = text.sentences(name, value, contribution, self.reference.get(name))
        return {
            "feature": name,
            "label": text.label(name, "fr"),
            "label_en": text.label(name, "en"),
            "value": value,
            "display_value": text.format_value(name, value, "fr"),
            "display_value_en": text.format_value(name, value, "en"),
            "unit": text.unit(name),
            "contribution": contribution,
            "direction": "raises" if contribution > 0 else "lowers",
            "sentence": sentence_fr,
            "sentence_en": sentence_en,
        }
