"""Exact per-row SHAP values of a CatBoost oblivious-tree model, looked up in a leaf table.

For an oblivious tree, the (path-dependent TreeSHAP) contributions of a row depend only on the leaf
the row falls into, and SHAP values add up over trees. So

    shap(row) = base value + sum over trees t of table[t][leaf_t(row)]

The table is filled with CatBoost's own ``ShapValues`` (nothing is recomputed here): for each tree,
a one-tree copy of the model (``copy`` + ``shrink``) is asked for the SHAP values of one synthetic
row per reachable leaf, the rows built from the split structure of the saved JSON model. One-hot
categorical splits compare a hash of the category; which known level matches which split is
asked to CatBoost (``calc_leaf_indexes`` on probe rows), so no hash is computed here.

Rows are given as the client store codes them: float32 numbers, categoricals as the code of their
level in ``categories[name]`` (NaN = missing, :data:`UNSEEN` = a level outside the list, which
matches no one-hot split). :meth:`LeafShapTable.encode` turns a plain model row (floats and
strings, as CatBoost takes it) into that form.

Supported: oblivious trees, float splits (any NaN treatment), one-hot categorical splits, a scaled
and biased model with one output. Anything else (CTR splits, multi-class, non-symmetric trees)
raises :class:`UnsupportedModel` when the table is built.

:func:`verify` compares a table with CatBoost's single-row ShapValues (exact ``==``) on given stored rows
and on synthetic rows (missing values, unseen levels, float64 numbers next to float32 borders);
:func:`build_checked` builds and verifies, and says why not instead of raising.

Known limit of unseen levels: a string outside the known levels is taken to match no one-hot
split. Every one-hot split value is checked to be matched by a known level, so that is wrong only
if the string's 32-bit CatBoost hash collides with a used level's.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from catboost import Pool

from scoring.features import MISSING_CATEGORY

#: A categorical level no model matches (one-hot splits of a leaf whose bit is 0).
NO_MATCH = "\u0000__leaf_shap_matches_no_value__"


class UnsupportedModel(ValueError):
    """The model has a structure the leaf table cannot reproduce exactly (the message says which)."""


@dataclass(frozen=True)
class Split:
    kind: str  # "float" | "onehot"
    feature: int  # flat feature index (column of the model input)
    border: float = 0.0  # float split: bit = float32(x) > border
    value: int = 0  # one-hot split: bit = hash(level) == value
    nan_true: bool = False  # float split with nan_value_treatment AsTrue (NaN -> 1; AsIs/AsFalse -> 0)


def _model_json(model) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.json"
        model.save_model(str(path), format="json")
        return json.loads(path.read_text())


def _parse_trees(j: dict, n_features: int) -> list[list[Split]]:
    if "oblivious_trees" not in j or j.get("trees"):
        raise UnsupportedModel("the model has non-symmetric trees (grow_policy other than SymmetricTree)")
    info = j.get("features_info", {})
    if info.get("ctrs") or info.get("text_features") or info.get("embedding_features"):
        raise UnsupportedModel("the model uses CTR, text or embedding features")
    floats = {f["feature_index"]: f for f in info.get("float_features", [])}
    cats = {f["feature_index"]: f["flat_feature_index"] for f in info.get("categorical_features", [])}
    trees = []
    for t, tree in enumerate(j["oblivious_trees"]):
        splits = []
        for s in tree.get("splits") or []:
            kind = s["split_type"]
            if kind == "FloatFeature":
                f = floats[s["float_feature_index"]]
                splits.append(Split("float", int(f["flat_feature_index"]), border=float(s["border"]),
                                    nan_true=f.get("nan_value_treatment", "AsIs") == "AsTrue"))
            elif kind == "OneHotFeature":
                splits.append(Split("onehot", int(cats[s["cat_feature_index"]]), value=int(s["value"])))
            else:
                raise UnsupportedModel(f"tree {t} has a split of type {kind} (CTR): only float and one-hot "
                                       "splits are supported")
        if len(tree.get("leaf_values", [])) != 1 << len(splits):
            raise UnsupportedModel(f"tree {t} has {len(tree.get('leaf_values', []))} leaf values for "
                                   f"{len(splits)} splits (a multi-dimensional model?)")
        if any(s.feature >= n_features for s in splits):
            raise UnsupportedModel(f"tree {t} splits on a feature beyond the {n_features} given")
        trees.append(splits)
    return trees


def _probe_onehot(model, trees: list[list[Split]], n_features: int, cat_index: Sequence[int],
                  levels_of: Mapping[int, list[str]]) -> dict[tuple[int, int], set[str]]:
    """``{(feature, split value): known levels matching it}``, asked to CatBoost on probe rows."""
    where: dict[tuple[int, int], tuple[int, int]] = {}  # (feature, value) -> (tree, depth) of one split using it
    for t, splits in enumerate(trees):
        for d, s in enumerate(splits):
            if s.kind == "onehot":
                where.setdefault((s.feature, s.value), (t, d))
    matches: dict[tuple[int, int], set[str]] = {key: set() for key in where}
    if not where:
        return matches
    base: list[Any] = [math.nan] * n_features
    for j in cat_index:
        base[j] = MISSING_CATEGORY
    rows, keys = [], []
    for f in sorted({f for f, _ in where}):
        for level in [*levels_of[f], MISSING_CATEGORY, NO_MATCH]:
            row = list(base)
            row[f] = level
            rows.append(row)
            keys.append((f, level))
    leaves = model.calc_leaf_indexes(Pool(rows, cat_features=list(cat_index)), thread_count=1)
    for r, (f, level) in enumerate(keys):
        for (ff, v), (t, d) in where.items():
            if ff == f and (int(leaves[r, t]) >> d) & 1:
                matches[(ff, v)].add(level)
    for (f, v), levels in matches.items():
        if NO_MATCH in levels:
            raise UnsupportedModel(f"the no-match probe level matches one-hot value {v} of feature {f}")
        if not levels:
            raise UnsupportedModel(f"no known level of feature {f} matches its one-hot split value {v} "
                                   "(the categories given are not the model's)")
    return matches


def _leaf_row(splits: list[Split], leaf: int, base: list, matches) -> list | None:
    """A model row that lands in ``leaf`` of a tree with ``splits`` (None: the leaf is unreachable)."""
    row = list(base)
    by_feature: dict[int, list[tuple[Split, int]]] = {}
    for d, s in enumerate(splits):
        by_feature.setdefault(s.feature, []).append((s, (leaf >> d) & 1))
    for f, items in by_feature.items():
        if items[0][0].kind == "float":
            above = [np.float32(s.border) for s, bit in items if bit]  # needs x > border
            below = [np.float32(s.border) for s, bit in items if not bit]  # needs x <= border
            if above:
                with np.errstate(over="ignore"):
                    x = np.nextafter(max(above), np.float32(np.inf), dtype=np.float32)
            else:
                x = min(below)
            if below and not x <= min(below):
                return None
            row[f] = float(x)
        else:
            on = {s.value for s, bit in items if bit}
            if len(on) > 1:
                return None  # one level cannot equal two values
            row[f] = sorted(matches[(f, on.pop())])[0] if on else NO_MATCH
    return row


def _scalar(value) -> float:
    return float(np.ravel(value)[0]) if np.ndim(value) else float(value)


@dataclass
class LeafShapTable:
    """SHAP values of one model by leaf; build with :meth:`build`."""

    features: list[str]
    cat_index: list[int]
    levels: dict[int, list[str]]  # categorical feature -> its levels (the codes index them)
    split_feature: np.ndarray  # int32 [T, D] (pad: 0)
    split_border: np.ndarray  # float32 [T, D] (pad and one-hot: +inf, so the bit is 0)
    split_nan_true: np.ndarray  # bool [T, D]
    onehot_pos: np.ndarray  # int64 [S] flat positions t * D + d of the one-hot splits
    onehot_feature: np.ndarray  # int32 [S]
    onehot_lut: np.ndarray  # bool [S, max_levels + 2]: code -> bit; column n_levels = missing, n_levels + 1 = unseen
    n_levels: np.ndarray  # int32 [n_features] (0 for numeric features)
    slot_feature: np.ndarray  # int32 [T, D] feature credited with values[:, :, d] (pad: the base-value column)
    values: np.ndarray  # float64 [T, 2^D, D] (unreachable leaves: 0)
    base_value: float  # the last column of ShapValues (expected value + model bias)
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        trees, depth = self.split_feature.shape
        self.n_features = len(self.features)
        self._pow2 = 1 << np.arange(depth, dtype=np.int64)
        self._tree_ids = np.arange(trees)
        self._slots = self.slot_feature.ravel().astype(np.int64)
        self._onehot_rows = np.arange(len(self.onehot_pos))
        self._any_nan_true = bool(self.split_nan_true.any())
        self._code_of = {j: {level: k for k, level in enumerate(levels)} for j, levels in self.levels.items()}
        self._numeric = np.array([j for j in range(self.n_features) if j not in self._code_of], dtype=np.int64)

    # --- building ----------------------------------------------------------------------------------
    @classmethod
    def build(cls, model, features: Sequence[str], cat_index: Sequence[int],
              categories: Mapping[str, Sequence[str]]) -> LeafShapTable:
        """The table of a loaded CatBoost model: ``features`` in model order, ``cat_index`` their categorical
        positions, ``categories[name]`` the levels the codes of a categorical index.

        Every CatBoost call is single-threaded (safe before a fork). Raises :class:`UnsupportedModel`.
        """
        start = time.perf_counter()
        features, cat_index = list(features), [int(j) for j in cat_index]
        n_features = len(features)
        if list(getattr(model, "feature_names_", None) or features) != features:
            raise UnsupportedModel("the model's feature names differ from the ones given")
        trees = _parse_trees(_model_json(model), n_features)
        if any(s.kind == "onehot" and s.feature not in set(cat_index) for t in trees for s in t):
            raise UnsupportedModel("a one-hot split is on a feature not declared categorical")
        levels = {j: [str(v) for v in categories.get(features[j], [])] for j in cat_index}
        matches = _probe_onehot(model, trees, n_features, cat_index, levels)

        n_trees = len(trees)
        depth = max((len(s) for s in trees), default=0) or 1
        split_feature = np.zeros((n_trees, depth), np.int32)
        split_border = np.full((n_trees, depth), np.inf, np.float32)
        split_nan_true = np.zeros((n_trees, depth), bool)
        slot_feature = np.full((n_trees, depth), n_features, np.int32)
        values = np.zeros((n_trees, 1 << depth, depth))
        n_levels = np.zeros(n_features, np.int32)
        for j in cat_index:
            n_levels[j] = len(levels[j])
        max_levels = int(n_levels.max()) if cat_index else 0
        onehot_pos, onehot_feature, onehot_lut = [], [], []

        base: list[Any] = [0.0] * n_features
        for j in cat_index:
            base[j] = NO_MATCH
        unreachable = 0
        for t, splits in enumerate(trees):
            first_slot: dict[int, int] = {}  # feature -> the depth whose slot is credited with it
            for d, s in enumerate(splits):
                split_feature[t, d] = s.feature
                if s.kind == "float":
                    split_border[t, d] = np.float32(s.border)
                    split_nan_true[t, d] = s.nan_true
                else:
                    lut = np.zeros(max_levels + 2, bool)
                    matching = matches[(s.feature, s.value)]
                    for code, level in enumerate(levels[s.feature]):
                        lut[code] = level in matching
                    lut[n_levels[s.feature]] = MISSING_CATEGORY in matching
                    onehot_pos.append(t * depth + d)
                    onehot_feature.append(s.feature)
                    onehot_lut.append(lut)
                if s.feature not in first_slot:
                    first_slot[s.feature] = d
                    slot_feature[t, d] = s.feature
            rows, leaf_ids = [], []
            for leaf in range(1 << len(splits)):
                row = _leaf_row(splits, leaf, base, matches)
                if row is None:
                    unreachable += 1
                else:
                    rows.append(row)
                    leaf_ids.append(leaf)
            one = model.copy()
            one.shrink(ntree_end=t + 1, ntree_start=t)
            pool = Pool(rows, cat_features=cat_index)
            landed = one.calc_leaf_indexes(pool, thread_count=1)[:, 0]
            if not np.array_equal(landed, leaf_ids):
                raise UnsupportedModel(f"tree {t}: the synthetic rows do not land in the leaves they were built for")
            shap = np.asarray(one.get_feature_importance(pool, type="ShapValues", thread_count=1), np.float64)
            if shap.ndim != 2 or shap.shape[1] != n_features + 1:
                raise UnsupportedModel(f"ShapValues of shape {shap.shape}: one output expected")
            if np.any(np.delete(shap[:, :-1], sorted(first_slot), axis=1)):
                raise UnsupportedModel(f"tree {t}: SHAP values on features the tree does not split on")
            for f, d in first_slot.items():
                values[t, leaf_ids, d] = shap[:, f]
        # The base value is the same for every row; one call of the full model gives it as CatBoost sums it.
        probe = Pool([base], cat_features=cat_index)
        base_value = float(model.get_feature_importance(probe, type="ShapValues", thread_count=1)[0, -1])
        scale, bias = model.get_scale_and_bias()
        lut_array = np.asarray(onehot_lut, bool).reshape(len(onehot_pos), max_levels + 2)
        table = cls(features=features, cat_index=cat_index, levels=levels, split_feature=split_feature,
                    split_border=split_border, split_nan_true=split_nan_true,
                    onehot_pos=np.asarray(onehot_pos, np.int64), onehot_feature=np.asarray(onehot_feature, np.int32),
                    onehot_lut=lut_array, n_levels=n_levels, slot_feature=slot_feature, values=values,
                    base_value=base_value)
        table.stats = {"trees": n_trees, "depth": depth, "unreachable_leaves": unreachable,
                       "onehot_splits": len(onehot_pos), "scale": _scalar(scale), "bias": _scalar(bias),
                       "bytes": int(values.nbytes), "seconds": time.perf_counter() - start}
        return table

    # --- input ---------------------------------------------------------------------------------------
    def encode(self, row: Sequence[Any]) -> np.ndarray | None:
        """A plain model row (floats, categoricals as strings) coded as the store codes it, float32 (as
        CatBoost casts numbers). None if a value is of a kind CatBoost may read otherwise (not a number
        where a number is due, not a string where a category is): the caller asks CatBoost instead."""
        if len(row) != self.n_features:
            return None
        x = np.empty(self.n_features, np.float32)
        for j, code_of in self._code_of.items():
            level = row[j]
            if not isinstance(level, str):
                return None
            code = code_of.get(level)
            x[j] = np.nan if level == MISSING_CATEGORY else (self.n_levels[j] + 1 if code is None else code)
        numbers = [row[j] for j in self._numeric]
        if not all(type(v) is float or (type(v) is int and abs(v) < 2**53) for v in numbers):
            return None
        x[self._numeric] = numbers
        return x

    # --- leaves and SHAP values ----------------------------------------------------------------------
    def leaf_indexes(self, x: np.ndarray) -> np.ndarray:
        """Leaf of every tree (int64 [T]) for one coded row, or [n, T] for a matrix of rows."""
        x = np.asarray(x, dtype=np.float32)  # CatBoost compares float32 values with float32 borders
        v = x[..., self.split_feature]  # [..., T, D]
        bits = v > self.split_border
        if self._any_nan_true:
            bits |= self.split_nan_true & np.isnan(v)
        if len(self.onehot_pos):
            codes = x[..., self.onehot_feature]
            codes = np.where(np.isnan(codes), self.n_levels[self.onehot_feature], codes).astype(np.int64)
            flat = bits.reshape(*bits.shape[:-2], -1)
            flat[..., self.onehot_pos] = self.onehot_lut[self._onehot_rows, codes]
            bits = flat.reshape(bits.shape)
        return bits.astype(np.int64) @ self._pow2

    def shap_values(self, x: np.ndarray) -> np.ndarray:
        """float64 [n_features + 1] of one coded row, the base value last, as CatBoost's ShapValues."""
        picked = self.values[self._tree_ids, self.leaf_indexes(x)]  # [T, D]
        out = np.bincount(self._slots, weights=picked.ravel(), minlength=self.n_features + 1)
        out[-1] = self.base_value
        return out

    def shap_values_many(self, x: np.ndarray) -> np.ndarray:
        """float64 [n, n_features + 1] of a matrix of coded rows (each row summed as :meth:`shap_values` does)."""
        x = np.asarray(x, dtype=np.float32)
        leaves = self.leaf_indexes(x) if len(x) else np.zeros((0, len(self._tree_ids)), np.int64)
        out = np.empty((len(x), self.n_features + 1))
        for k, leaf in enumerate(leaves):
            out[k] = np.bincount(self._slots, weights=self.values[self._tree_ids, leaf].ravel(),
                                 minlength=self.n_features + 1)
        out[:, -1] = self.base_value
        return out


