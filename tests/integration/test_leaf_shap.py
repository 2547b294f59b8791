"""The leaf table of SHAP values (scoring/leaf_shap.py) against CatBoost's own ShapValues, on a real bundle
(``onehot_bundle``: the fast bundle refitted one-hot, as the shipped profiles train; the fast profile's own
model has CTR splits, which the table refuses):
exact on every stored client and on rows with missing values, unseen categories and numbers at split
borders; a wrong table is rejected at start-up and the service answers from CatBoost; the service's
explanations are the same with the table and without it."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from catboost import CatBoostClassifier, Pool

from model_service import explain
from model_service.explain import native_shap_values, stored_check_rows
from model_service.inputs import StoreInputs
from scoring import leaf_shap
from scoring.bundle import load_bundle
from scoring.features import MISSING_CATEGORY
from scoring.leaf_shap import LeafShapTable, UnsupportedModel, synthetic_check_rows
from scoring.leaf_shap import verify as verify_table
from tests.integration.service_support import HEADERS, client_ids, make_app, raw_application

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def opened(onehot_bundle):
    bundle = load_bundle(onehot_bundle)
    inputs = StoreInputs(bundle)
    table = LeafShapTable.build(bundle.model, inputs.features, inputs.cat_index, bundle.store.categories)
    return bundle, inputs, table


def native_many(model, inputs, rows) -> np.ndarray:
    pool = Pool(rows, cat_features=inputs.cat_index, feature_names=inputs.features)
    return np.asarray(model.get_feature_importance(pool, type="ShapValues", thread_count=1), np.float64)


def test_every_stored_client_equals_catboost(opened):
    bundle, inputs, table = opened
    n = len(inputs.store)
    assert n > 0
    x = inputs.matrix(np.arange(n))
    got = table.shap_values_many(x)
    assert np.array_equal(got, native_many(bundle.model, inputs, [inputs.row(i) for i in range(n)]))
    for i in np.linspace(0, n - 1, 40).astype(int):  # single-row calls, as the service makes them
        assert np.array_equal(table.shap_values(x[i]), native_shap_values(bundle.model, inputs, inputs.row(int(i))))
        assert np.array_equal(got[i], table.shap_values(x[i]))


def stress_rows(inputs, table, n: int = 600, seed: int = 0) -> list[list]:
    """Stored rows with numbers made missing or put on / next to split borders and categories made
    missing, unseen or another known level."""
    rng = np.random.default_rng(seed)
    categorical = set(inputs.cat_index)
    numeric = [j for j in range(len(inputs.features)) if j not in categorical]
    borders: dict[int, list[np.float32]] = {}
    for t, d in zip(*np.nonzero(np.isfinite(table.split_border)), strict=True):
        borders.setdefault(int(table.split_feature[t, d]), []).append(table.split_border[t, d])
    rows = []
    for _ in range(n):
        with np.errstate(over="ignore"):  # nextafter of the largest float32
            rows.append(stress_row(inputs, table, rng, numeric, borders))
    return rows


def stress_row(inputs, table, rng, numeric, borders) -> list:
    row = inputs.row(int(rng.integers(len(inputs.store))))
    for j in rng.choice(numeric, min(40, len(numeric)), replace=False):
        r = rng.random()
        if r < 0.3:
            row[j] = float("nan")
        elif j in borders:
            b = borders[j][rng.integers(len(borders[j]))]
            row[j] = float([b, np.nextafter(b, np.float32(np.inf)), np.nextafter(b, np.float32(-np.inf)),
                            float(b) * (1 + 2.0**-40)][rng.integers(4)])  # the last one: float64, not float32
    for j in inputs.cat_index:
        levels = table.levels[j]
        r = rng.random()
        row[j] = MISSING_CATEGORY if r < 0.2 else f"unseen {r:.6f}" if r < 0.4 else \
            (levels[rng.integers(len(levels))] if levels else MISSING_CATEGORY)
    return row


def test_missing_values_unseen_categories_and_borders_equal_catboost(opened):
    bundle, inputs, table = opened
    rows = stress_rows(inputs, table)
    coded = [table.encode(row) for row in rows]
    assert all(x is not None for x in coded)
    got = np.stack([table.shap_values(x) for x in coded])
    assert np.array_equal(got, native_many(bundle.model, inputs, rows))
    for k in range(0, len(rows), 50):
        assert np.array_equal(got[k], native_shap_values(bundle.model, inputs, rows[k]))
    leaves = bundle.model.calc_leaf_indexes(Pool(rows, cat_features=inputs.cat_index), thread_count=1)
    assert np.array_equal(table.leaf_indexes(np.stack(coded)), leaves)


def test_rows_catboost_may_read_otherwise_are_not_coded(opened):
    _, inputs, table = opened
    row = inputs.row(0)
    assert table.encode(row) is not None
    numeric = next(j for j in range(len(row)) if j not in set(inputs.cat_index))
    for bad in (None, "1.5", np.float32(1.5), True):
        changed = list(row)
        changed[numeric] = bad
        assert table.encode(changed) is None, bad
    if inputs.cat_index:
        changed = list(row)
        changed[inputs.cat_index[0]] = 3.0
        assert table.encode(changed) is None
    assert table.encode(row[:-1]) is None


def test_check_rows_verify(opened):
    bundle, inputs, table = opened
    stored = stored_check_rows(inputs)
    assert len(stored) == 64 and len(synthetic_check_rows(table, stored[0][2])) == 4
    assert table.stats["onehot_splits"] > 0 and table.stats["trees"] == bundle.model.tree_count_
    assert verify_table(table, bundle.model, stored) is None


def test_a_wrong_entry_is_rejected(opened):
    bundle, inputs, table = opened
    stored = stored_check_rows(inputs)
    leaf = table.leaf_indexes(stored[0][1])
    saved = table.values[0, leaf[0], 0]
    table.values[0, leaf[0], 0] = np.nextafter(saved, np.inf)  # one ulp off, one entry
    try:
        failure = verify_table(table, bundle.model, stored)
    finally:
        table.values[0, leaf[0], 0] = saved
    # one ulp may vanish in the sum of the row it was meant for and show on another: any stored row will do
    assert failure is not None and "differs from CatBoost's ShapValues on stored client" in failure, failure
    assert verify_table(table, bundle.model, stored) is None


def test_comparing_without_the_float32_cast_is_rejected(opened, monkeypatch):
    bundle, inputs, table = opened

    def float64_leaves(self, x):
        x = np.asarray(x, dtype=np.float64)
        bits = x[..., self.split_feature] > self.split_border.astype(np.float64)
        flat = bits.reshape(*bits.shape[:-2], -1)
        if len(self.onehot_pos):
            codes = x[..., self.onehot_feature]
            codes = np.where(np.isnan(codes), self.n_levels[self.onehot_feature], codes).astype(np.int64)
            flat[..., self.onehot_pos] = self.onehot_lut[self._onehot_rows, codes]
        return flat.reshape(bits.shape).astype(np.int64) @ self._pow2

    encode = LeafShapTable.encode
    monkeypatch.setattr(LeafShapTable, "encode", lambda self, row: None if (x := encode(self, row)) is None else
                        np.array([v if isinstance(v, float) else x[j] for j, v in enumerate(row)], np.float64))
    monkeypatch.setattr(LeafShapTable, "leaf_indexes", float64_leaves)
    failure = verify_table(table, bundle.model, stored_check_rows(inputs))
    assert failure is not None and "synthetic check row 3" in failure, failure


def test_ctr_splits_are_refused():
    rng = np.random.default_rng(1)
    levels = [f"level {k}" for k in range(12)]
    rows = [[float(rng.normal()), levels[rng.integers(12)]] for _ in range(400)]
    y = [int(r[1] in levels[:5]) ^ int(r[0] > 1) for r in rows]
    model = CatBoostClassifier(iterations=5, depth=3, one_hot_max_size=2, thread_count=1, verbose=False,
                               allow_writing_files=False)
    model.fit(Pool(rows, y, cat_features=[1], feature_names=["x", "c"]))
    with pytest.raises(UnsupportedModel, match="CTR"):
        LeafShapTable.build(model, ["x", "c"], [1], {"c": levels})


# --- the service ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def apps(onehot_bundle, tmp_path_factory):
    made = {flag: make_app(onehot_bundle, tmp_path_factory.mktemp(f"leaf{flag}"), LEAF_SHAP_TABLE=flag,
                           SCORE_CACHE_SIZE="0") for flag in ("1", "0")}
    yield made
    for app in made.values():
        app.extensions["model_service"].predictions.close()


def answers(app, fast_bundle, ids) -> list:
    client = app.test_client()
    out = []
    for cid in ids:
        response = client.get(f"/clients/{cid}/explanation?top=8", headers=HEADERS)
        assert response.status_code == 200
        out.append(response.get_json())
    for cid in ids[:4]:
        body = {"application": raw_application(fast_bundle, cid), "explain": True, "top": 6}
        response = client.post("/predict", json=body, headers=HEADERS)
        assert response.status_code == 200, response.get_json()
        answer = response.get_json()
        assert answer["explanation"] is not None
        out.append(answer)
    return out


def test_service_answers_are_the_same_with_and_without_the_table(apps, onehot_bundle):
    assert apps["1"].extensions["model_service"].explainer.uses_table
    assert not apps["0"].extensions["model_service"].explainer.uses_table
    ids = client_ids(apps["0"].test_client(), 12)
    assert answers(apps["1"], onehot_bundle, ids) == answers(apps["0"], onehot_bundle, ids)


def test_a_wrong_table_falls_back_to_catboost(apps, onehot_bundle, tmp_path, monkeypatch, caplog):
    build = LeafShapTable.build

    def wrong(*args, **kwargs):
        table = build(*args, **kwargs)
        table.values[:, :, 0] *= 1 + 2.0**-30
        return table

    monkeypatch.setattr(LeafShapTable, "build", wrong)
    # built in this process (the separate one would not see the patch)
    monkeypatch.setattr(explain, "build_elsewhere", lambda model, *args: leaf_shap.build_checked(model, *args))
    with caplog.at_level(logging.WARNING, logger="model_service"):
        app = make_app(onehot_bundle, tmp_path, SCORE_CACHE_SIZE="0")
    try:
        assert not app.extensions["model_service"].explainer.uses_table
        assert any("differs from CatBoost's ShapValues" in r.getMessage() for r in caplog.records)
        ids = client_ids(apps["0"].test_client(), 6)
        assert answers(app, onehot_bundle, ids) == answers(apps["0"], onehot_bundle, ids)
    finally:
        app.extensions["model_service"].predictions.close()


def test_a_ctr_model_is_explained_by_catboost(fast_bundle, tmp_path, caplog):
    """The fast profile's model has CTR splits: a warning says so and the native path answers."""
    model = load_bundle(fast_bundle).model
    with pytest.raises(UnsupportedModel) as refused:
        leaf_shap.LeafShapTable.build(model, list(model.feature_names_), [], {})
    if "CTR" not in str(refused.value):
        pytest.skip(f"the fast bundle's model is refused for another reason: {refused.value}")
    with caplog.at_level(logging.WARNING, logger="model_service"):
        app = make_app(fast_bundle, tmp_path, SCORE_CACHE_SIZE="0")
    try:
        assert not app.extensions["model_service"].explainer.uses_table
        assert any("CTR" in r.getMessage() and "ShapValues for every row" in r.getMessage() for r in caplog.records)
        cid = client_ids(app.test_client(), 1)[0]
        assert app.test_client().get(f"/clients/{cid}/explanation", headers=HEADERS).status_code == 200
    finally:
        app.extensions["model_service"].predictions.close()
