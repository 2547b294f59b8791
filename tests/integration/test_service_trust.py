"""Issue 17, service side: one score everywhere (simulation on the whole file), contributions in
score points with at most 4 reasons, no protected attribute named, the human oversight switch."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pandas as pd
import pytest

from model_service import reasons
from scoring.decision import REVIEW_HIGH, REVIEW_LOW
from scoring.features import build_features
from scoring.levers import BOUNDS, LEVER_FIELDS
from scoring.protected import PERSONAL_ATTRIBUTES, never_changed
from tests.integration.service_support import HEADERS, client_ids, make_app

ADMIN = "admin-secret"


def one_per_band(client):
    """A green, an orange (45-55) and a red client."""
    out = {}
    for decision in ("approve", "review", "decline"):
        ids = client_ids(client, 1, decision=decision, sort="-score")
        assert ids, f"no {decision} client in the bundle"
        out[decision] = ids[0]
    return out


def simulate(client, cid, changes):
    response = client.post(f"/clients/{cid}/simulate", headers=HEADERS, json={"changes": changes})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# --- one score everywhere ----------------------------------------------------------------------
def test_unchanged_simulation_is_exactly_the_stored_score_in_every_band(client, service_app):
    s = service_app.extensions["model_service"]
    for decision, cid in one_per_band(client).items():
        score = client.get(f"/clients/{cid}/score", headers=HEADERS).get_json()
        assert score["decision"] == decision
        if decision == "review":
            assert REVIEW_LOW <= score["score"] <= REVIEW_HIGH
        row = s.inputs.row(s.clients.index_of(cid))
        application = s.inputs.raw_application(row)
        for changes in ({}, {"AMT_CREDIT": application["AMT_CREDIT"]}):  # nothing, or a field set to its value
            body = simulate(client, cid, changes)
            assert body["simulated"] is True and body["changes"] == [] and body["derived"] == []
            for key in ("probability", "score", "decision", "band"):
                assert body["simulation"][key] == score[key] == body["current"][key], (decision, key)
            assert body["score_change"] == 0
        # the rebuilt row itself equals the stored one (the rebuild path, not only the shortcut)
        rebuilt = s.simulator.rebuilder.row(row, application)
        assert all(a == b or (a != a and b != b) for a, b in zip(row, rebuilt, strict=True))


def test_a_changed_amount_changes_every_derived_feature_as_the_full_build(
        client, service_app, real_data_dir, tmp_path):
    """The simulation equals building the whole file (bureau included) with the new amount."""
    s = service_app.extensions["model_service"]
    cid = one_per_band(client)["review"]
    apps = pd.read_csv(real_data_dir / "application_train.csv.gz")
    old = float(apps.loc[apps.SK_ID_CURR == cid, "AMT_CREDIT"].iloc[0])
    new = round(old * 0.7)
    apps.loc[apps.SK_ID_CURR == cid, "AMT_CREDIT"] = new
    data = tmp_path / "data"
    data.mkdir()
    for path in real_data_dir.iterdir():
        if path.name.startswith("application_train"):
            with gzip.open(data / "application_train.csv.gz", "wt") as handle:
                apps[apps.SK_ID_CURR == cid].to_csv(handle, index=False)
        elif path.name.endswith(".csv.gz"):
            (data / path.name).symlink_to(path)
    if not (data / "application_test.csv.gz").exists():
        shutil.copy(real_data_dir / "application_test.csv.gz", data)
    full = build_features(data).frame.loc[cid]

    body = simulate(client, cid, {"AMT_CREDIT": new})
    row = s.inputs.row(s.clients.index_of(cid))
    simulated = s.simulator.rebuilder.row(row, {**s.inputs.raw_application(row), "AMT_CREDIT": new})
    for j, name in enumerate(s.inputs.features):
        expected = full[name]
        if name in s.inputs.categorical:
            assert simulated[j] == ("NA" if pd.isna(expected) else str(expected)), name
        else:
            assert np.float32(simulated[j]) == pytest.approx(np.float32(expected), nan_ok=True, rel=0, abs=0), name
    derived = {d["field"] for d in body["derived"]}
    assert {"APP_CREDIT_INCOME_RATIO", "APP_ANNUITY_CREDIT_RATIO", "APP_CREDIT_TERM"} <= derived
    assert {c["field"] for c in body["changes"]} == {"AMT_CREDIT"}
    assert body["simulation"]["score"] != body["current"]["score"]
    assert body["simulation"]["probability"] == s.scorer.score_row(simulated).probability


def test_simulation_refuses_protected_and_personal_attributes(client):
    cid = client_ids(client, 1)[0]
    response = client.post(f"/clients/{cid}/simulate", headers=HEADERS,
                           json={"changes": {"CODE_GENDER": "M", "DAYS_BIRTH": -12000, "NAME_FAMILY_STATUS": "Married",
                                             "AMT_CREDIT": 100000.0}})
    assert response.status_code == 422
    fields = {p["field"] for p in response.get_json()["detail"]}
    assert {"changes.CODE_GENDER", "changes.DAYS_BIRTH", "changes.NAME_FAMILY_STATUS"} <= fields
    assert client.post("/clients/1/simulate", headers=HEADERS, json={"changes": {}}).status_code == 404
    bad = client.post(f"/clients/{cid}/simulate", headers=HEADERS, json={"changes": {"AMT_CREDIT": "lots"}})
    assert bad.status_code == 422


def test_counterfactual_change_simulated_gives_its_score(client):
    """The counterfactual and the simulation are one computation: simulating the proposed change gives the
    proposed score, and the bounds the screen states are the core's."""
    found = 0
    for cid in client_ids(client, 30, decision="review"):
        body = client.get(f"/clients/{cid}/counterfactual", headers=HEADERS).get_json()
        assert body["bounds"] == BOUNDS.as_dict() and body["levers"] == list(LEVER_FIELDS)
        assert body["bounds_text"] and body["bounds_text_en"]
        if not body["found"]:
            continue
        changes = {c["field"]: c["new"] for c in body["changes"] if c["field"] in LEVER_FIELDS}
        assert not set(changes) & never_changed()
        assert all(not c["field"].startswith("FLAG_DOCUMENT") for c in body["changes"])
        simulated = simulate(client, cid, changes)
        assert simulated["simulation"]["probability"] == pytest.approx(body["new_score"]["probability"], abs=1e-12)
        assert simulated["simulation"]["decision"] == "approve"
        found += 1
        if found >= 3:
            break
    assert found, "no review client could be approved within the bounds"


