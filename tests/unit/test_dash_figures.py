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
)
from dash_app.i18n import band_legend
from scoring import decision as decision_rule
from scoring.contract import BandItem, Roc
from tests.answers import answer, changed


@pytest.mark.parametrize("colour", [theme.GREEN, theme.ORANGE, theme.RED, theme.BLUE, theme.MUTED, theme.INK])
def test_text_colours_reach_wcag_aa_on_white_and_light_grey(colour):
    assert theme.contrast(colour, "#ffffff") >= 4.5
    assert theme.contrast(colour, "#f4f6f8") >= 4.5


def test_band_text_readable_on_its_own_fill():
    for text, fill in ((theme.GREEN, theme.GREEN_FILL), (theme.ORANGE, theme.ORANGE_FILL), (theme.RED, theme.RED_FILL)):
        assert theme.contrast(text, fill) >= 4.5


BANDS = [BandItem.model_validate(b) for b in decision_rule.bands()]  # what GET /model serves


def test_the_service_serves_the_core_bands():
    assert answer("model").bands == BANDS


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
    moved = [changed(b, low=low, high=high) for b, (low, high) in zip(BANDS, [(0, 40), (40, 60), (60, 100)],
                                                                      strict=True)]
    steps = [tuple(s.range) for s in gauge_figure(50, "review", moved).data[0].gauge.steps]
    assert steps == [(0, 40), (40, 60), (60, 100)]
    assert band_legend(moved) == "0–40 : accordé · 40–60 : à la discrétion du conseiller · 60–100 : refusé."


def test_gauge_uses_the_service_decision_and_clips():
    fig = gauge_figure(130, "decline", BANDS)
    assert fig.data[0].value == 100 and fig.data[0].gauge.bar.color == theme.RED


def _population(name: str, **fields):
    return changed(answer("population").features[name], **fields)


def test_population_numeric_marks_client():
    feature = _population("AMT_CREDIT", edges=[20, 30, 40, 50], repaid=[10, 30, 60], default=[5, 3, 2])
    fig = population_figure(feature, client_value=35, neighbours=[{"value": 33}, {"value": 41}], name="AMT_CREDIT")
    assert [t.name for t in fig.data][:2] == ["A remboursé", "A fait défaut"]
    assert sum(fig.data[0].y) == pytest.approx(100) and sum(fig.data[1].y) == pytest.approx(100)
    assert any(s.x0 == 35 for s in fig.layout.shapes)
    assert fig.data[1].marker.pattern.shape == "/"  # default group hatched: not colour alone
    assert list(fig.data[2].x) == [33, 41]


def test_population_categorical_translates_levels():
    feature = _population("NAME_CONTRACT_TYPE")
    assert feature.levels == ["Cash loans", "Revolving loans"]
    fig = population_figure(feature, client_value="Cash loans", label="Contrat")
    assert list(fig.data[0].x) == ["Prêt personnel", "Crédit renouvelable"]
    assert fig.layout.annotations[0].x == "Prêt personnel"


def test_model_figures_have_data():
    model = answer("model")
    importance = [changed(model.importance[0], feature="a", label="A", importance=2),
                  changed(model.importance[1], feature="b", label="B", importance=5)]
    assert importance_figure(importance).data[0].y == ("B", "A")
    assert len(roc_figure(model.roc, auc=model.metrics.auc).data) == 2
    assert len(calibration_figure(model.calibration).data) == 2


ROC = Roc(fpr=[0, 0.2, 1], tpr=[0, 0.7, 1], thresholds=[math.inf, 0.3, 0.0])


def test_cost_curve_recomputed_from_the_roc_curve():
    curve = cost_curve_for(ROC, 0.1, 10, 1)
    assert curve["thresholds"] == [0.0, 0.3]  # the infinite threshold of the ROC curve is no probability
    assert curve["cost"] == pytest.approx([0.9, 10 * 0.1 * 0.3 + 0.9 * 0.2])
    assert curve["best_threshold"] == 0.3
    assert cost_curve_figure(curve, 0.15).data[0].y == pytest.approx(tuple(curve["cost"]))


def test_cost_curve_ties_go_to_the_highest_threshold():
    flat = Roc(fpr=[1.0, 0.5, 0.5], tpr=[1.0, 1.0, 1.0], thresholds=[0.1, 0.2, 0.3])
    assert cost_curve_for(flat, 0.1, 10, 1)["best_threshold"] == 0.3


def test_cost_curve_of_the_real_model_has_its_minimum_near_the_threshold_in_use():
    model = answer("model")
    curve = cost_curve_for(model.roc, model.metrics.default_rate, model.costs.fn, model.costs.fp)
    assert curve["best_cost"] == pytest.approx(model.metrics.business_cost, abs=0.02)


def test_fairness_rows_of_the_real_answer():
    fairness = answer("fairness")
    rows = fairness_rows(fairness)
    assert {r["attribute"] for r in rows} == set(fairness.attributes)
    assert all(0 <= r["approval_rate"] <= 1 for r in rows)
    fig = fairness_figure(rows, "approval_rate", "Taux d'acceptation")
    assert len(fig.data[0].y) == len(rows) and "Femme" in " ".join(fig.data[0].y)
