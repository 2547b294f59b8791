"""The dashboard's only door to the scoring service (HTTP, see docs/api.md).

Every call goes through :meth:`ServiceClient._request`: one ``requests.Session``
(connection pooling), a connect and a read timeout, the ``X-API-Key`` header.
Every answer comes out parsed into its contract model (``scoring.contract``, pydantic only): the pages
read attributes the contract declares, never guessed dictionary keys. Failures come out as exactly two
exception types the pages turn into words:

- :class:`ServiceUnavailable` - cannot reach the service, timeout, 502/503/504;
- :class:`ServiceError`      - the service answered with an error (``status``,
  ``code`` and ``detail`` from its ``{"error", "detail"}`` body), or with a body
  that is not the JSON the contract promises.

``ServiceUnavailable`` subclasses ``ServiceError``: ``except ServiceError`` catches both.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError
from requests.adapters import HTTPAdapter

from dash_app.config import service_settings
from scoring.contract import (
    CardOut,
    ClientOut,
    ClientsOut,
    CounterfactualOut,
    ExplanationOut,
    FairnessOut,
    HealthOut,
    ModelOut,
    PopulationOut,
    PredictOut,
    ScoreOut,
    SimilarOut,
    SimulateOut,
)
from scoring.contract_decisions import DecisionOut, DecisionsOut
from scoring.monitoring.contract import MonitoringSummary

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


class ServiceError(Exception):
    """The service answered with an error, or with something that is not the contract's JSON."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None, detail: Any = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.detail = detail

    @property
    def not_found(self) -> bool:
        return self.status == 404


class ServiceUnavailable(ServiceError):
    """The service cannot be reached, timed out, or says it is unavailable."""


_UNAVAILABLE_STATUSES = {502, 503, 504}


