"""Training: features from the core, SMOTE + CatBoost pipeline, CV search, threshold,
calibration, fairness, MLflow tracking and the model bundle the service loads.

Entry points: ``python -m training`` (train) and ``python -m training.evaluate`` (score a data dir).
"""

import os as _os

# The one place telemetry is switched off, before anything imports MLflow (every ``training`` module
# and entry point is imported through this package).
_os.environ.setdefault("DO_NOT_TRACK", "true")
_os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
