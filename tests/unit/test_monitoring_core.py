"""scoring.monitoring: backtest, overrides, production distribution, champion/challenger on known numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scoring.monitoring.backtest import backtest, band_of, join_outcomes
from scoring.monitoring.challenger import compare_models
from scoring.monitoring.overrides import override_report
from scoring.monitoring.production import category_psi, feature_drift, period_of, production_report
from scoring.monitoring.stats import auc, expected_interval, realised_cost, wilson


def test_wilson_known_values():
    low, high = wilson(10, 100)
    assert low == pytest.approx(0.05523, abs=1e-4) and high == pytest.approx(0.17437, abs=1e-4)
    assert wilson(0, 0) == (None, None)


def test_expected_interval_is_the_binomial_spread_of_the_model():
    mean, low, high = expected_interval([0.1] * 100)
    half = 1.959963984540054 * math.sqrt(100 * 0.09) / 100
    assert mean == pytest.approx(0.1) and low == pytest.approx(0.1 - half) and high == pytest.approx(0.1 + half)


def test_auc_and_cost_known_values():
    assert auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert auc([0, 1, 1], [0.5, 0.5, 0.9]) == pytest.approx(0.75)  # a tie counts half
    assert auc([1, 1], [0.2, 0.3]) is None
    # refuse at score >= 50: one good refused (FP 1), one bad accepted (FN 10), over 4 clients
    assert realised_cost([0, 1, 0, 1], [60, 20, 10, 70]) == pytest.approx(11 / 4)


def _loans(n, p, defaults, score, month):
    return pd.DataFrame({"scored_at": [f"{month}-15T10:00:00Z"] * n, "probability": [p] * n,
                         "score": [score] * n, "defaulted": [1] * defaults + [0] * (n - defaults)})


def test_backtest_flags_a_band_whose_observed_rate_is_outside_the_model_interval():
    # band 10-20: 200 loans at p = 0.05, 10 defaults (5 %): inside; band 60-70: 100 loans at p = 0.3,
    # 50 defaults (50 %), far above 0.3 +- 1.96 * sqrt(0.21 / 100) = [0.210, 0.390]
    frame = pd.concat([_loans(200, 0.05, 10, 15.0, "2026-01"), _loans(100, 0.3, 50, 65.0, "2026-02")])
    result = backtest(frame)
    bands = {r["key"]: r for r in result["by_band"]}
    assert set(bands) == {"10-20", "60-70"}
    assert bands["10-20"]["observed"] == pytest.approx(0.05) and bands["10-20"]["flag"] is None
    high = bands["60-70"]
    assert high["expected"] == pytest.approx(0.3) and high["observed"] == pytest.approx(0.5)
    assert high["expected_high"] == pytest.approx(0.3 + 1.959963984540054 * math.sqrt(0.21 / 100))
    assert high["flag"] == "above"
    months = {r["key"]: r for r in result["by_vintage"]}
    assert months["2026-02"]["flag"] == "above" and months["2026-01"]["flag"] is None
    assert result["flagged"] == 2 and result["n"] == 300
    overall = result["overall"]
    assert overall["defaults"] == 60 and overall["expected"] == pytest.approx((200 * 0.05 + 100 * 0.3) / 300)
    # score >= 50 refused: 50 goods refused (FP), 10 bads accepted (FN): (50 + 100) / 300
    assert overall["cost"] == pytest.approx(150 / 300)


def test_backtest_flags_below_when_defaults_are_fewer_than_expected():
    assert backtest(_loans(400, 0.2, 40, 40.0, "2026-03"))["by_band"][0]["flag"] == "below"


def test_band_edges():
    assert list(band_of([0, 9.99, 10, 99.5, 100])) == ["0-10", "0-10", "10-20", "90-100", "90-100"]


def test_join_outcomes_keeps_the_latest_scoring_before_the_observation():
    preds = pd.DataFrame({"client_id": [1, 1, 1, 2], "probability": [0.1, 0.2, 0.9, 0.5], "score": [10, 20, 90, 50],
                          "scored_at": ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-09-01T00:00:00Z",
                                        "2026-03-01T00:00:00Z"]})
    outs = pd.DataFrame({"client_id": [1, 3], "defaulted": [1, 0], "observed_at": ["2026-06-01", "2026-06-01"]})
    joined = join_outcomes(preds, outs)
    assert len(joined) == 1 and joined.loc[0, "probability"] == pytest.approx(0.2)


def _decisions(rows):
    return pd.DataFrame(rows, columns=["client_id", "decision", "model_decision", "advisor", "reason", "created_at"])


def test_override_report_by_band_advisor_reason_and_outcomes():
    d = _decisions([
        (1, "approve", "decline", "alice", "Garant solide", "2026-01-01T10:00:00Z"),   # override
        (2, "approve", "decline", "alice", "garant  SOLIDE", "2026-01-02T10:00:00Z"),  # override, same reason
        (3, "approve", "approve", "alice", "ok", "2026-01-02T10:00:00Z"),
        (4, "decline", "approve", "bob", "Revenus instables", "2026-01-03T10:00:00Z"),  # override
        (5, "approve", "approve", "bob", "ok", "2026-01-03T10:00:00Z"),
        (6, "approve", "review", "bob", "zone orange", "2026-01-03T10:00:00Z"),        # discretion, not an override
        (7, "approve", "approve", "bob", "ok", "2026-01-03T10:00:00Z"),
        (7, "decline", "approve", "bob", "révision : dossier incomplet", "2026-01-04T10:00:00Z"),  # latest wins
    ])
    outcomes = pd.DataFrame({"client_id": [1, 2, 3, 5, 6], "defaulted": [1, 0, 0, 0, 1]})
    r = override_report(d, outcomes)
    assert r["decisions"] == 7 and r["overrides"] == 4
    assert r["override_rate"] == pytest.approx(4 / 6)  # client 6 is in the orange band
    bands = {b["key"]: b for b in r["by_band"]}
    assert bands["decline"]["overrides"] == 2 and bands["decline"]["rate"] == 1.0
    assert bands["approve"]["overrides"] == 2 and bands["approve"]["rate"] == pytest.approx(2 / 4)
    assert bands["review"]["overrides"] == 0 and bands["review"]["rate"] is None
    advisors = {a["key"]: a for a in r["by_advisor"]}
    assert advisors["alice"]["rate"] == pytest.approx(2 / 3) and advisors["bob"]["rate"] == pytest.approx(2 / 3)
    assert r["by_reason"][0] == {"key": "garant solide", "overrides": 2, "share": 0.5}
    o = r["outcomes"]
    assert o["against_model"]["n"] == 2 and o["against_model"]["rate"] == pytest.approx(0.5)
    assert o["followed_model"]["n"] == 2 and o["followed_model"]["rate"] == 0.0
    assert o["review_band"]["n"] == 1 and o["review_band"]["rate"] == 1.0


def test_production_report_periods_volumes_shares_and_psi():
    rng = np.random.default_rng(0)
    ref = rng.uniform(0, 100, 5000)
    day1 = rng.uniform(0, 100, 400)       # same distribution: stable
    day2 = rng.uniform(60, 100, 400)      # shifted up: act
    log = pd.DataFrame({
        "time": ["2026-03-02T09:00:00Z"] * 400 + ["2026-03-03T09:00:00.123Z"] * 400 + ["2026-03-03T10:00:00Z"] * 5,
        "score": np.concatenate([day1, day2, [50.0] * 5]),
    })
    from scoring.decision import decide

    log["decision"] = decide(log["score"])
    r = production_report(log, ref, "day")
    assert r["total"] == 805 and [p["period"] for p in r["periods"]] == ["2026-03-02", "2026-03-03"]
    p1, p2 = r["periods"]
    assert p1["count"] == 400 and p2["count"] == 405
    assert p1["psi_status"] == "stable" and p2["psi_status"] == "act"
    assert p2["review"] == pytest.approx(5 / 405) and p2["approve"] == 0.0
    assert sum(p1["histogram"]) == 400 and len(r["edges"]) == 11
    assert r["decision_shares"]["decline"] == pytest.approx(float((log["decision"] == "decline").mean()))
    weekly = production_report(log, ref, "week")
    assert [p["period"] for p in weekly["periods"]] == ["2026-03-02"]  # a Monday: both days in one week


def test_period_of_week_starts_monday():
    assert list(period_of(["2026-03-08T23:00:00Z", "2026-03-09T00:00:00Z"], "week")) == ["2026-03-02", "2026-03-09"]


def test_feature_drift_ranks_the_moved_feature_first():
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"A": rng.normal(0, 1, 2000), "B": rng.normal(0, 1, 2000),
                        "C": rng.choice(["x", "y"], 2000)})
    cur = pd.DataFrame({"A": rng.normal(0, 1, 500), "B": rng.normal(2, 1, 500), "C": rng.choice(["x", "y"], 500)})
    rows = feature_drift(ref, cur, labels={"B": "Revenu"})
    assert rows[0]["feature"] == "B" and rows[0]["status"] == "act" and rows[0]["label"] == "Revenu"
    assert rows[1]["label"] == rows[1]["feature"]  # no plain name known: the column name
    assert {r["feature"] for r in rows[1:]} == {"A", "C"} and all(r["status"] == "stable" for r in rows[1:])
    assert category_psi(["x"] * 50 + ["y"] * 50, ["x"] * 50 + ["y"] * 50) == pytest.approx(0.0)


def test_compare_models_agreement_flips_and_outcomes():
    pairs = pd.DataFrame({"client_id": [1, 2, 3, 4], "champion_score": [20.0, 50.0, 70.0, 30.0],
                          "challenger_score": [25.0, 60.0, 40.0, 30.0],
                          "champion_probability": [0.1, 0.3, 0.6, 0.2], "challenger_probability": [0.1, 0.4, 0.2, 0.2]})
    r = compare_models(pairs, pd.DataFrame({"client_id": [1, 2, 3, 4], "defaulted": [0, 1, 1, 0]}))
    assert r["n"] == 4 and r["agreement"] == pytest.approx(2 / 4)
    flips = {f["band"]: f for f in r["flips"]}
    assert flips["review"] == {"band": "review", "n": 1, "flipped": 1, "to": {"decline": 1}}
    assert flips["decline"]["to"] == {"approve": 1} and flips["approve"]["flipped"] == 0
    assert r["outcomes"]["champion"]["auc"] == pytest.approx(1.0)
    assert r["outcomes"]["challenger"]["auc"] == pytest.approx(3.5 / 4)  # pairs: 1 + 1 + 1 + one tie
    # champion refuses 2 (score >= 50) and both default: cost 0; challenger accepts client 3 (bad): 10 / 4
    assert r["outcomes"]["champion"]["cost"] == 0.0 and r["outcomes"]["challenger"]["cost"] == pytest.approx(2.5)
