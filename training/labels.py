"""Human labels of features, from :mod:`scoring.labels` when it is there (falls back to the name)."""

from __future__ import annotations

import importlib


def _module():
    try:
        return importlib.import_module("scoring.labels")
    except ImportError:
        return None


def label(name: str, lang: str = "fr") -> str:
    module = _module()
    if module is None or not hasattr(module, "label"):
        return name
    try:
        return str(module.label(name, lang)) or name
    except Exception:  # a label missing for a feature is not fatal
        return name


def unit(name: str) -> str | None:
    module = _module()
    if module is None or not hasattr(module, "unit"):
        return None
    try:
        return module.unit(name)
    except Exception:
        return None


def feature_entries(features: list[str], categorical: list[str]) -> list[dict]:
    cat = set(categorical)
    return [{"name": f, "type": "categorical" if f in cat else "numeric", "label": label(f, "fr"),
             "label_en": label(f, "en"), "unit": unit(f)} for f in features]
