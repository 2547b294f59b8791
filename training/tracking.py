"""MLflow: one experiment "credit-scoring", nested runs, artifacts, registered model with alias champion."""

from __future__ import annotations

import json
import logging
import math
import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

log = logging.getLogger(__name__)

EXPERIMENT = "credit-scoring"
REGISTERED_MODEL = "credit-scoring"
ALIAS = "champion"
DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"




def artifact_root(tracking_uri: str) -> str | None:
    """Artifacts next to a SQLite store (``<db dir>/mlartifacts``) instead of the working directory."""
    if tracking_uri.startswith("sqlite:///"):
        db = Path(tracking_uri[len("sqlite:///"):])
        return (db.resolve().parent / "mlartifacts").as_uri()
    parsed = urlparse(tracking_uri)
    if parsed.scheme in ("", "file"):
        return None
    return None


def absolute_uri(uri: str) -> str:
    """sqlite:///relative.db -> sqlite:////abs/path/relative.db (the bundle records where its run lives)."""
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
        return "sqlite:///" + str(Path(uri[len("sqlite:///"):]).resolve())
    return uri


def setup(tracking_uri: str | None = None):
    """Point MLflow at ``tracking_uri`` (default MLFLOW_TRACKING_URI, then sqlite:///mlflow.db) and the experiment."""
    import mlflow

    uri = absolute_uri(tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI)
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.get_experiment_by_name(EXPERIMENT)
    if experiment is None:
        mlflow.create_experiment(EXPERIMENT, artifact_location=artifact_root(uri))
    mlflow.set_experiment(EXPERIMENT)
    return uri


@contextmanager
def run(name: str, nested: bool = False, tags: dict | None = None):
    import mlflow

    with mlflow.start_run(run_name=name, nested=nested, tags=tags) as active:
        yield active


def _clean_metric(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def log_metrics(metrics: dict, prefix: str = "") -> None:
    import mlflow

    clean = {}
    for key, value in metrics.items():
        v = _clean_metric(value) if not isinstance(value, (list, dict, str)) else None
        if v is not None:
            clean[f"{prefix}{key}"] = v
    if clean:
        mlflow.log_metrics(clean)


def log_params(params: dict, prefix: str = "") -> None:
    import mlflow

    mlflow.log_params({f"{prefix}{k}": (json.dumps(v) if isinstance(v, (list, dict)) else v)
                       for k, v in params.items()})


def log_artifacts(paths: list[Path], folder: str | None = None) -> None:
    import mlflow

    for path in paths:
        mlflow.log_artifact(str(path), artifact_path=folder)


def log_and_register(model, pip_requirements: list[str] | None = None, *, alias: str | None = ALIAS) -> str | None:
    """Log the CatBoost model and register it as ``credit-scoring``; point ``alias`` (``champion`` unless
    None: the version is registered, and :mod:`training.promote` moves the alias later) at the new version."""
    import mlflow
    from mlflow import MlflowClient

    info = mlflow.catboost.log_model(
        model, name="model", registered_model_name=REGISTERED_MODEL,
        pip_requirements=pip_requirements or ["catboost"], await_registration_for=60,
    )
    version = getattr(info, "registered_model_version", None)
    if version is None:
        versions = MlflowClient().search_model_versions(f"name='{REGISTERED_MODEL}'")
        version = max(int(v.version) for v in versions) if versions else None
    if version is not None and alias:
        MlflowClient().set_registered_model_alias(REGISTERED_MODEL, alias, str(version))
        log.info("mlflow: registered %s version %s, alias %s", REGISTERED_MODEL, version, alias)
    elif version is not None:
        log.info("mlflow: registered %s version %s (alias %s unchanged)", REGISTERED_MODEL, version, ALIAS)
    return None if version is None else str(version)
