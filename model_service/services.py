"""Everything the routes use, built once per app from the settings and the bundle."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask import current_app

from scoring.bundle import Bundle, load_bundle
from scoring.model_card import render_bundle
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
from .shadow import Shadow, ShadowedLog, challenger_path
from .simulation import Simulator
from .storage.database import Database
from .storage.log_sinks import DatabaseSink, FileSink
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
                          cache_size=min(settings.score_cache_size, 4096), leaf_table=settings.leaf_shap_table)
    database = Database(settings.database_url, create_parent=settings.default_database)
    database.check()
    decisions = DecisionStore(database)
    synthetic = bundle.meta.synthetic
    services = Services(
        settings=settings, bundle=bundle, inputs=inputs, scorer=scorer, explainer=explainer, clients=clients,
        neighbours=Neighbours.from_bundle(bundle, inputs, clients), population=Population(bundle, inputs),
        counterfactuals=CounterfactualSearch(inputs, scorer), decisions=decisions,
        simulator=Simulator(inputs, scorer, of_bundle(bundle.metadata)),
        predictions=prediction_log(settings, database, bundle.version),
        monitoring=Monitoring(settings.drift_summary, settings.prediction_log, bundle, database,
                              settings.prediction_log_target),
        models=InputModels(bundle.store.categories), synthetic=synthetic,
        model_info=model_payload(bundle, synthetic),
        oversight=OversightSwitch(settings.oversight_all_to_advisor, database),
    )
    warm_up(services)
    log.info("model bundle %s loaded from %s: %d clients, %d features", bundle.version, bundle.path,
             len(bundle.store), len(bundle.feature_names))
    return services


def prediction_log(settings: Settings, database: Database, version: str):
    """The champion's prediction log; with a challenger (shadow.py), one that also scores it in shadow."""
    champion = PredictionLog(log_sink(settings, database), version, settings.prediction_queue_size,
                             spill_dir=settings.prediction_spill_dir)
    path = challenger_path(settings.challenger_bundle, settings.bundle_path)
    if path is None or not champion.enabled:
        return champion
    challenger = load_bundle(path)
    spill = settings.prediction_spill_dir / "challenger" if settings.prediction_spill_dir else None
    shadow_log = PredictionLog(log_sink(settings, database), challenger.version, settings.prediction_queue_size,
                               spill_dir=spill, role="challenger")
    log.info("challenger %s scored in shadow (from %s)", challenger.version, challenger.path)
    return ShadowedLog(champion, Shadow(challenger, shadow_log))


def log_sink(settings: Settings, database: Database) -> DatabaseSink | FileSink | None:
    if settings.prediction_log_target == "database":
        return DatabaseSink(database)
    if settings.prediction_log_target == "file" and settings.prediction_log is not None:
        return FileSink(settings.prediction_log)
    return None


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
