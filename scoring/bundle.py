"""The model bundle: the one contract between training and the service.

Layout of ``models/<version>/``::

    model.cbm            CatBoost model (native format)
    calibration.json     Calibrator (numbers only)
    metadata.json        :class:`scoring.contract.BundleMetadata` (version, created, data fingerprint,
                         features, threshold, costs, metrics, cost curve, importance, ...), strict
    store/ids.npy        int64, sorted SK_ID_CURR of known clients
    store/features.npy   float32 [n, n_features]; categorical columns hold codes (NaN = missing)
    store/categories.json  categorical column -> list of levels (code i -> levels[i])
    store/target.npy     int8 known outcome (1 default, 0 repaid, -1 unknown)
    store/probability.npy float64 calibrated P(default) of the final model, precomputed for every known client
                         (older bundles: float32; the service then scores with the model)
    store/info.parquet   descriptive fields per client (for listings, filters and the UI)
    extras/*.json|.npz   anything else the service serves (neighbours, population, fairness...)

``models/CURRENT`` holds the name of the current version. Arrays are opened
memory-mapped, so several gunicorn workers share one copy of a Kaggle-size
store through the page cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.calibration import Calibrator
from scoring.contract.metadata import BundleMetadata, MetadataError, parse_metadata
from scoring.features import MISSING_CATEGORY

CURRENT_POINTER = "CURRENT"
REQUIRED_FILES = (
    "model.cbm", "calibration.json", "metadata.json", "store/ids.npy", "store/features.npy",
    "store/categories.json", "store/target.npy", "store/probability.npy", "store/info.parquet",
)


class BundleError(RuntimeError):
    """The bundle is missing, incomplete or corrupt; ``file`` names the culprit."""

    def __init__(self, message: str, file: str | Path | None = None):
        super().__init__(message)
        self.file = str(file) if file is not None else None


def fingerprint(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
    return h.hexdigest()[:16]


def encode_store(frame: pd.DataFrame, features: list[str], categorical: list[str]):
    """Feature frame -> (float32 matrix, categories). Categorical columns become codes."""
    matrix = np.empty((len(frame), len(features)), dtype=np.float32)
    categories: dict[str, list[str]] = {}
    cat = set(categorical)
    for j, name in enumerate(features):
        column = frame[name]
        if name in cat:
            as_cat = column.astype("category")
            levels = [str(v) for v in as_cat.cat.categories]
            codes = as_cat.cat.codes.to_numpy().astype(np.float32)
            codes[codes < 0] = np.nan
            matrix[:, j] = codes
            categories[name] = levels
        else:
            matrix[:, j] = column.to_numpy(dtype=np.float32, na_value=np.nan)
    return matrix, categories


def save_bundle(
    root: str | Path,
    *,
    model,
    calibrator: Calibrator,
    metadata: BundleMetadata | dict,
    features: pd.DataFrame,
    target: pd.Series,
    probability: np.ndarray,
    info: pd.DataFrame,
    extras: dict[str, object] | None = None,
    make_current: bool = True,
) -> Path:
    """Write a complete bundle under ``root/<metadata.version>/`` atomically (metadata validated first)."""
    try:
        meta = parse_metadata(metadata, "the bundle metadata")
    except MetadataError as exc:
        raise BundleError(str(exc)) from None
    root = Path(root)
    version = meta.version
    final = root / version
    tmp = root / f".{version}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "store").mkdir(parents=True)
    (tmp / "extras").mkdir()

    order = np.argsort(features.index.to_numpy(dtype=np.int64), kind="mergesort")
    ids = features.index.to_numpy(dtype=np.int64)[order]
    matrix, categories = encode_store(features.iloc[order], meta.feature_names, meta.categorical)
    np.save(tmp / "store/ids.npy", ids)
    np.save(tmp / "store/features.npy", matrix)
    np.save(tmp / "store/target.npy", target.reindex(features.index).to_numpy(dtype=np.int8)[order])
    np.save(tmp / "store/probability.npy", np.asarray(probability, dtype=np.float64)[order])
    (tmp / "store/categories.json").write_text(json.dumps(categories))
    info.reindex(ids).reset_index(drop=info.index.name in info.columns).to_parquet(
        tmp / "store/info.parquet", index=False)

    model.save_model(str(tmp / "model.cbm"))
    (tmp / "calibration.json").write_text(json.dumps(calibrator.to_dict()))
    for name, value in (extras or {}).items():
        if isinstance(value, dict) and all(isinstance(v, np.ndarray) for v in value.values()):
            np.savez(tmp / "extras" / f"{name}.npz", **value)
        else:
            (tmp / "extras" / f"{name}.json").write_text(json.dumps(value, default=_json_default))
    (tmp / "metadata.json").write_text(json.dumps(meta.to_json(), indent=2))

    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    if make_current:
        pointer = root / f".{CURRENT_POINTER}.tmp"
        pointer.write_text(version + "\n")
        os.replace(pointer, root / CURRENT_POINTER)
    return final


def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def resolve(path: str | Path) -> Path:
    """A bundle directory, or a models root whose CURRENT names one."""
    path = Path(path)
    pointer = path / CURRENT_POINTER
    if pointer.exists():
        name = pointer.read_text().strip()
        if not name:
            raise BundleError(f"{pointer} is empty", file=pointer)
        return path / name
    return path


@dataclass
class ClientStore:
    """Known clients' features, memory-mapped."""

    ids: np.ndarray
    matrix: np.ndarray
    categories: dict[str, list[str]]
    target: np.ndarray
    probability: np.ndarray
    features: list[str]
    path: Path

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, client_id: int) -> int | None:
        i = int(np.searchsorted(self.ids, client_id))
        return i if i < len(self.ids) and self.ids[i] == client_id else None

    @cached_property
    def _cat_positions(self) -> list[tuple[int, list[str]]]:
        return [(self.features.index(name), levels) for name, levels in self.categories.items()]

    def model_row(self, i: int) -> list:
        """One client's model input as a plain list (the fast CatBoost path)."""
        row: list = self.matrix[i].tolist()
        for j, levels in self._cat_positions:
            code = row[j]
            row[j] = MISSING_CATEGORY if code != code else levels[int(code)]
        return row

    def frame(self, rows) -> pd.DataFrame:
        """Decoded feature frame for row positions ``rows`` (categoricals as text, NaN kept)."""
        rows = np.asarray(rows)
        df = pd.DataFrame(np.asarray(self.matrix[rows]), columns=self.features, index=self.ids[rows])
        df.index.name = "SK_ID_CURR"
        for name, levels in self.categories.items():
            codes = df[name].to_numpy()
            lookup = np.asarray(levels + [None], dtype=object)
            idx = np.where(np.isnan(codes), len(levels), codes).astype(int)
            df[name] = pd.Categorical(lookup[idx], categories=levels)
        return df

    @cached_property
    def info(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "info.parquet")


