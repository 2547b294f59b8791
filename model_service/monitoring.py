"""Production monitoring, computed from what the service keeps (no offline report needed).

``GET /monitoring/summary`` answers :class:`scoring.monitoring.contract.MonitoringSummary`:
the production score distribution per day or week against the training one (PSI), volumes,
decision shares and the most drifted features (prediction log); override analytics
(decisions); the backtest (outcomes, when recorded); the offline drift report's summary
when one exists (``DRIFT_SUMMARY``), and whether its HTML report can be served
(``GET /monitoring/report``). The production part is cached per period until the log changes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from scoring.decision import to_score
from scoring.monitoring.contract import DriftSummary
from scoring.monitoring.overrides import override_report
from scoring.monitoring.production import production_report

from .decisions import DatabaseUnavailable
from .decisions import decisions as decision_table
from .monitoring_sources import read_decisions, read_log_file

log = logging.getLogger("model_service.monitoring")

CACHE_SECONDS = 30.0
#: Features compared for the "top drifted" list: the most important numeric ones.
DRIFT_FEATURES = 15
REFERENCE_ROWS = 20_000


class Monitoring:
    def __init__(self, drift_summary: Path, prediction_log: Path | None, bundle=None, decisions=None):
        self.drift_summary = drift_summary
        self.prediction_log = prediction_log
        self.bundle = bundle
        self.decisions = decisions
        self._cache: dict[str, tuple[Any, float, dict[str, Any]]] = {}
        self._reference: tuple[np.ndarray | None, pd.DataFrame | None, list[str]] | None = None
        self._lock = threading.Lock()

    # --- the offline drift report ----------------------------------------------------------------
    def drift(self) -> dict[str, Any] | None:
        """The drift summary as written by ``python -m reports.drift``, or None (absent or unreadable)."""
        try:
            data = json.loads(self.drift_summary.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("drift summary %s unreadable: %s", self.drift_summary, exc)
            return None
        return data if isinstance(data, dict) else None

    def drift_typed(self) -> DriftSummary | None:
        data = self.drift()
        if data is None:
            return None
        try:
            return DriftSummary.model_validate(data)
        except ValidationError as exc:
            log.warning("drift summary %s does not have the shape reports.drift writes: %s",
                        self.drift_summary, exc.errors()[:3])
            return None

    def report_path(self) -> Path | None:
        """The HTML report named by the summary: as written, else next to the summary."""
        data = self.drift()
        name = data.get("report_html") if data else None
        if not isinstance(name, str) or not name:
            return None
        written = Path(name)
        for candidate in (written, self.drift_summary.parent / written.name):
            if candidate.is_file():
                return candidate
        return None

    # --- production --------------------------------------------------------------------------------
    def reference(self) -> tuple[np.ndarray | None, pd.DataFrame | None, list[str]]:
        """Training scores (out-of-fold, 0-100) and a sample of training rows of the drift features."""
        with self._lock:
            if self._reference is None:
                self._reference = _reference(self.bundle) if self.bundle is not None else (None, None, [])
            return self._reference

    def log_frame(self) -> pd.DataFrame:
        _, _, features = self.reference()
        if self.prediction_log is None:
            return pd.DataFrame(columns=["time", "score", "decision", *features])
        return read_log_file(self.prediction_log, features)

    def production(self, freq: str = "day") -> dict[str, Any]:
        """Cached until the log changes, and at most :data:`CACHE_SECONDS` (a database log has no file to watch)."""
        key = (freq, _stat(self.prediction_log))
        now = time.monotonic()
        cached = self._cache.get(freq)
        if cached is not None and cached[0] == key and now - cached[1] < CACHE_SECONDS:
            return cached[2]
        scores, ref_features, _ = self.reference()
        result = production_report(self.log_frame(), scores, freq, ref_features)
        self._cache[freq] = (key, now, result)
        return result

    def overrides(self) -> dict[str, Any] | None:
        if self.decisions is None:
            return None

        try:
            frame = read_decisions(self.decisions.engine(), decision_table)
        except DatabaseUnavailable as exc:
            log.warning("override analytics: %s", exc)
            return None
        return override_report(frame) if not frame.empty else None

    def summary(self, freq: str = "day") -> dict[str, Any]:
        drift = self.drift_typed()
        return {
            "drift": drift.model_dump() if drift else None,
            "report_available": self.report_path() is not None,
            "production": self.production(freq),
            "backtest": None,
            "overrides": self.overrides(),
            "challenger": None,
        }


def _reference(bundle) -> tuple[np.ndarray | None, pd.DataFrame | None, list[str]]:
    oof = bundle.extra("oof")
    probability = None
    if isinstance(oof, dict) and oof.get("probability") is not None and len(oof["probability"]):
        probability = np.asarray(oof["probability"], dtype=np.float64)
    store = bundle.store
    labelled = np.flatnonzero(np.asarray(store.target) >= 0)
    if probability is None and len(labelled):
        probability = np.asarray(store.probability, dtype=np.float64)[labelled]
    scores = None if probability is None else np.asarray(to_score(probability, bundle.threshold))
    categorical = set(bundle.categorical)
    ranked = [e["feature"] for e in bundle.metadata.get("importance") or [] if isinstance(e, dict)]
    features = [f for f in ranked if f in store.features and f not in categorical][:DRIFT_FEATURES]
    if not features or not len(labelled):
        return scores, None, features
    rows = labelled
    if len(rows) > REFERENCE_ROWS:
        rows = np.sort(np.random.default_rng(0).choice(rows, REFERENCE_ROWS, replace=False))
    columns = [store.features.index(f) for f in features]
    frame = pd.DataFrame(np.asarray(store.matrix[rows][:, columns], dtype=np.float64), columns=features)
    return scores, frame, features


def _stat(path: Path | None) -> tuple[int, int] | None:
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if st else None
