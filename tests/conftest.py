"""Shared fixtures: the real sample, small synthetic data, and one fast-trained bundle.

The real sample is read from ``HOME_CREDIT_DATA`` (CI sets it to
``../shared/data/home-credit``); tests that need it are skipped only when it
is absent. ``TEST_BUNDLE`` may name an already trained bundle to save the
~1-2 minutes of fast training during local iterations.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: the ``database_url`` (SQLite and PostgreSQL) and ``postgres_server`` fixtures of the storage tests
pytest_plugins = ["tests.storage_db"]


def _real_dir() -> Path:
    configured = os.environ.get("HOME_CREDIT_DATA")
    path = Path(configured) if configured else REPO.parent / "shared" / "data" / "home-credit"
    return path if path.is_absolute() else (REPO / path).resolve()


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    path = _real_dir()
    if not (path / "application_train.csv.gz").exists() and not (path / "application_train.csv").exists():
        pytest.skip(f"real Home Credit sample not found at {path}")
    return path


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory) -> Path:
    from scoring.synthetic import generate

    out = tmp_path_factory.mktemp("synthetic")
    generate(out, n_clients=2000, seed=7)
    return out


@pytest.fixture(scope="session")
def fast_bundle(tmp_path_factory, real_data_dir) -> Path:
    """A bundle trained with the fast profile on the real sample (once per session)."""
    prebuilt = os.environ.get("TEST_BUNDLE")
    if prebuilt:
        return Path(prebuilt)
    from training.pipeline import train

    out = tmp_path_factory.mktemp("models")
    tracking = f"sqlite:///{out / 'mlflow.db'}"
    result = train(real_data_dir, out, profile="fast", tracking_uri=tracking, seed=42)
    return Path(result.bundle_path)