class ServiceClient:
    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        session: requests.Session | None = None,
        cache_ttl: float = 30.0,
    ):
        configured = service_settings()  # the environment (dash_app.config), for what the caller leaves out
        self.base_url = (base_url or configured.url).rstrip("/")
        key = api_key if api_key is not None else configured.api_key
        self.timeout = (connect_timeout if connect_timeout is not None else configured.connect_timeout,
                        read_timeout if read_timeout is not None else configured.read_timeout)
        self.session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": "credit-scoring-dashboard"})
        if key:
            self.session.headers["X-API-Key"] = key
        self.cache_ttl = cache_ttl
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    # -- transport ---------------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        """One HTTP exchange; a GET whose connection fails (not times out) is sent once more.

        A pooled keep-alive connection can be closed by the server (gunicorn's ``--keep-alive``) at the
        moment it is reused: the request then fails with "connection aborted" although the service is
        up. Reads are idempotent, so one fresh attempt is safe; writes (POST) are never repeated.
        """
        try:
            return self.session.request(method, url, **kwargs)
        except requests.ConnectionError as exc:
            if method != "GET" or isinstance(exc, requests.Timeout):
                raise
            log.info("GET %s: %s; retrying once on a new connection", url, exc)
            return self.session.request(method, url, **kwargs)

    def _request(self, method: str, path: str, *, params=None, json=None, timeout=None) -> Any:
        url = f"{self.base_url}{path}"
        try:
            response = self._send(method, url, params=params, json=json, timeout=timeout or self.timeout)
        except requests.Timeout as exc:
            raise ServiceUnavailable("timeout", code="timeout", detail=str(exc)) from exc
        except requests.RequestException as exc:  # connection refused, DNS, reset...
            raise ServiceUnavailable("unreachable", code="unreachable", detail=str(exc)) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            code = body.get("error") if isinstance(body, dict) else None
            detail = body.get("detail") if isinstance(body, dict) else response.text[:200]
            cls = ServiceUnavailable if response.status_code in _UNAVAILABLE_STATUSES else ServiceError
            raise cls(f"HTTP {response.status_code}: {code or 'error'}", status=response.status_code,
                      code=code, detail=detail)
        if body is None:
            raise ServiceError("the service answered with a body that is not JSON", status=response.status_code,
                               code="bad_response")
        return body

    def _get(self, path: str, params=None, timeout=None) -> Any:
        return self._request("GET", path, params=params, timeout=timeout)

    @staticmethod
    def _parse(model: type[M], body: Any) -> M:
        """The answer as its contract model; an answer that is not the contract is a ``bad_response``."""
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            raise ServiceError(f"the answer does not match the contract ({model.__name__})", code="bad_response",
                               detail=str(exc)) from exc

    def _cached(self, key: str, fetch, ttl: float | None = None):
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit and now - hit[0] < (self.cache_ttl if ttl is None else ttl):
            return hit[1]
        value = fetch()
        with self._lock:
            self._cache[key] = (now, value)
        return value

    # -- endpoints (the OpenAPI document at /docs) --------------------------------------------------
    def health(self) -> HealthOut:
        return self._cached("health", lambda: self._parse(
            HealthOut, self._get("/health", timeout=(self.timeout[0], 3))), ttl=15)

    def model(self) -> ModelOut:
        return self._cached("model", lambda: self._parse(ModelOut, self._get("/model")), ttl=300)

    def fairness(self) -> FairnessOut:
        return self._cached("fairness", lambda: self._parse(FairnessOut, self._get("/model/fairness")), ttl=300)

    def model_card(self, lang: str = "fr") -> CardOut:
        return self._cached(f"card:{lang}", lambda: self._parse(
            CardOut, self._get("/model/card", params={"lang": lang})), ttl=300)

    def clients(self, **filters) -> ClientsOut:
        params = {k: v for k, v in filters.items() if v is not None and v != ""}
        return self._parse(ClientsOut, self._get("/clients", params=params))

    def client(self, client_id: int) -> ClientOut:
        return self._parse(ClientOut, self._get(f"/clients/{int(client_id)}"))

    def score(self, client_id: int) -> ScoreOut:
        return self._parse(ScoreOut, self._get(f"/clients/{int(client_id)}/score"))

    def explanation(self, client_id: int, top: int = 10) -> ExplanationOut:
        return self._parse(ExplanationOut, self._get(f"/clients/{int(client_id)}/explanation",
                                                     params={"top": int(top)}))

    def similar(self, client_id: int, k: int = 10) -> SimilarOut:
        return self._parse(SimilarOut, self._get(f"/clients/{int(client_id)}/similar", params={"k": int(k)}))

    def counterfactual(self, client_id: int) -> CounterfactualOut:
        return self._parse(CounterfactualOut, self._get(f"/clients/{int(client_id)}/counterfactual"))

    def population(self, features: list[str], bins: int = 30) -> PopulationOut:
        return self._parse(PopulationOut, self._get("/population", params={"features": ",".join(features),
                                                                           "bins": int(bins)}))

    def predict(self, application: dict, top: int = 5, history: dict | None = None) -> PredictOut:
        body: dict[str, Any] = {"application": application, "top": int(top)}
        if history:
            body["history"] = history
        return self._parse(PredictOut, self._request("POST", "/predict", json=body))

    def simulate(self, client_id: int, changes: dict) -> SimulateOut:
        """What-if on the client's whole file: only the changed application fields are sent."""
        return self._parse(SimulateOut, self._request("POST", f"/clients/{int(client_id)}/simulate",
                                                      json={"changes": changes}))

    def decide(self, client_id: int, decision: str, reason: str, advisor: str,
               revises: int | None = None) -> DecisionOut:
        """``advisor``: the logged-in advisor. A decision contradicting the latest one answers 409 unless
        ``revises`` names that latest decision (after the advisor confirmed the revision)."""
        body: dict[str, Any] = {"decision": decision, "reason": reason, "advisor": advisor}
        if revises is not None:
            body["revises"] = int(revises)
        return self._parse(DecisionOut, self._request("POST", f"/clients/{int(client_id)}/decision", json=body))

    def decisions(self, client_id: int, page: int = 1, per_page: int = 50) -> DecisionsOut:
        """One page of the client's decisions, newest first, with ``total``."""
        return self._parse(DecisionsOut, self._get(f"/clients/{int(client_id)}/decisions",
                                                   params={"page": int(page), "per_page": int(per_page)}))

    def monitoring_summary(self, period: str = "day") -> MonitoringSummary:
        """Production monitoring (``GET /monitoring/summary``)."""
        return self._parse(MonitoringSummary, self._get("/monitoring/summary", params={"period": period}))

    def monitoring_report(self) -> str | None:
        """HTML of the latest drift report (``GET /monitoring/report``), None when absent."""
        try:
            response = self._send("GET", f"{self.base_url}/monitoring/report", timeout=self.timeout)
        except requests.RequestException as exc:
            raise ServiceUnavailable("unreachable", code="unreachable", detail=str(exc)) from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            cls = ServiceUnavailable if response.status_code in _UNAVAILABLE_STATUSES else ServiceError
            raise cls(f"HTTP {response.status_code}", status=response.status_code)
        return response.text


_client: ServiceClient | None = None
_client_lock = threading.Lock()


def get_client() -> ServiceClient:
    """The process-wide client (created on first use from the environment)."""
    global _client
    with _client_lock:
        if _client is None:
            _client = ServiceClient()
        return _client


def set_client(client: ServiceClient | None) -> None:
    """Replace the process-wide client (tests)."""
    global _client
    with _client_lock:
        _client = client
