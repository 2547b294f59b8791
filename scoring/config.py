"""Where the data live, read from the environment.

``HOME_CREDIT_DATA`` points at a directory with the Kaggle files. When it is
unset the product generates (once) and uses seeded synthetic data, and every
consumer can ask :func:`is_synthetic` so the UI can say so.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Where synthetic data are generated when no real data are configured.
SYNTHETIC_DIR = Path(os.environ.get("SYNTHETIC_DATA_DIR", REPO_ROOT / "data" / "synthetic"))
SYNTHETIC_CLIENTS = int(os.environ.get("SYNTHETIC_CLIENTS", "5000"))
SYNTHETIC_SEED = int(os.environ.get("SYNTHETIC_SEED", "42"))

#: Name of the marker file the synthetic generator leaves in its output directory.
SYNTHETIC_MARKER = "SYNTHETIC"


def configured_data_dir() -> Path | None:
    """The directory named by ``HOME_CREDIT_DATA``, or None when unset/empty."""
    value = os.environ.get("HOME_CREDIT_DATA", "").strip()
    return Path(value).expanduser() if value else None


def is_synthetic(data_dir: str | Path) -> bool:
    """True when ``data_dir`` was written by the synthetic generator."""
    return (Path(data_dir) / SYNTHETIC_MARKER).exists()


def resolve_data_dir(explicit: str | Path | None = None) -> Path:
    """The data directory to use: explicit argument, then ``HOME_CREDIT_DATA``,
    then the synthetic data set (generated on first use)."""
    if explicit:
        return Path(explicit).expanduser()
    configured = configured_data_dir()
    if configured is not None:
        return configured
    from scoring.synthetic import ensure_synthetic

    return ensure_synthetic(SYNTHETIC_DIR, n_clients=SYNTHETIC_CLIENTS, seed=SYNTHETIC_SEED)
