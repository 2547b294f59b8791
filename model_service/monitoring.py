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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from scoring.decision import to_score
from scoring.monitoring.backtest import backtest, join_outcomes
from scoring.monitoring.challenger import compare_models, shadow_pairs
from scoring.monitoring.contract import DriftSummary
from scoring.monitoring.overrides import override_report
from scoring.monitoring.production import production_report
from scoring.monitoring.reference import reference_probability

from .monitoring_sources import read_decisions, read_log_database, read_log_file, read_outcomes
from .storage.database import DatabaseUnavailable

log = logging.getLogger("model_service.monitoring")

CACHE_SECONDS = 30.0
#: Features compared for the "top drifted" list: the most important numeric ones.
DRIFT_FEATURES = 15
REFERENCE_ROWS = 20_000
#: The Monitoring page's window: its production figures are those of the requests scored in the
#: last WINDOW_DAYS days (database or file log); served as ``production.window_days``.
WINDOW_DAYS = 90


class Monitoring:
    def __init__(self, drift_summary: Path, prediction_log: Path | None, bundle=None, database=None,
                 log_target: str = "file", window_days: int = WINDOW_DAYS):
        self.drift_summary = drift_summary
        self.prediction_log = prediction_log
        self.bundle = bundle
        self.database = database
        self.log_target = log_target
        self.window_days = window_days
        self._cache: tuple[Any, float, pd.DataFrame] | None = None
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

    def labels(self) -> dict[str, str]:
        """Feature names in plain words, from the bundle's metadata."""
        features = self.bundle.metadata.get("features") if self.bundle is not None else None
        return {f["name"]: str(f["label"]) for f in features or [] if isinstance(f, dict) and f.get("label")}

    def log_frame(self) -> pd.DataFrame:
        """Every row logged in the last ``window_days`` days (champion and challenger), cached until the log changes
        and at most :data:`CACHE_SECONDS` (a database log has no file to watch)."""
        _, _, features = self.reference()
        key = (self.log_target, _stat(self.prediction_log) if self.log_target == "file" else None)
        now = time.monotonic()
        cached = self._cache
        if cached is not None and cached[0] == key and now - cached[1] < CACHE_SECONDS:
            return cached[2]
        since = datetime.now(UTC) - timedelta(days=self.window_days)
        if self.log_target == "database" and self.database is not None:
            frame = read_log_database(self.database, features, since)
        elif self.log_target == "file" and self.prediction_log is not None:
            frame = read_log_file(self.prediction_log, features)
            frame = frame[pd.to_datetime(frame["time"], utc=True, format="ISO8601") >= since].reset_index(drop=True)
        else:
            frame = pd.DataFrame(columns=["time", "client_id", "probability", "score", "decision", "model_version",
                                          "role", "endpoint", *features])
        self._cache = (key, now, frame)
        return frame

    def _read(self, reader) -> pd.DataFrame | None:
        if self.database is None:
            return None
        try:
            return reader(self.database)
        except DatabaseUnavailable as exc:
            log.warning("monitoring: %s", exc)
            return None

    def summary(self, freq: str = "day") -> dict[str, Any]:
        drift = self.drift_typed()
        try:
            frame = self.log_frame()
        except DatabaseUnavailable as exc:
            log.warning("monitoring: prediction log unreadable: %s", exc)
            frame = pd.DataFrame(columns=["time", "client_id", "probability", "score", "decision", "model_version",
                                          "role", "endpoint"])
        champion = frame[frame["role"] == "champion"]
        scores, ref_features, _ = self.reference()
        outcomes = self._read(read_outcomes)
        decisions = self._read(read_decisions)
        has_outcomes = outcomes is not None and not outcomes.empty
        result_backtest = None
        if has_outcomes:
            joined = join_outcomes(champion.rename(columns={"time": "scored_at"}), outcomes)
            result_backtest = backtest(joined) if len(joined) else None
        challenger = None
        if (frame["role"] == "challenger").any():
            pairs = shadow_pairs(frame, time_column="time")
            challenger = compare_models(pairs, outcomes if has_outcomes else None) if len(pairs) else None
        return {
            "drift": drift.model_dump() if drift else None,
            "report_available": self.report_path() is not None,
            "production": {**production_report(champion, scores, freq, ref_features, labels=self.labels()),
                           "window_days": self.window_days},
            "backtest": result_backtest,
            "overrides": override_report(decisions, outcomes if has_outcomes else None)
            if decisions is not None and not decisions.empty else None,
            "challenger": challenger,
        }


def _reference(bundle) -> tuple[np.ndarray | None, pd.DataFrame | None, list[str]]:
    probability, _ = reference_probability(bundle)
    store = bundle.store
    labelled = np.flatnonzero(np.asarray(store.target) >= 0)
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
