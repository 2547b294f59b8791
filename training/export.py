"""Bundle assembly: metadata, client store, extras -> :func:`scoring.bundle.save_bundle`."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from scoring.bundle import save_bundle
from scoring.calibration import Calibrator
from training.dataset import TrainingData
from training.extras import client_info


def make_version(data_fingerprint: str, params: dict, seed: int, now: datetime | None = None) -> str:
    """"YYYYMMDD-HHMMSS-<7 hex>" (UTC time + hash of data, parameters and seed)."""
    now = now or datetime.now(UTC)
    digest = hashlib.sha256(json.dumps([data_fingerprint, params, seed, now.isoformat()], sort_keys=True,
                                       default=str).encode()).hexdigest()[:7]
    return f"{now:%Y%m%d-%H%M%S}-{digest}"


def write_bundle(out_dir: str | Path, *, model, calibrator: Calibrator, metadata: dict, data: TrainingData,
                 probability: np.ndarray, extras: dict) -> Path:
    """Store every client of the data directory (target -1 when unlabelled) with the final model's probability."""
    fs = data.featureset
    ids = fs.frame.index.to_numpy(dtype=np.int64)
    info = client_info(fs.applications, ids)
    return save_bundle(
        out_dir, model=model, calibrator=calibrator, metadata=metadata, features=fs.frame[data.features],
        target=fs.target, probability=np.asarray(probability, dtype=np.float64), info=info, extras=extras,
    )