# --- the check against CatBoost --------------------------------------------------------------------------
def native_shap_values(model, features: list[str], cat_index: list[int], row: list) -> np.ndarray:
    """CatBoost's ShapValues of one plain row (float64 [n_features + 1], the base value last)."""
    pool = Pool([row], cat_features=cat_index, feature_names=features)
    return np.asarray(model.get_feature_importance(pool, type="ShapValues", thread_count=1)[0], dtype=np.float64)


def synthetic_check_rows(table: LeafShapTable, template: list) -> list[list]:
    """Plain rows built from ``template``: every value missing, every other numeric missing, every category
    unseen, and every numeric a float64 just above one of its float32 split borders (equal once cast)."""
    categorical = set(table.cat_index)
    numeric = [j for j in range(len(template)) if j not in categorical]
    empty = [MISSING_CATEGORY if j in categorical else math.nan for j in range(len(template))]
    half = list(template)
    for j in numeric[::2]:
        half[j] = math.nan
    unseen = list(template)
    for j in table.cat_index:
        unseen[j] = "__a level never seen__"
    borders, done = list(template), set()
    for t, d in zip(*np.nonzero(np.isfinite(table.split_border)), strict=True):
        j = int(table.split_feature[t, d])
        if j not in done:
            done.add(j)
            border = float(table.split_border[t, d])  # + far less than half a float32 step: rounds back to it
            borders[j] = border + abs(border) * 2.0**-40 if border else 1e-50
    return [empty, half, unseen, borders]


