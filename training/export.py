"""Bundle assembly: metadata, client store, extras -> :func:`scoring.bundle.save_bundle`."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from scoring.bundle import CURRENT_POINTER, save_bundle
from scoring.calibration import Calibrator
from training.dataset import TrainingData
from training.extras import client_info


def make_version(data_fingerprint: str, params: dict, seed: int, now: datetime | None = None) -> str:
    """"YYYYMMDD-HHMMSS-<7 hex>" (UTC time + hash of data, parameters and seed)."""
    now = now or datetime.now(UTC)
    digest = hashlib.sha256(json.dumps([data_fingerprint, params, seed, now.isoformat()], sort_keys=True,
                                       default=str).encode()).hexdigest()[:7]
    return f"{now:%Y%m%d-%H%M%S}-{digest}"


def becomes_champion(out_dir: str | Path, promote: bool | None) -> bool:
    """Does a new bundle under ``out_dir`` become the champion (``CURRENT`` pointer, MLflow alias)?

    ``promote=None`` (the default of ``python -m training``): only the first bundle of a models root does, so
    a fresh set-up serves what it trained, and a retrained model replaces a champion only through the check
    of ``python -m training.promote``. ``True``/``False`` force the choice (``--promote`` / ``--no-promote``)."""
    if promote is not None:
        return promote
    return not (Path(out_dir) / CURRENT_POINTER).exists()


def write_bundle(out_dir: str | Path, *, model, calibrator: Calibrator, metadata: dict, data: TrainingData,
                 probability: np.ndarray, extras: dict, make_current: bool = True) -> Path:
    """Store every client of the data directory (target -1 when unlabelled) with the final model's probability;
    ``make_current`` points the models root's ``CURRENT`` at it."""
    fs = data.featureset
    ids = fs.frame.index.to_numpy(dtype=np.int64)
    info = client_info(fs.applications, ids)
    return save_bundle(
        out_dir, model=model, calibrator=calibrator, metadata=metadata, features=fs.frame[data.features],
        target=fs.target, probability=np.asarray(probability, dtype=np.float64), info=info, extras=extras,
        make_current=make_current,
    )