# --- contributions in points -------------------------------------------------------------------
def test_points_add_up_to_the_score_with_at_most_four_used_reasons(client, service_app):
    s = service_app.extensions["model_service"]
    for cid in one_per_band(client).values():
        score = client.get(f"/clients/{cid}/score", headers=HEADERS).get_json()["score"]
        points = client.get(f"/clients/{cid}/explanation", headers=HEADERS).get_json()["points"]
        assert points["score"] == score
        assert 0 < len(points["reasons"]) <= reasons.MAX_REASONS == 4
        total = points["base"] + sum(r["points"] for r in points["reasons"]) + points["other_points"]
        assert total == pytest.approx(score, abs=1e-9)
        shap = s.explainer.shap_values(s.inputs.row(s.clients.index_of(cid)))
        for r in points["reasons"]:
            j = s.inputs.features.index(r["feature"])
            assert shap[j] != 0 and np.sign(shap[j]) == np.sign(r["points"])  # used, and in its direction
            assert r["sentence"] and "_" not in r["label"]  # plain French, not a column name
        sizes = [abs(r["points"]) for r in points["reasons"]]
        assert sizes == sorted(sizes, reverse=True)


def test_no_reason_names_a_protected_attribute_even_if_the_bundle_uses_it(
        client, service_app, monkeypatch):
    s = service_app.extensions["model_service"]
    cid = one_per_band(client)["decline"]
    named = client.get(f"/clients/{cid}/explanation?top=10", headers=HEADERS).get_json()
    top = named["points"]["reasons"][0]["feature"]
    # the guarantee holds for whatever the protected list holds: make the strongest factor protected
    monkeypatch.setattr(s.explainer, "protected", s.explainer.protected | {top})
    s.explainer._shap_index.cache_clear()
    body = client.get(f"/clients/{cid}/explanation?top=10", headers=HEADERS).get_json()
    assert top not in {r["feature"] for r in body["points"]["reasons"]}
    assert top not in {c["feature"] for c in body["contributions"]}
    total = body["points"]["base"] + sum(r["points"] for r in body["points"]["reasons"]) + body["points"]["other_points"]
    assert total == pytest.approx(body["points"]["score"], abs=1e-9)  # its effect stays in the rest
    for cid in client_ids(client, 20, sort="-score"):
        answer = client.get(f"/clients/{cid}/explanation?top=50", headers=HEADERS).get_json()
        assert "CODE_GENDER" not in {c["feature"] for c in answer["contributions"]}


