"""The ``GET /model`` payload: everything the dashboard shows about the model,
gathered once from the bundle's metadata (and extras of the same names)."""

from __future__ import annotations

from typing import Any

import numpy as np

from scoring.bundle import Bundle
from scoring.labels import feature_group

from . import text

SECTIONS = ("metrics", "cost_curve", "roc", "calibration", "importance", "created", "data_fingerprint")


def _section(bundle: Bundle, name: str) -> Any:
    value = bundle.metadata.get(name)
    if value is None:
        value = bundle.extra(name)
    return value


def importance(bundle: Bundle) -> list[dict[str, Any]]:
    """Feature importance from the bundle, else CatBoost's own (PredictionValuesChange)."""
    given = _section(bundle, "importance")
    items: list[dict[str, Any]] = []
    if isinstance(given, dict) and "feature" in given and "importance" in given:
        items = [{"feature": f, "importance": float(v)} for f, v in zip(given["feature"], given["importance"],
                                                                      strict=False)]
    elif isinstance(given, dict):
        items = [{"feature": f, "importance": float(v)} for f, v in given.items() if isinstance(v, int | float)]
    elif isinstance(given, list):
        items = [dict(i) for i in given if isinstance(i, dict) and "feature" in i]
    if not items:
        values = np.asarray(bundle.model.get_feature_importance(thread_count=1), dtype=np.float64)
        items = [{"feature": f, "importance": float(v)} for f, v in zip(bundle.feature_names, values, strict=False)]
    items.sort(key=lambda i: -float(i.get("importance") or 0.0))
    for item in items:
        item.setdefault("label", text.label(item["feature"], "fr"))
        item.setdefault("label_en", text.label(item["feature"], "en"))
    return items


def features(bundle: Bundle) -> list[dict[str, Any]]:
    categorical = set(bundle.categorical)
    described = {f["name"]: f for f in bundle.metadata.get("features", []) if isinstance(f, dict) and "name" in f}
    out = []
    for name in bundle.feature_names:
        entry = dict(described.get(name, {}))
        entry["name"] = name
        entry.setdefault("type", "categorical" if name in categorical else "numeric")
        entry.setdefault("label", text.label(name, "fr"))
        entry.setdefault("label_en", text.label(name, "en"))
        entry.setdefault("unit", text.unit(name))
        entry.setdefault("group", feature_group(name, "fr"))  # the dashboard's grouped feature picker
        if name in categorical:
            entry.setdefault("levels", list(bundle.store.categories.get(name, [])))
        out.append(entry)
    return out


def model_payload(bundle: Bundle, synthetic: bool) -> dict[str, Any]:
    costs = bundle.metadata.get("costs") or {}
    payload: dict[str, Any] = {
        "model_version": bundle.version,
        "threshold": bundle.threshold,
        "costs": {"fn": costs.get("fn", costs.get("fn_cost")), "fp": costs.get("fp", costs.get("fp_cost")), **costs},
        "synthetic": synthetic,
        "calibrator": bundle.calibrator.kind,
        "trees": int(getattr(bundle.model, "tree_count_", 0) or 0),
        "clients": len(bundle.store),
    }
    for name in SECTIONS:
        payload[name] = _section(bundle, name)
    payload["metrics"] = payload["metrics"] or {}
    payload["importance"] = importance(bundle)
    payload["features"] = features(bundle)
    return payload

