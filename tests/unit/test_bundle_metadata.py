"""BundleMetadata: the typed metadata.json; unknown or missing keys fail at load with a clear message."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from scoring.bundle import BundleError, load_bundle, resolve
from scoring.contract import BundleMetadata, MetadataError, parse_metadata

MINIMAL = {"version": "v1", "created": "2026-01-01T00:00:00+00:00", "threshold": 0.1,
           "features": [{"name": "AMT_CREDIT", "type": "numeric"}], "categorical": [],
           "costs": {"fn": 10, "fp": 1}, "metrics": {"auc": np.float64(0.7)}}


def test_minimal_metadata_parses_and_round_trips():
    meta = parse_metadata(MINIMAL)
    assert isinstance(meta, BundleMetadata) and meta.costs.fn == 10.0 and meta.feature_names == ["AMT_CREDIT"]
    assert json.loads(json.dumps(meta.to_json())) == meta.to_json()
    assert parse_metadata(meta.to_json()) == meta


@pytest.mark.parametrize("change, message", [
    ({"importances": []}, "importances: unknown key"),
    ({"costs": {"fn_cost": 10, "fp": 1}}, "costs.fn: missing key"),
    ({"features": [{"name": "X", "labels": "x"}]}, "features.0.labels: unknown key"),
])
def test_unknown_or_renamed_keys_are_refused(change, message):
    with pytest.raises(MetadataError, match=message.replace(".", r"\.")):
        parse_metadata(MINIMAL | change)


def test_missing_key_is_refused():
    broken = {k: v for k, v in MINIMAL.items() if k != "threshold"}
    with pytest.raises(MetadataError, match="threshold: missing key"):
        parse_metadata(broken)


def test_load_bundle_names_the_bad_key(fast_bundle, tmp_path):
    copy = tmp_path / "b"
    shutil.copytree(resolve(fast_bundle), copy)
    meta = json.loads((copy / "metadata.json").read_text())
    meta["auc_guess"] = 0.7
    (copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="auc_guess: unknown key") as info:
        load_bundle(copy, load_model=False)
    assert info.value.file.endswith("metadata.json")


def test_training_writes_exactly_the_typed_metadata(fast_bundle):
    written = json.loads((resolve(fast_bundle) / "metadata.json").read_text())
    assert set(written) <= set(BundleMetadata.model_fields)
    assert parse_metadata(written).to_json() == written
