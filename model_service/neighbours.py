"""Similar clients: brute-force k nearest neighbours on the bundle's ``neighbours`` extra.

The extra holds a standardised matrix (n x d), its column names, median, mean,
scale and the client ids of its rows. A client outside the matrix is
standardised from its store row the same way (missing values take the median).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scoring.bundle import Bundle

from . import text
from .clients import DECISIONS, ClientIndex
from .explain import json_value
from .inputs import StoreInputs
from .scorer import BANDS

REQUIRED = ("matrix", "columns", "mean", "scale", "ids")


class Neighbours:
    def __init__(self, data: dict[str, np.ndarray], inputs: StoreInputs, clients: ClientIndex):
        self.matrix = np.ascontiguousarray(data["matrix"], dtype=np.float32)
        self.columns = [str(c) for c in np.asarray(data["columns"]).tolist()]
        self.mean = np.asarray(data["mean"], dtype=np.float64)
        # training fills missing values with the median before standardising (mean if no median given)
        self.fill = np.asarray(data["median"], dtype=np.float64) if "median" in data else self.mean
        scale = np.asarray(data["scale"], dtype=np.float64)
        self.scale = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
        self.ids = np.asarray(data["ids"], dtype=np.int64)
        self._sorter = np.argsort(self.ids, kind="stable")
        self.norms = np.einsum("ij,ij->i", self.matrix, self.matrix)
        self.inputs = inputs
        self.clients = clients
        self.store_columns = [c for c in self.columns if c in inputs.position]

    @classmethod
    def from_bundle(cls, bundle: Bundle, inputs: StoreInputs, clients: ClientIndex) -> Neighbours | None:
        data = bundle.extra("neighbours")
        if not isinstance(data, dict) or any(k not in data for k in REQUIRED):
            return None
        if data["matrix"].ndim != 2 or data["matrix"].shape[0] != len(data["ids"]):
            return None
        return cls(data, inputs, clients)

    def _row_of(self, client_id: int) -> int | None:
        k = int(np.searchsorted(self.ids, client_id, sorter=self._sorter))
        if k < len(self.ids) and self.ids[self._sorter[k]] == client_id:
            return int(self._sorter[k])
        return None

    def vector(self, client_id: int, store_row: list) -> np.ndarray:
        k = self._row_of(client_id)
        if k is not None:
            return self.matrix[k].astype(np.float64)
        values = np.array([float(store_row[self.inputs.position[c]]) if c in self.inputs.position else np.nan
                           for c in self.columns], dtype=np.float64)
        values = np.where(np.isnan(values), self.fill, values)
        z = (values - self.mean) / self.scale
        return np.where(np.isfinite(z), z, 0.0)

    def similar(self, client_id: int, store_row: list, k: int) -> dict[str, Any]:
        query = self.vector(client_id, store_row)
        distance2 = self.norms - 2.0 * (self.matrix @ query.astype(np.float32)) + float(query @ query)
        self_row = self._row_of(client_id)
        if self_row is not None:
            distance2[self_row] = np.inf
        k = min(k, max(len(self.ids) - (self_row is not None), 0))
        if k == 0:
            return {"neighbours": [], "default_rate": None, "known_outcomes": 0}
        nearest = np.argpartition(distance2, k - 1)[:k]
        nearest = nearest[np.argsort(distance2[nearest], kind="stable")]
        items, outcomes = [], []
        for m in nearest:
            neighbour_id = int(self.ids[m])
            item: dict[str, Any] = {"id": neighbour_id, "distance": float(np.sqrt(max(distance2[m], 0.0)))}
            i = self.clients.index_of(neighbour_id)
            if i is None:
                item.update(outcome=None, score=None, probability=None, decision=None, band=None)
            else:
                summary = self.clients.summary(i)
                outcome = self.clients.known_outcome(i)
                decision = DECISIONS[int(self.clients.decision[i])]
                item.update(outcome=outcome, score=summary["score"], probability=summary["probability"],
                            decision=decision, band=BANDS[decision], age=summary.get("age"),
                            income=summary.get("income"), credit=summary.get("credit"),
                            contract_type=summary.get("contract_type"))
                row = self.inputs.row(i)
                item["features"] = {c: json_value(row[self.inputs.position[c]]) for c in self.store_columns}
                if outcome is not None:
                    outcomes.append(outcome)
            items.append(item)
        return {
            "neighbours": items,
            "default_rate": float(np.mean(outcomes)) if outcomes else None,
            "known_outcomes": len(outcomes),
        }

    def feature_list(self) -> list[dict[str, str]]:
        return [{"name": c, "label": text.label(c, "fr"), "label_en": text.label(c, "en")} for c in self.columns]
