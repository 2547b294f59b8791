"""Monitoring page sections and figures from typed summaries built by the real computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dash_app.figures.monitoring import backtest_figure, distribution_figure, volumes_figure
from dash_app.views.monitoring import (
    REPORT_URL,
    backtest_section,
    drift_section,
    overrides_section,
    production_section,
)
from scoring.decision import decide
from scoring.monitoring.backtest import backtest
from scoring.monitoring.contract import Backtest, DriftSummary, Overrides, Production
from scoring.monitoring.overrides import override_report
from scoring.monitoring.production import production_report


def _text(component) -> str:
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        return " ".join(_text(c) for c in children)
    return _text(children)


def _find(component, component_id):
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for c in children if isinstance(children, list | tuple) else [children]:
        if c is not None and not isinstance(c, str | int | float):
            found = _find(c, component_id)
            if found is not None:
                return found
    return None


@pytest.fixture
def production() -> Production:
    scores = np.array([10.0] * 6 + [50.0] * 2 + [80.0] * 2)
    log = pd.DataFrame({"time": ["2026-03-02T09:00:00Z"] * 10, "score": scores, "decision": decide(scores)})
    return Production.model_validate(production_report(log, np.linspace(0, 100, 1001), "day"))


def test_volumes_are_counts_per_model_opinion(production):
    fig = volumes_figure(production)
    assert [tr.y[0] for tr in fig.data[:3]] == [6, 2, 2]
    assert fig.data[3].yaxis == "y2" and fig.data[3].y[0] == pytest.approx(32.0)  # (6 x 10 + 2 x 50 + 2 x 80) / 10


def test_distribution_compares_production_with_training(production):
    fig = distribution_figure(production)
    training, prod = fig.data
    assert sum(prod.y) == pytest.approx(1.0) and prod.y[1] == pytest.approx(0.6)
    assert training.y[0] == pytest.approx(100 / 1001)


def test_production_section_reads_the_typed_summary(production):
    text = _text(production_section(production))
    assert "10 demande(s)" in text and "60,0" in text  # 6 of 10 favourable opinions
    assert "Trop peu de demandes" in text  # 10 < the 30 requests a PSI needs


def test_production_section_names_the_window_the_service_serves(production):
    served = production.model_copy(update={"window_days": 90})
    assert "ces 90 derniers jours" in _text(_find(production_section(served), "monitoring-production-window"))
    empty = served.model_copy(update={"total": 0, "periods": []})
    assert "ces 90 derniers jours" in _text(production_section(empty))


def test_backtest_section_flags_the_band_outside_the_interval():
    frame = pd.DataFrame({"scored_at": ["2026-01-15T00:00:00Z"] * 100, "probability": [0.3] * 100,
                          "score": [65.0] * 100, "defaulted": [1] * 50 + [0] * 50})
    b = Backtest.model_validate(backtest(frame))
    section = backtest_section(b)
    assert "plus de défauts que prévu" in _text(_find(section, "monitoring-backtest-bands"))
    assert "50,0" in _text(_find(section, "monitoring-backtest-headline"))
    assert backtest_figure(b).data[1].y[0] == pytest.approx(0.5)
    assert "Aucun résultat de prêt" in _text(backtest_section(None))


def test_overrides_section_by_band_and_advisor():
    d = pd.DataFrame({"client_id": [1, 2, 3], "decision": ["approve", "approve", "decline"],
                      "model_decision": ["decline", "approve", "review"], "advisor": ["alice", "bob", "bob"],
                      "reason": ["garant", "ok", "revenus"], "created_at": ["2026-01-01T00:00:00Z"] * 3})
    o = Overrides.model_validate(override_report(d, pd.DataFrame({"client_id": [1, 2], "defaulted": [1, 0]})))
    section = overrides_section(o)
    assert "3 décision(s) enregistrée(s), dont 1 contraire(s)" in _text(section)
    assert "50,0" in _text(_find(section, "monitoring-overrides-headline"))  # 1 of the 2 outside the orange band
    assert "alice" in _text(_find(section, "monitoring-overrides-advisors"))
    assert "Accordés malgré un avis défavorable" in _text(_find(section, "monitoring-overrides-outcomes"))


def test_drift_link_points_at_the_dashboard_relay_only_when_a_report_exists():
    d = DriftSummary.model_validate({
        "schema_version": 1, "generated_at": "2026-01-31T12:00:00Z", "n_columns": 1, "n_drifted": 0,
        "dataset_drift": False, "columns": [{"rank": 1, "column": "A", "label": "Âge", "score": 0.01, "drifted": False}],
        "score_psi": {"value": None, "status": None, "reason": "no model bundle"},
        "verdict": {"status": "stable", "reasons": []}})
    assert _find(drift_section(d, True), "monitoring-report-link").href == REPORT_URL
    assert _find(drift_section(d, False), "monitoring-report-link") is None
    assert _find(drift_section(None, False), "monitoring-no-report") is not None