@dataclass
class Bundle:
    path: Path
    meta: BundleMetadata
    calibrator: Calibrator
    store: ClientStore

    @cached_property
    def metadata(self) -> dict:
        """``metadata.json`` as written (plain JSON, for renderers of whole documents); read fields on ``meta``."""
        return self.meta.to_json()

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def threshold(self) -> float:
        return self.meta.threshold

    @property
    def feature_names(self) -> list[str]:
        return list(self.store.features)

    @property
    def categorical(self) -> list[str]:
        return list(self.meta.categorical)

    @cached_property
    def model(self):
        from catboost import CatBoostClassifier

        model = CatBoostClassifier()
        try:
            model.load_model(str(self.path / "model.cbm"))
        except Exception as exc:  # catboost raises CatBoostError on a corrupt file
            raise BundleError(f"{self.path / 'model.cbm'}: cannot load the CatBoost model ({exc})",
                              file=self.path / "model.cbm") from None
        return model

    def extra(self, name: str):
        """An extras file by name (``.json`` parsed, ``.npz`` opened), or None."""
        json_path = self.path / "extras" / f"{name}.json"
        if json_path.exists():
            return json.loads(json_path.read_text())
        npz_path = self.path / "extras" / f"{name}.npz"
        if npz_path.exists():
            return dict(np.load(npz_path, allow_pickle=False))
        return None


def load_bundle(path: str | Path, *, load_model: bool = True) -> Bundle:
    """Open a bundle (or the CURRENT one under a models root); fail clearly if anything is off."""
    bundle_dir = resolve(path)
    if not bundle_dir.is_dir():
        raise BundleError(f"model bundle {bundle_dir} does not exist (train one with `python -m training`)",
                          file=bundle_dir)
    for name in REQUIRED_FILES:
        if not (bundle_dir / name).exists():
            raise BundleError(f"model bundle is incomplete: {bundle_dir / name} is missing",
                              file=bundle_dir / name)
    try:
        metadata = json.loads((bundle_dir / "metadata.json").read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(f"{bundle_dir / 'metadata.json'} is not valid JSON ({exc})",
                          file=bundle_dir / "metadata.json") from None
    try:
        meta = parse_metadata(metadata, str(bundle_dir / "metadata.json"))
    except MetadataError as exc:
        raise BundleError(str(exc), file=bundle_dir / "metadata.json") from None
    try:
        calibrator = Calibrator.from_dict(json.loads((bundle_dir / "calibration.json").read_text()))
    except (json.JSONDecodeError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{bundle_dir / 'calibration.json'} is invalid ({exc})",
                          file=bundle_dir / "calibration.json") from None
    store_dir = bundle_dir / "store"
    arrays = {}
    for name in ("ids", "features", "target", "probability"):
        try:
            arrays[name] = np.load(store_dir / f"{name}.npy", mmap_mode="r")
        except (ValueError, OSError) as exc:
            raise BundleError(f"{store_dir / (name + '.npy')} is corrupt ({exc})",
                              file=store_dir / f"{name}.npy") from None
    features = meta.feature_names
    n = len(arrays["ids"])
    if arrays["features"].shape != (n, len(features)) or len(arrays["target"]) != n or len(arrays["probability"]) != n:
        raise BundleError(f"{store_dir}: array shapes disagree with metadata.json features", file=store_dir)
    store = ClientStore(
        ids=arrays["ids"], matrix=arrays["features"],
        categories=json.loads((store_dir / "categories.json").read_text()),
        target=arrays["target"], probability=arrays["probability"], features=features, path=store_dir,
    )
    bundle = Bundle(path=bundle_dir, meta=meta, calibrator=calibrator, store=store)
    if load_model:
        _ = bundle.model
    return bundle
