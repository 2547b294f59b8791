"""Training: features from the core, SMOTE + CatBoost pipeline, CV search, threshold,
calibration, fairness, MLflow tracking and the model bundle the service loads.

Entry points: ``python -m training`` (train) and ``python -m training.evaluate`` (score a data dir).
"""
