"""``BundleMetadata``: the typed ``metadata.json`` of a model bundle.

Training builds one (``training/export.py``), :func:`scoring.bundle.save_bundle`
writes it, :func:`scoring.bundle.load_bundle` reads it back; the service, the
model card and the reports read the fields, never guessed keys. An unknown or
missing key fails at load with the list of problems.

The top level and the sections the service reads (features, costs, importance)
are strict; the sections that are only displayed or archived (metrics, curves,
search, fairness, ...) are plain JSON objects.
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

Json = dict[str, Any]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FeatureEntry(Strict):
    name: str
    type: Literal["numeric", "categorical"] | None = None
    label: str | None = None
    label_en: str | None = None
    unit: str | None = None


class Costs(Strict):
    fn: float
    fp: float


class ImportanceEntry(Strict):
    feature: str
    importance: float
    label: str | None = None
    label_en: str | None = None
    mean_abs_shap: float | None = None


class BundleMetadata(Strict):
    version: str
    created: str
    threshold: float
    features: list[FeatureEntry]
    categorical: list[str]
    excluded_attributes: list[str] = []
    costs: Costs
    metrics: Json
    threshold_scale: str | None = None
    profile: str | None = None
    data_dir: str | None = None
    data_fingerprint: str | None = None
    synthetic: bool = False
    n_clients: int | None = None
    n_labelled: int | None = None
    default_rate: float | None = None
    cost_curve: Json | None = None
    importance: list[ImportanceEntry] | None = None
    roc: Json | None = None
    calibration: Json | None = None
    honest_estimate: Json | None = None
    ablation: list[Json] | None = None
    ablation_winner: Json | None = None
    comparison: list[Json] | None = None
    search: Json | None = None
    fairness: Json | None = None
    example: Json | None = None
    model: Json | None = None
    mlflow: Json | None = None
    durations: dict[str, float] | None = None
    #: which labelled rows each step used (cross-validated subsample on large data, refit on every row)
    sampling: Json | None = None
    #: feature groups: the drop-one CV ablation table and the groups it left out of this model
    feature_groups: Json | None = None

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    def to_json(self) -> dict[str, Any]:
        """The JSON object written as ``metadata.json`` (fields never set are left out)."""
        return self.model_dump(mode="json", exclude_unset=True)


def _plain(value: Any) -> Any:
    """numpy scalars and arrays (as training computes them) to JSON values; NaN to null."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    raise TypeError(f"cannot serialise {type(value).__name__}")


class MetadataError(ValueError):
    """``metadata.json`` does not match :class:`BundleMetadata`; the message lists every problem."""


def parse_metadata(data: Any, where: str = "metadata.json") -> BundleMetadata:
    """Validate ``data`` (a dict or a :class:`BundleMetadata`); raise :class:`MetadataError` listing every problem."""
    if isinstance(data, BundleMetadata):
        return data
    try:
        if isinstance(data, dict):
            data = json.loads(json.dumps(data, default=_plain))
        return BundleMetadata.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = ".".join(str(p) for p in error["loc"]) or "(top level)"
            kind = {"extra_forbidden": "unknown key", "missing": "missing key"}.get(error["type"], error["msg"])
            problems.append(f"{path}: {kind}")
        raise MetadataError(f"{where} does not match BundleMetadata: " + "; ".join(problems)) from None
