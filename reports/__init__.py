"""Offline reports: data drift (``reports.drift``), score PSI (``reports.psi``), model card (``reports.model_card``)."""