def test_personal_attributes_are_never_levers():
    assert not set(LEVER_FIELDS) & set(PERSONAL_ATTRIBUTES)
    assert "CODE_GENDER" in never_changed() and "DAYS_BIRTH" in never_changed()


# --- human oversight switch --------------------------------------------------------------------
def test_oversight_switch_by_admin_call(fast_bundle, tmp_path):
    app = make_app(fast_bundle, tmp_path, ADMIN_API_KEYS=ADMIN)
    c = app.test_client()
    cid = client_ids(c, 1)[0]
    assert c.get(f"/clients/{cid}/score", headers=HEADERS).get_json()["all_to_advisor"] is False
    assert c.get("/health").get_json()["oversight"]["all_to_advisor"] is False
    body = {"all_to_advisor": True, "reason": "audit du modèle"}
    assert c.post("/admin/oversight", headers=HEADERS, json=body).status_code == 403
    assert c.post("/admin/oversight", headers={**HEADERS, "X-Admin-Key": "wrong"}, json=body).status_code == 403
    on = c.post("/admin/oversight", headers={**HEADERS, "X-Admin-Key": ADMIN}, json=body)
    assert on.status_code == 200 and on.get_json()["source"] == "admin"
    assert c.get(f"/clients/{cid}/score", headers=HEADERS).get_json()["all_to_advisor"] is True
    assert simulate(c, cid, {})["all_to_advisor"] is True
    assert c.get(f"/clients/{cid}/counterfactual", headers=HEADERS).get_json()["all_to_advisor"] is True
    batch = c.post("/predict/batch", headers=HEADERS, json={"ids": [cid]}).get_json()
    assert batch["all_to_advisor"] is True
    assert c.get("/health").get_json()["oversight"]["all_to_advisor"] is True
    assert c.get("/model", headers=HEADERS).get_json()["oversight"]["reason"] == "audit du modèle"
    # a second app on the same database (another worker or instance) sees it
    other = make_app(fast_bundle, tmp_path).test_client()
    assert other.get("/health").get_json()["oversight"]["all_to_advisor"] is True
    off = c.post("/admin/oversight", headers={**HEADERS, "X-Admin-Key": ADMIN},
                 json={"all_to_advisor": False, "reason": "fin de l'audit"})
    assert off.status_code == 200
    assert c.get(f"/clients/{cid}/score", headers=HEADERS).get_json()["all_to_advisor"] is False


def test_oversight_switch_by_configuration(fast_bundle, tmp_path):
    app = make_app(fast_bundle, tmp_path, OVERSIGHT_ALL_TO_ADVISOR="1", ADMIN_API_KEYS=ADMIN)
    c = app.test_client()
    cid = client_ids(c, 1, decision="approve")[0]
    score = c.get(f"/clients/{cid}/score", headers=HEADERS).get_json()
    assert score["all_to_advisor"] is True and score["decision"] == "approve"  # the model's word is unchanged
    health = c.get("/health").get_json()["oversight"]
    assert health["all_to_advisor"] is True and health["source"] == "configuration"
    off = c.post("/admin/oversight", headers={**HEADERS, "X-Admin-Key": ADMIN},
                 json={"all_to_advisor": False, "reason": "essai"})
    assert off.status_code == 409
    assert c.get(f"/clients/{cid}/score", headers=HEADERS).get_json()["all_to_advisor"] is True
