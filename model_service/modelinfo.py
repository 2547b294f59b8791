"""The ``GET /model`` payload: everything the dashboard shows about the model,
read from the bundle's typed metadata (:class:`scoring.contract.BundleMetadata`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from scoring.bundle import Bundle
from scoring.decision import bands
from scoring.labels import feature_group

from . import text


def importance(bundle: Bundle) -> list[dict[str, Any]]:
    """Feature importance as training wrote it, else CatBoost's own (PredictionValuesChange)."""
    given = bundle.meta.importance
    if given:
        items = [{"feature": i.feature, "importance": i.importance} for i in given]
    else:
        values = np.asarray(bundle.model.get_feature_importance(thread_count=1), dtype=np.float64)
        items = [{"feature": f, "importance": float(v)} for f, v in zip(bundle.feature_names, values, strict=True)]
    items.sort(key=lambda i: -i["importance"])
    for item in items:
        item["label"] = text.label(item["feature"], "fr")
        item["label_en"] = text.label(item["feature"], "en")
    return items


def features(bundle: Bundle) -> list[dict[str, Any]]:
    categorical = set(bundle.categorical)
    out = []
    for name in bundle.feature_names:
        entry: dict[str, Any] = {
            "name": name, "type": "categorical" if name in categorical else "numeric",
            "label": text.label(name, "fr"), "label_en": text.label(name, "en"), "unit": text.unit(name),
            "group": feature_group(name, "fr"),  # the dashboard's grouped feature picker
        }
        if name in categorical:
            entry["levels"] = list(bundle.store.categories.get(name, []))
        out.append(entry)
    return out


def model_payload(bundle: Bundle, synthetic: bool) -> dict[str, Any]:
    meta = bundle.meta
    return {
        "model_version": bundle.version,
        "threshold": bundle.threshold,
        "bands": bands(),
        "costs": {"fn": meta.costs.fn, "fp": meta.costs.fp},
        "synthetic": synthetic,
        "calibrator": bundle.calibrator.kind,
        "trees": int(getattr(bundle.model, "tree_count_", 0) or 0),
        "clients": len(bundle.store),
        "metrics": meta.metrics,
        "cost_curve": meta.cost_curve,
        "roc": meta.roc,
        "calibration": meta.calibration,
        "created": meta.created,
        "data_fingerprint": meta.data_fingerprint,
        "importance": importance(bundle),
        "features": features(bundle),
    }
