"""Pure figure builders and helpers of the dashboard (no HTTP, no browser)."""

from __future__ import annotations

import math

import pytest

from dash_app import theme
from dash_app.figures import (
    calibration_figure,
    cost_curve_figure,
    cost_curve_for,
    fairness_figure,
    fairness_rows,
    gauge_figure,
    importance_figure,
    population_figure,
    roc_figure,
    waterfall_figure,
)
from dash_app.i18n import band_legend
from scoring import decision as decision_rule


@pytest.mark.parametrize("colour", [theme.GREEN, theme.ORANGE, theme.RED, theme.BLUE, theme.MUTED, theme.INK])
def test_text_colours_reach_wcag_aa_on_white_and_light_grey(colour):
    assert theme.contrast(colour, "#ffffff") >= 4.5
    assert theme.contrast(colour, "#f4f6f8") >= 4.5


def test_band_text_readable_on_its_own_fill():
    for text, fill in ((theme.GREEN, theme.GREEN_FILL), (theme.ORANGE, theme.ORANGE_FILL), (theme.RED, theme.RED_FILL)):
        assert theme.contrast(text, fill) >= 4.5


BANDS = decision_rule.bands()  # what GET /model serves


@pytest.mark.parametrize("score, decision, colour", [(12.0, "approve", theme.GREEN), (45.0, "review", theme.ORANGE),
                                                     (55.0, "review", theme.ORANGE), (55.1, "decline", theme.RED),
                                                     (44.99, "approve", theme.GREEN)])
def test_gauge_value_colour_and_bands(score, decision, colour):
    assert decision_rule.decide(score) == decision
    fig = gauge_figure(score, decision, BANDS)
    indicator = fig.data[0]
    assert indicator.value == pytest.approx(round(score, 1))
    assert indicator.gauge.bar.color == colour
    assert indicator.gauge.threshold.value == 50
    assert list(indicator.gauge.axis.range) == [0, 100]
    steps = [(tuple(s.range), s.color) for s in indicator.gauge.steps]
    low, high = decision_rule.REVIEW_LOW, decision_rule.REVIEW_HIGH
    assert steps == [((0, low), theme.GREEN_FILL), ((low, high), theme.ORANGE_FILL), ((high, 100), theme.RED_FILL)]


def test_gauge_and_legend_follow_the_bands_the_service_sends():
    moved = [{"decision": "approve", "band": "green", "low": 0.0, "high": 40.0},
             {"decision": "review", "band": "orange", "low": 40.0, "high": 60.0},
             {"decision": "decline", "band": "red", "low": 60.0, "high": 100.0}]
    steps = [tuple(s.range) for s in gauge_figure(50, "review", moved).data[0].gauge.steps]
    assert steps == [(0, 40), (40, 60), (60, 100)]
    assert band_legend(moved) == "0–40 : accordé · 40–60 : à la discrétion du conseiller · 60–100 : refusé."


def test_gauge_uses_the_service_decision_and_clips():
    fig = gauge_figure(130, "decline", BANDS)
    assert fig.data[0].value == 100 and fig.data[0].gauge.bar.color == theme.RED


EXPLANATION = {
    "base_value": -2.0,
    "other_contribution": 0.05,
    "contributions": [
        {"feature": "EXT_SOURCE_2", "label": "Score externe 2", "value": 0.2, "display_value": "0,20",
         "contribution": 0.8, "direction": "raises", "sentence": "Le score externe 2 est bas."},
        {"feature": "AMT_CREDIT", "label": "Montant du crédit", "value": 250000.0, "contribution": -0.3,
         "direction": "lowers", "sentence": "Le montant est modéré."},
        {"feature": "CODE_GENDER", "label": "Genre", "value": "F", "contribution": 0.01, "direction": "raises",
         "sentence": "..."},
    ],
}


def test_waterfall_sums_to_the_raw_score():
    fig = waterfall_figure(EXPLANATION, top=2)
    wf = fig.data[0]
    assert list(wf.measure) == ["absolute", "relative", "relative", "relative", "total"]
    # base + top 2 + (other + the contributions beyond the top) = raw score
    assert sum(wf.x[:-1]) == pytest.approx(-2.0 + 0.8 - 0.3 + 0.05 + 0.01)
    assert wf.y[1].startswith("Score externe 2 = 0,20")
    assert wf.text[1].startswith("+") and wf.text[2].startswith("−")  # direction in text, not colour only


def test_waterfall_empty():
    assert waterfall_figure({"contributions": []}).layout.annotations


