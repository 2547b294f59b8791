"""Everything the routes use, built once per app from the settings and the bundle."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask import current_app

from scoring.bundle import Bundle, load_bundle
from scoring.model_card import is_synthetic, render_bundle
from scoring.protected import of_bundle

from .clients import ClientIndex
from .config import Settings
from .counterfactual import CounterfactualSearch
from .decisions import DecisionStore
from .explain import Explainer, reference_terciles
from .inputs import StoreInputs
from .modelinfo import model_payload
from .monitoring import Monitoring
from .neighbours import Neighbours
from .oversight import OversightSwitch
from .population import Population
from .prediction_log import PredictionLog
from .scorer import Scorer
from .simulation import Simulator
from .validation import InputModels

log = logging.getLogger("model_service")
EXTENSION = "model_service"


@dataclass
class Services:
    settings: Settings
    bundle: Bundle
    inputs: StoreInputs
    scorer: Scorer
    explainer: Explainer
    clients: ClientIndex
    neighbours: Neighbours | None
    population: Population
    counterfactuals: CounterfactualSearch
    simulator: Simulator
    decisions: DecisionStore
    predictions: PredictionLog
    monitoring: Monitoring
    models: InputModels
    synthetic: bool
    model_info: dict[str, Any]
    oversight: OversightSwitch
    _cards: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.bundle.version

    @property
    def threshold(self) -> float:
        return self.bundle.threshold

    def stamp(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Add model_version, threshold and the human oversight mode to an answer."""
        payload["model_version"] = self.bundle.version
        payload["threshold"] = self.bundle.threshold
        payload["all_to_advisor"] = self.oversight.on
        return payload

    def card(self, lang: str) -> str:
        drift = self.monitoring.drift()
        key = f"{lang}:{hash(repr(drift))}"
        if key not in self._cards:
            self._cards.clear()
            self._cards[key] = render_bundle(self.bundle, drift, lang=lang)
        return self._cards[key]


def build(settings: Settings) -> Services:
    """Open the bundle (BundleError names the faulty file) and prepare every component."""
    bundle = load_bundle(settings.bundle_path)
    inputs = StoreInputs(bundle)
    scorer = Scorer(bundle, inputs, cache_size=settings.score_cache_size)
    clients = ClientIndex(bundle, inputs)
    explainer = Explainer(bundle, inputs, reference_terciles(inputs),
                          cache_size=min(settings.score_cache_size, 4096))
    decisions = DecisionStore(settings.database_url, create_parent=settings.default_database)
    decisions.check()
    synthetic = is_synthetic(bundle.metadata)
    services = Services(
        settings=settings, bundle=bundle, inputs=inputs, scorer=scorer, explainer=explainer, clients=clients,
        neighbours=Neighbours.from_bundle(bundle, inputs, clients), population=Population(bundle, inputs),
        counterfactuals=CounterfactualSearch(inputs, scorer), decisions=decisions,
        simulator=Simulator(inputs, scorer, of_bundle(bundle.metadata)),
        predictions=PredictionLog(settings.prediction_log, bundle.version, settings.prediction_queue_size),
        monitoring=Monitoring(settings.drift_summary, settings.prediction_log),
        models=InputModels(bundle.store.categories), synthetic=synthetic,
        model_info=model_payload(bundle, synthetic),
        oversight=OversightSwitch(settings.oversight_all_to_advisor, decisions.engine),
    )
    warm_up(services)
    log.info("model bundle %s loaded from %s: %d clients, %d features", bundle.version, bundle.path,
             len(bundle.store), len(bundle.feature_names))
    return services


def warm_up(s: Services) -> None:
    """Run the prediction paths once before gunicorn forks, so no worker pays the first-call costs.

    Only single-threaded plain predictions: a multi-threaded CatBoost call, or a SHAP computation,
    in the master makes forked workers crash at exit (SIGABRT / SIGSEGV once they have used DuckDB);
    tests/integration/test_service_startup.py checks workers exit cleanly.
    """
    if not len(s.clients):
        return
    s.scorer.score_row(s.inputs.row(0))
    frame = s.inputs.frame(np.arange(min(len(s.clients), 16)))
    s.bundle.model.predict(frame, prediction_type="Probability", thread_count=1)


def services() -> Services:
    return current_app.extensions[EXTENSION]
