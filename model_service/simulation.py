"""What-if on a known client's whole file: some application fields changed, everything else kept.

The client's raw application is read back from its stored model row, the changes applied, and
every feature that does not come from the credit history is rebuilt by the core
(``scoring.features.feature_columns``: the same columnar code as training and ``POST /predict``);
the history aggregates (bureau, previous applications, ...) are the stored ones. With nothing
changed the rebuilt row is the stored row, and the answer is the stored score itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from scoring.features import feature_columns, model_columns, model_rows, records_columns
from scoring.features.history import history_feature_names
from scoring.protected import never_changed, protected

from . import text
from .errors import Invalid
from .inputs import StoreInputs
from .scorer import Score, Scorer


def same(a: Any, b: Any) -> bool:
    """Equal model-row values (NaN equals NaN)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


class FileRebuilder:
    """Model rows of a known client's file with changed application fields."""

    def __init__(self, inputs: StoreInputs):
        self.inputs = inputs
        history = set(history_feature_names())
        self.kept = [j for j, name in enumerate(inputs.features) if name in history]
        self.recomputed = [j for j, name in enumerate(inputs.features) if name not in history]

    def application(self, row: list) -> dict[str, Any]:
        return self.inputs.raw_application(row)

    def _columns(self, row: list, applications: list[dict[str, Any]]) -> dict[str, np.ndarray]:
        """Model columns of variants of one file: the core's columnar features, the stored history."""
        n = len(applications)
        features = self.inputs.features
        history = {features[j]: np.full(n, row[j], dtype=np.float32) for j in self.kept}
        cols = feature_columns(records_columns(applications), n, history)
        return model_columns(cols, features, self.inputs.categorical)

    def row(self, row: list, application: dict[str, Any]) -> list:
        """One model row: ``application``'s features, the history of ``row``."""
        return model_rows(self._columns(row, [application]), self.inputs.features)[0]

    def frame(self, row: list, applications: list[dict[str, Any]]) -> pd.DataFrame:
        """Model input of many variants of one file (one vectorised feature build)."""
        return pd.DataFrame(self._columns(row, applications), copy=False)


def change_item(name: str, old: Any, new: Any, **extra: Any) -> dict[str, Any]:
    return {"field": name, "label": text.label(name, "fr"), "label_en": text.label(name, "en"),
            "old": old, "new": new,
            "display_old": text.format_value(name, old, "fr"), "display_new": text.format_value(name, new, "fr"),
            "display_old_en": text.format_value(name, old, "en"), "display_new_en": text.format_value(name, new, "en"),
            **extra}


def _number_fr(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


class Simulator:
    def __init__(self, inputs: StoreInputs, scorer: Scorer, extra_protected: frozenset[str] = frozenset()):
        self.inputs = inputs
        self.scorer = scorer
        self.rebuilder = FileRebuilder(inputs)
        self.protected = protected(extra_protected)
        self.forbidden = never_changed(extra_protected)

    def check(self, changes: dict[str, Any]) -> None:
        problems = []
        for name in changes:
            if name == "SK_ID_CURR":
                problems.append({"field": f"changes.{name}", "problem": "the client is named by the path, not the body"})
            elif name in self.forbidden:
                kind = "a protected attribute" if name in self.protected else "a personal attribute"
                problems.append({"field": f"changes.{name}",
                                 "problem": f"{name} is {kind}: a simulation never changes it"})
        if problems:
            raise Invalid(problems)

    def simulate(self, i: int, changes: dict[str, Any]) -> dict[str, Any]:
        """What-if of the known client at store position ``i`` (``changes``: raw application fields)."""
        self.check(changes)
        row = self.inputs.row(i)
        current = self.scorer.score_index(i)
        application = self.rebuilder.application(row)
        changed = {k: v for k, v in changes.items() if not same(application.get(k), v)}
        new_row = self.rebuilder.row(row, {**application, **changed})
        identical = all(same(a, b) for a, b in zip(row, new_row, strict=True))
        result: Score = current if identical else self.scorer.score_row(new_row)
        features = self.inputs.features
        raw = [change_item(k, application.get(k), v) for k, v in changed.items()]
        derived = [change_item(features[j], _plain(row[j]), _plain(new_row[j]), derived=True)
                   for j in self.rebuilder.recomputed
                   if features[j] not in changed and not same(row[j], new_row[j])]
        delta = result.score - current.score
        return {
            "simulated": True, "current": current.as_dict(), "simulation": result.as_dict(),
            "score_change": delta, "changes": raw, "derived": derived,
            "message": (f"Score simulé : {_number_fr(result.score)} (score actuel : {_number_fr(current.score)}). "
                        "Simulation seulement : rien n'est enregistré ni décidé."),
            "message_en": (f"Simulated score: {result.score:.1f} (current score: {current.score:.1f}). "
                           "A simulation only: nothing is recorded or decided."),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return None if value == "NA" else value
