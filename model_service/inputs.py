"""Model input from the bundle's client store (no pandas on the single-row path).

Rows are read with ``os.pread`` from ``store/features.npy`` rather than through
the memory map: the data still come from the shared page cache, but a worker
does not map (and get charged in its RSS for) every page it ever touched; the
kernel maps 64 KB around each faulting page, so a few thousand random clients
would otherwise map most of a Kaggle-size store into every worker. Whole-column
scans (rare fallbacks) go through the map and drop it afterwards.
"""

from __future__ import annotations

import math
import mmap
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring import schema
from scoring.bundle import Bundle
from scoring.features import MISSING_CATEGORY
from scoring.features.application import raw_application_features

_INT_KINDS = {name for name, kind in schema.TABLES["application_test"] if kind == "int"}


class RowReader:
    """Rows of a C-ordered float32 ``.npy`` matrix, read with positional reads (fork- and thread-safe)."""

    def __init__(self, path: Path, memmap: np.ndarray):
        self.memmap = memmap
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = reader(handle)
            self.offset = handle.tell()
        self.usable = (not fortran and dtype == np.dtype("<f4") and len(shape) == 2)
        self.columns = int(shape[1]) if len(shape) == 2 else 0
        self.row_bytes = self.columns * 4
        self.fd = os.open(path, os.O_RDONLY) if self.usable else -1

    def row(self, i: int) -> np.ndarray:
        if not self.usable:
            return np.asarray(self.memmap[i])
        data = os.pread(self.fd, self.row_bytes, self.offset + i * self.row_bytes)
        return np.frombuffer(data, dtype=np.float32)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """Many rows, one positional read each (about 1.7 us a row; gathering through the map
        costs more once the pages it maps have to be dropped again)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not self.usable:
            out = np.asarray(self.memmap[rows])
            self.release()
            return out
        out = np.empty((len(rows), self.columns), dtype=np.float32)
        fd, size, offset = self.fd, self.row_bytes, self.offset
        for k, i in enumerate(rows.tolist()):
            if os.preadv(fd, [out[k]], offset + i * size) != size:
                raise OSError(f"short read of row {i} in the client store")
        return out

    def values(self, rows: np.ndarray, j: int) -> np.ndarray:
        """Column ``j`` of the given rows only (4 bytes read per row)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not self.usable:
            out = np.asarray(self.memmap[rows, j], dtype=np.float32)
            self.release()
            return out
        out = np.empty(len(rows), dtype=np.float32)
        base = self.offset + 4 * j
        for k, i in enumerate(rows.tolist()):
            os.preadv(self.fd, [out[k:k + 1]], base + i * self.row_bytes)
        return out

    def column(self, j: int, chunk: int = 50_000) -> np.ndarray:
        """One whole column (reads the entire matrix through the map, then unmaps it)."""
        n = self.memmap.shape[0]
        out = np.empty(n, dtype=np.float32)
        for start in range(0, n, chunk):
            out[start:start + chunk] = self.memmap[start:start + chunk, j]
        self.release()
        return out

    def release(self) -> None:
        """Drop this process's mapping of the store pages (they stay in the shared page cache)."""
        handle = getattr(self.memmap, "_mmap", None)
        if handle is not None and hasattr(handle, "madvise"):
            try:
                handle.madvise(mmap.MADV_DONTNEED)
            except (OSError, ValueError):
                pass


class StoreInputs:
    """Rows of known clients as CatBoost takes them: a plain list (one row) or a frame (many)."""

    def __init__(self, bundle: Bundle):
        self.store = bundle.store
        self.features: list[str] = bundle.feature_names
        self.categorical: list[str] = bundle.categorical
        self.position = {name: j for j, name in enumerate(self.features)}
        self.cat_index: list[int] = [self.position[c] for c in self.categorical]
        categorical = set(self.categorical)
        self._numeric = [name for name in self.features if name not in categorical]
        self._numeric_index = [self.position[name] for name in self._numeric]
        self._dtypes: dict[str, tuple[pd.CategoricalDtype, int]] = {}
        for name in self.categorical:
            levels = list(self.store.categories.get(name, []))
            if MISSING_CATEGORY not in levels:
                levels.append(MISSING_CATEGORY)
            self._dtypes[name] = (pd.CategoricalDtype(levels), levels.index(MISSING_CATEGORY))
        self.raw_fields = [f for f in raw_application_features() if f in self.position]
        self.reader = RowReader(self.store.path / "features.npy", self.store.matrix)
        self._decode = [(self.position[name], levels) for name, levels in self.store.categories.items()
                        if name in self.position]

    def index_of(self, client_id: int) -> int | None:
        return self.store.index_of(client_id)

    def row(self, i: int) -> list:
        """One client's model input as a plain list, like ``ClientStore.model_row``."""
        row: list = self.reader.row(i).tolist()
        for j, levels in self._decode:
            code = row[j]
            row[j] = MISSING_CATEGORY if code != code else levels[int(code)]
        return row

    def matrix(self, rows: np.ndarray) -> np.ndarray:
        return self.reader.rows(rows)

    def frame(self, rows: np.ndarray) -> pd.DataFrame:
        """Model input frame for store positions ``rows`` (categoricals as pandas categories)."""
        matrix = self.reader.rows(np.asarray(rows, dtype=np.int64))
        columns: dict[str, Any] = {}
        for j, name in enumerate(self.features):
            if name in self._dtypes:
                dtype, missing = self._dtypes[name]
                codes = matrix[:, j]
                idx = np.where(np.isnan(codes), missing, codes).astype(np.int32)
                columns[name] = pd.Categorical.from_codes(idx, dtype=dtype)
            else:
                columns[name] = matrix[:, j]
        return pd.DataFrame(columns, copy=False)

    def raw_application(self, row: list) -> dict[str, Any]:
        """The raw application fields behind a model row (DAYS_EMPLOYED sentinel restored)."""
        out: dict[str, Any] = {}
        for name in self.raw_fields:
            value = row[self.position[name]]
            if value == MISSING_CATEGORY or (isinstance(value, float) and math.isnan(value)):
                value = None
            elif name in _INT_KINDS and isinstance(value, float) and value.is_integer():
                value = int(value)
            out[name] = value
        anomaly = self.position.get("APP_DAYS_EMPLOYED_ANOM")
        if anomaly is not None and row[anomaly] == 1.0 and out.get("DAYS_EMPLOYED") is None:
            out["DAYS_EMPLOYED"] = schema.DAYS_EMPLOYED_SENTINEL
        return out


def rows_as_lists(x: pd.DataFrame) -> list[list]:
    """A model-input frame as plain Python rows (floats and strings)."""
    columns = [x[c].tolist() for c in x.columns]
    return [list(r) for r in zip(*columns, strict=True)]
