"""Known clients: a compact in-memory table for listing and filtering (about 10 numpy
columns, ~15 MB for 356k clients), and readable details of one client.

Listing uses the bundle's precomputed calibrated probability (``store/probability.npy``)
and a few descriptive columns of ``store/info.parquet`` read with pyarrow (never the
whole file into pandas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from scoring.bundle import Bundle, BundleError
from scoring.decision import decision_index, to_score

from .inputs import StoreInputs
from .scorer import BANDS

DECISIONS = ("approve", "review", "decline")
NUMERIC = {"age": "DAYS_BIRTH", "income": "AMT_INCOME_TOTAL", "credit": "AMT_CREDIT", "annuity": "AMT_ANNUITY"}
CATEGORICAL = {"contract_type": "NAME_CONTRACT_TYPE", "gender": "CODE_GENDER"}
SORT_KEYS = ("id", "age", "income", "credit", "annuity", "score", "probability", "contract_type", "decision")


@dataclass(frozen=True)
class Coded:
    codes: np.ndarray  # int16, -1 = missing
    levels: list[str]

    def value(self, i: int) -> str | None:
        code = int(self.codes[i])
        return None if code < 0 else self.levels[code]

    def code_of(self, level: str) -> int | None:
        return self.levels.index(level) if level in self.levels else None


class ClientIndex:
    def __init__(self, bundle: Bundle, inputs: StoreInputs):
        store = bundle.store
        # small arrays (a few MB at Kaggle size) copied into memory: lookups never fault on the map
        self.ids = np.array(store.ids, dtype=np.int64)
        self.target = np.array(store.target, dtype=np.int8)
        # decisions from the exact stored probabilities (as the scorer serves them); compact copies for display
        probability = np.asarray(store.probability, dtype=np.float64)
        score = np.asarray(to_score(probability, bundle.threshold), dtype=np.float64)
        self.probability = probability.astype(np.float32)
        self.decision = decision_index(score)
        self.score = score.astype(np.float32)
        self.numeric: dict[str, np.ndarray] = {}
        self.coded: dict[str, Coded] = {}
        self._orders: dict[str, np.ndarray] = {}
        self._load_info(store.path / "info.parquet", inputs)

    def __len__(self) -> int:
        return len(self.ids)

    def _load_info(self, path, inputs: StoreInputs) -> None:
        previous = pa.default_memory_pool()
        pa.set_memory_pool(pa.system_memory_pool())  # malloc gives the read buffers back; mimalloc keeps them
        try:
            try:
                parquet = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 16)
                names = set(parquet.schema_arrow.names)
                wanted = [c for c in ("SK_ID_CURR", *NUMERIC.values(), *CATEGORICAL.values()) if c in names]
                table = pa.concat_tables([parquet.read_row_group(g, columns=wanted, use_threads=False)
                                          for g in range(parquet.num_row_groups)])
            except Exception as exc:  # noqa: BLE001 - pyarrow raises several types on a corrupt file
                raise BundleError(f"{path} cannot be read ({exc})", file=path) from None
            self._columns(table, path, inputs)
            del table
        finally:
            pa.set_memory_pool(previous)
            pa.system_memory_pool().release_unused()

    def _columns(self, table: pa.Table, path, inputs: StoreInputs) -> None:
        n = len(self.ids)
        position = np.arange(n)
        if "SK_ID_CURR" in table.column_names:
            info_ids = table.column("SK_ID_CURR").to_numpy(zero_copy_only=False).astype(np.int64)
            if len(info_ids) != n or not np.array_equal(info_ids, self.ids):
                position = np.full(n, -1)
                where = np.searchsorted(info_ids, self.ids) if np.all(np.diff(info_ids) > 0) else None
                if where is None:
                    raise BundleError(f"{path}: SK_ID_CURR is not sorted like store/ids.npy", file=path)
                where = np.clip(where, 0, max(len(info_ids) - 1, 0))
                found = info_ids[where] == self.ids if len(info_ids) else np.zeros(n, bool)
                position = np.where(found, where, -1)
        for key, column in NUMERIC.items():
            if column in table.column_names:
                values = table.column(column).to_numpy(zero_copy_only=False).astype(np.float32)
                values = np.where(position >= 0, values[np.clip(position, 0, None)], np.nan) if len(values) else \
                    np.full(n, np.nan, np.float32)
            else:  # fall back on the store's own column
                values = inputs.reader.column(inputs.position[column])
            self.numeric[key] = (-values / 365.25).astype(np.float32) if key == "age" else values.astype(np.float32)
        for key, column in CATEGORICAL.items():
            if column in table.column_names:
                encoded = table.column(column).cast("string").dictionary_encode().combine_chunks()
                levels = [str(v) for v in encoded.dictionary.to_pylist()]
                codes = encoded.indices.to_numpy(zero_copy_only=False)
                codes = np.where(np.isnan(codes.astype(np.float64)), -1, codes).astype(np.int16)
                codes = np.where(position >= 0, codes[np.clip(position, 0, None)], -1).astype(np.int16)
            else:
                levels = list(inputs.store.categories.get(column, []))
                raw = inputs.reader.column(inputs.position[column])
                codes = np.where(np.isnan(raw), -1, raw).astype(np.int16)
            order = sorted(range(len(levels)), key=lambda k: levels[k])
            remap = np.empty(len(levels) + 1, dtype=np.int16)
            remap[-1] = -1
            remap[np.asarray(order, dtype=np.int64)] = np.arange(len(levels), dtype=np.int16)
            self.coded[key] = Coded(codes=remap[codes], levels=[levels[k] for k in order])

    # --- lookups ---------------------------------------------------------------------------------
    def index_of(self, client_id: int) -> int | None:
        i = int(np.searchsorted(self.ids, client_id))
        return i if i < len(self.ids) and self.ids[i] == client_id else None

    def known_outcome(self, i: int) -> int | None:
        value = int(self.target[i])
        return value if value in (0, 1) else None

    def summary(self, i: int) -> dict[str, Any]:
        decision = DECISIONS[int(self.decision[i])]
        item: dict[str, Any] = {"id": int(self.ids[i])}
        for key in NUMERIC:
            value = float(self.numeric[key][i])
            item[key] = None if np.isnan(value) else (round(value, 1) if key == "age" else value)
        for key, coded in self.coded.items():
            item[key] = coded.value(i)
        item.update(score=float(self.score[i]), probability=float(self.probability[i]), decision=decision,
                    band=BANDS[decision])
        return item

    # --- listing ---------------------------------------------------------------------------------
    def _order(self, key: str) -> np.ndarray:
        if key not in self._orders:
            descending = key.startswith("-")
            name = key.lstrip("-")
            if name == "contract_type":  # codes follow the levels' alphabetical order; missing (-1) first
                values = self.coded[name].codes
            elif name == "decision":  # approve < review < decline, ties in id order
                values = self.decision
            else:
                values = self.ids if name == "id" else self.score if name == "score" else \
                    self.probability if name == "probability" else self.numeric[name]
            values = values.astype(np.float64)
            self._orders[key] = np.argsort(-values if descending else values, kind="stable")
        return self._orders[key]

    def id_prefix_mask(self, prefix: str) -> np.ndarray:
        mask = np.zeros(len(self.ids), dtype=bool)
        if not len(self.ids):
            return mask
        base, digits = int(prefix), len(prefix)
        longest = len(str(int(self.ids.max())))
        for extra in range(0, max(longest - digits, 0) + 1):
            low, high = base * 10**extra, (base + 1) * 10**extra
            mask[np.searchsorted(self.ids, low):np.searchsorted(self.ids, high)] = True
        return mask

    def search(self, query: Any, only: np.ndarray | None = None) -> tuple[list[dict[str, Any]], int]:
        """Items of the requested page and the total number of matches (``only``: a mask the caller adds)."""
        masks: list[np.ndarray] = [] if only is None else [only]
        if query.q:
            masks.append(self.id_prefix_mask(query.q))
        for key, low, high in (("age", query.age_min, query.age_max), ("income", query.income_min, query.income_max)):
            if low is not None:
                masks.append(self.numeric[key] >= np.float64(low))
            if high is not None:
                masks.append(self.numeric[key] <= np.float64(high))
        if query.score_min is not None:
            masks.append(self.score >= np.float64(query.score_min))
        if query.score_max is not None:
            masks.append(self.score <= np.float64(query.score_max))
        for key in ("contract_type", "gender"):
            wanted = getattr(query, key)
            if wanted is not None:
                code = self.coded[key].code_of(wanted)
                masks.append(self.coded[key].codes == (code if code is not None else -2))
        if query.decision is not None:
            masks.append(self.decision == DECISIONS.index(query.decision))
        order = self._order(query.sort)
        if masks:
            mask = np.logical_and.reduce(masks)
            order = order[mask[order]]
        total = int(len(order))
        start = (query.page - 1) * query.per_page
        page = order[start:start + query.per_page]
        return [self.summary(int(i)) for i in page], total

    def levels(self, key: str) -> list[str]:
        return list(self.coded[key].levels)
