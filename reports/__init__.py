"""Offline reports: data drift (``reports.drift``), score PSI (``scoring.monitoring.psi``), model card (``reports.model_card``)."""