def verify(table: LeafShapTable, model, stored: list[tuple[int, np.ndarray, list]]) -> str | None:
    """None if the table gives exactly (float64 ``==``) CatBoost's single-row ShapValues on the stored check
    rows and the synthetic ones, else what differed."""
    template = stored[0][2] if stored else [
        MISSING_CATEGORY if j in set(table.cat_index) else 0.0 for j in range(table.n_features)]
    cases = [(f"stored client {i}", table.shap_values(x), row) for i, x, row in stored]
    for k, row in enumerate(synthetic_check_rows(table, template)):
        x = table.encode(row)
        if x is None:
            return f"cannot code synthetic check row {k}"
        cases.append((f"synthetic check row {k}", table.shap_values(x), row))
    for what, got, row in cases:
        expected = native_shap_values(model, table.features, table.cat_index, row)
        if not np.array_equal(got, expected):
            worst = float(np.nanmax(np.abs(got - expected)))
            return f"differs from CatBoost's ShapValues on {what} (by up to {worst:.3g})"
    return None


def build_checked(model, features: list[str], cat_index: list[int], categories: dict[str, list[str]],
                  stored: list[tuple[int, np.ndarray, list]]) -> tuple[LeafShapTable | None, str | None]:
    """(the table, None) if it builds and passes :func:`verify`, else (None, why not)."""
    try:
        table = LeafShapTable.build(model, features, cat_index, categories)
    except UnsupportedModel as exc:
        return None, f"no leaf table ({exc})"
    except Exception as exc:  # noqa: BLE001 - whatever fails, the native path still answers
        return None, f"the leaf table failed to build ({type(exc).__name__}: {exc})"
    failure = verify(table, model, stored)
    return (None, f"the leaf table {failure}") if failure else (table, None)


def build_checked_from_file(model_path: str, *args) -> tuple[LeafShapTable | None, str | None]:
    """:func:`build_checked` of the model saved at ``model_path`` (what a spawned process runs)."""
    from catboost import CatBoost

    model = CatBoost()
    model.load_model(model_path)
    return build_checked(model, *args)


def build_in_process(model_path: str, input_path: str, output_path: str) -> None:
    """What the separate process runs: the arguments of :func:`build_checked_from_file` (but the model path)
    pickled at ``input_path``, its answer pickled to ``output_path``."""
    import pickle

    with open(input_path, "rb") as handle:
        args = pickle.load(handle)
    result = build_checked_from_file(model_path, *args)
    with open(output_path, "wb") as handle:
        pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
