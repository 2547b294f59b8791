"""Distribution of a feature among repaid and defaulted clients (for the dashboard's
"where does this client stand" charts).

Served from the bundle's ``population`` extra when it has the feature (at the
requested number of bins); otherwise computed from the store: all rows of a
small store, an evenly spaced sample of ``SAMPLE`` rows of a big one (so a
worker never pages the whole memory-mapped matrix in).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scoring.bundle import Bundle

from . import text
from .inputs import StoreInputs

SAMPLE = 20_000
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


class Population:
    def __init__(self, bundle: Bundle, inputs: StoreInputs):
        self.inputs = inputs
        self.store = bundle.store
        raw = bundle.extra("population")
        if isinstance(raw, dict) and isinstance(raw.get("features"), dict):
            raw = raw["features"]
        self.precomputed: dict[str, dict] = {k: v for k, v in (raw or {}).items() if isinstance(v, dict)} \
            if isinstance(raw, dict) else {}
        self._cache: dict[tuple[str, int], dict[str, Any]] = {}
        self._rows: np.ndarray | None = None

    def known(self, name: str) -> bool:
        return name in self.inputs.position or name in self.precomputed

    def default_features(self) -> list[str]:
        return list(self.precomputed)[:10] or [f for f in ("EXT_SOURCE_3", "EXT_SOURCE_2", "APP_AGE_YEARS",
                                                           "AMT_CREDIT", "AMT_INCOME_TOTAL") if self.known(f)]

    def feature(self, name: str, bins: int | None) -> dict[str, Any]:
        entry = self.precomputed.get(name)
        if entry is not None and (bins is None or len(entry.get("edges", [])) in (0, bins + 1)):
            out = dict(entry)
            out.setdefault("source", "bundle")
        else:
            key = (name, bins or 30)
            if key not in self._cache:
                if len(self._cache) > 512:
                    self._cache.clear()
                self._cache[key] = self._compute(name, bins or 30)
            out = dict(self._cache[key])
        out.setdefault("label", text.label(name, "fr"))
        out.setdefault("label_en", text.label(name, "en"))
        out.setdefault("unit", text.unit(name))
        return out

    def _sample_rows(self) -> np.ndarray:
        if self._rows is None:
            n = len(self.store)
            self._rows = np.arange(n) if n <= SAMPLE else np.unique(np.linspace(0, n - 1, SAMPLE).astype(np.int64))
        return self._rows

    def _compute(self, name: str, bins: int) -> dict[str, Any]:
        rows = self._sample_rows()
        j = self.inputs.position[name]
        values = self.inputs.reader.values(rows, j).astype(np.float64)
        target = np.asarray(self.store.target[rows])
        repaid, default = target == 0, target == 1
        common = {"source": "store" if len(rows) == len(self.store) else "store-sample", "rows": int(len(rows)),
                  "missing": {"repaid": int(np.isnan(values[repaid]).sum()),
                              "default": int(np.isnan(values[default]).sum())}}
        if name in self.inputs.categorical:
            levels = list(self.store.categories.get(name, []))
            codes = np.where(np.isnan(values), -1, values).astype(np.int64)
            counts = [np.bincount(codes[m & (codes >= 0)], minlength=len(levels)).tolist() for m in (repaid, default)]
            return {"type": "categorical", "levels": levels,
                    "level_labels": [text.format_value(name, lv, "fr") for lv in levels],
                    "repaid": counts[0], "default": counts[1], **common}
        present = values[~np.isnan(values)]
        if present.size == 0:
            return {"type": "numeric", "edges": [], "repaid": [], "default": [], "quantiles": {}, **common}
        low, high = np.quantile(present, [0.005, 0.995])
        if not high > low:
            low, high = float(present.min()), float(present.max()) + (1.0 if present.max() == present.min() else 0)
        edges = np.linspace(low, high, bins + 1)
        clipped = np.clip(values, low, high)
        counts = [np.histogram(clipped[m & ~np.isnan(values)], bins=edges)[0].tolist() for m in (repaid, default)]
        quantiles = {f"p{round(q * 100):02d}": float(v) for q, v in zip(QUANTILES, np.quantile(present, QUANTILES),
                                                                    strict=True)}
        return {"type": "numeric", "edges": edges.tolist(), "repaid": counts[0], "default": counts[1],
                "quantiles": quantiles, **common}
