"""Which columns the drift report compares, why, and how they are labelled.

**Columns compared**: with a model bundle (``--bundle``, else ``MODEL_BUNDLE``, else
``models/`` when it holds a bundle), the ``--top`` (default 80) most important model
features of the bundle metadata ``importance``; without one, every raw application
column plus the engineered ``APP_*`` features. The summary says which
(``columns_basis``). A data directory is read in full (history tables too) only
when a compared column or the model's scoring of the current set needs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from reports.drift.errors import DriftInputError

DEFAULT_TOP = 80


@dataclass
class ColumnPlan:
    """Which columns to compare, why, and how to label them."""

    columns: list[str]
    basis: str  # "bundle_importance" | "application"
    description: str
    labels: dict[str, str] = field(default_factory=dict)
    labels_en: dict[str, str] = field(default_factory=dict)
    importance_rank: dict[str, int] = field(default_factory=dict)

    @property
    def needs_history(self) -> bool:
        return bool(set(self.columns) - set(application_columns()))


def application_columns() -> list[str]:
    """Raw application columns kept as model features + the engineered APP_* features."""
    from scoring.features.application import APPLICATION_FEATURES, raw_application_features

    return raw_application_features() + list(APPLICATION_FEATURES)


def categorical_columns() -> set[str]:
    from scoring import schema

    return set(schema.APPLICATION_CATEGORICALS)


@lru_cache(maxsize=1)
def _fallback_labels() -> tuple[dict[str, str], dict[str, str]]:
    """(label, label_en) dictionaries from scoring.labels when available, else empty."""
    found: list[dict[str, str]] = []
    for module_name in ("scoring.labels._fr", "scoring.labels._en"):
        merged: dict[str, str] = {}
        try:
            module = __import__(module_name, fromlist=["_"])
        except Exception:  # labels are a nicety; never fail the report for them
            found.append(merged)
            continue
        for attr in ("COLUMNS", "FEATURES"):
            table = getattr(module, attr, None)
            if isinstance(table, dict):
                merged.update({k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, str)})
        found.append(merged)
    return found[0], found[1]


def plan_columns(metadata: dict | None, top: int = DEFAULT_TOP) -> ColumnPlan:
    """Top-``top`` features by the bundle's importance, else all application columns."""
    fr, en = _fallback_labels()
    if metadata:
        labels = dict(fr)
        labels_en = dict(en)
        names = []
        for f in metadata.get("features", []):
            if isinstance(f, dict) and "name" in f:
                names.append(f["name"])
                if f.get("label"):
                    labels[f["name"]] = str(f["label"])
                if f.get("label_en"):
                    labels_en[f["name"]] = str(f["label_en"])
            elif isinstance(f, str):
                names.append(f)
        ranking = _importance_ranking(metadata.get("importance"), set(names))
        for entry in metadata.get("importance") or []:
            if isinstance(entry, dict) and entry.get("label") and entry.get("feature") not in labels:
                labels[entry["feature"]] = str(entry["label"])
        if ranking:
            chosen = [name for name, _ in ranking if _ > 0][:top] or [name for name, _ in ranking][:top]
            return ColumnPlan(
                columns=chosen, basis="bundle_importance",
                description=(f"the {len(chosen)} most important model features of bundle "
                             f"{metadata.get('version', '?')} (metadata importance, of {len(names)} features)"),
                labels=labels, labels_en=labels_en,
                importance_rank={name: i + 1 for i, (name, _) in enumerate(ranking)},
            )
    cols = application_columns()
    return ColumnPlan(
        columns=cols, basis="application",
        description=(f"every raw application column kept as a model feature plus the engineered APP_* "
                     f"features ({len(cols)} columns; no bundle importance available)"),
        labels=dict(fr), labels_en=dict(en),
    )


def restrict(plan: ColumnPlan, columns: list[str]) -> ColumnPlan:
    """The plan limited to explicitly named columns (``--columns``), in the order given."""
    from scoring.features import feature_names

    known = set(feature_names())
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise DriftInputError(f"--columns: unknown feature(s) {', '.join(unknown)}")
    return ColumnPlan(columns=list(dict.fromkeys(columns)), basis="explicit",
                      description=f"{len(columns)} column(s) named with --columns",
                      labels=plan.labels, labels_en=plan.labels_en, importance_rank=plan.importance_rank)


def _importance_ranking(importance, known: set[str]) -> list[tuple[str, float]]:
    pairs: list[tuple[str, float]] = []
    if isinstance(importance, dict):
        pairs = [(str(k), float(v)) for k, v in importance.items() if _is_number(v)]
    elif isinstance(importance, list):
        for entry in importance:
            if isinstance(entry, dict) and "feature" in entry and _is_number(entry.get("importance")):
                pairs.append((str(entry["feature"]), float(entry["importance"])))
    pairs = [(k, v) for k, v in pairs if not known or k in known]
    return sorted(pairs, key=lambda kv: -kv[1])


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