def test_population_numeric_marks_client():
    feature = {"type": "numeric", "label": "Âge", "edges": [20, 30, 40, 50], "repaid": [10, 30, 60], "default": [5, 3, 2]}
    fig = population_figure(feature, client_value=35, neighbours=[{"value": 33}, {"value": 41}])
    assert [t.name for t in fig.data][:2] == ["A remboursé", "A fait défaut"]
    assert sum(fig.data[0].y) == pytest.approx(100) and sum(fig.data[1].y) == pytest.approx(100)
    assert any(s.x0 == 35 for s in fig.layout.shapes)
    assert fig.data[1].marker.pattern.shape == "/"  # default group hatched: not colour alone
    assert list(fig.data[2].x) == [33, 41]


def test_population_categorical_translates_levels():
    feature = {"type": "categorical", "levels": ["Cash loans", "Revolving loans"], "repaid": [90, 10], "default": [9, 1]}
    fig = population_figure(feature, client_value="Cash loans", label="Contrat")
    assert list(fig.data[0].x) == ["Prêt personnel", "Crédit renouvelable"]
    assert fig.layout.annotations[0].x == "Prêt personnel"


def test_model_figures_have_data():
    assert importance_figure([{"feature": "a", "label": "A", "importance": 2}, {"feature": "b", "importance": 5}]) \
        .data[0].y == ("b", "A")
    assert len(roc_figure({"fpr": [0, 0.5, 1], "tpr": [0, 0.8, 1]}, auc=0.75).data) == 2
    assert len(calibration_figure({"predicted": [0.1, 0.2], "observed": [0.12, 0.18], "count": [5, 6]}).data) == 2


def test_cost_curve_recomputed_from_rates_and_ties_go_high():
    model = {"cost_curve": {"thresholds": [0.1, 0.2, 0.3, 0.4], "fn_rate": [0.01, 0.02, 0.03, 0.05],
                            "fp_rate": [0.5, 0.3, 0.2, 0.1]}}
    curve = cost_curve_for(model, fn_cost=10, fp_cost=1)
    assert curve["recomputed"]
    assert curve["cost"] == pytest.approx([0.6, 0.5, 0.5, 0.6])
    assert curve["best_threshold"] == 0.3  # tie between 0.2 and 0.3 -> highest threshold
    assert cost_curve_for(model, fn_cost=1, fp_cost=1)["best_threshold"] == 0.4


def test_cost_curve_from_counts_and_from_roc():
    counts = {"cost_curve": {"thresholds": [0.1, 0.5], "fn": [1, 8], "fp": [50, 2], "n": 100}}
    assert cost_curve_for(counts, 10, 1)["cost"] == pytest.approx([0.6, 0.82])
    roc = {"roc": {"fpr": [0, 0.2, 1], "tpr": [0, 0.7, 1], "thresholds": [math.inf, 0.3, 0.0]},
           "metrics": {"default_rate": 0.1}, "cost_curve": {"thresholds": [0.5], "cost": [9]}}
    curve = cost_curve_for(roc, 10, 1)
    assert curve["recomputed"] and curve["thresholds"] == [0.0, 0.3]
    assert curve["cost"] == pytest.approx([0.9, 10 * 0.1 * 0.3 + 0.9 * 0.2])


def test_cost_curve_falls_back_to_default_curve():
    curve = cost_curve_for({"cost_curve": {"thresholds": [0.1, 0.2], "cost": [0.5, 0.4]}}, 3, 1)
    assert not curve["recomputed"] and curve["best_threshold"] == 0.2
    assert cost_curve_figure(curve, 0.15).data[0].y == (0.5, 0.4)
    assert cost_curve_for({}, 1, 1)["best_threshold"] is None


@pytest.mark.parametrize("payload", [
    {"groups": [{"attribute": "gender", "group": "F", "approval_rate": 0.8},
                {"attribute": "gender", "group": "M", "approval_rate": 0.7}]},
    {"gender": {"F": {"approval_rate": 0.8}, "M": {"approval_rate": 0.7}}, "model_version": "v1"},
    {"attributes": {"gender": [{"group": "F", "approval_rate": 0.8}, {"group": "M", "approval_rate": 0.7}]}},
    [{"feature": "gender", "level": "F", "approval_rate": 0.8}, {"feature": "gender", "level": "M",
                                                                  "approval_rate": 0.7}],
])
def test_fairness_rows_shapes(payload):
    rows = fairness_rows(payload)
    assert [(r["attribute"], r["group"], r["approval_rate"]) for r in rows] == [("gender", "F", 0.8),
                                                                               ("gender", "M", 0.7)]
    fig = fairness_figure(rows)
    assert list(fig.data[0].y) == ["gender : Femme", "gender : Homme"]


