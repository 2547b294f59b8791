"""Shared helpers of the service tests (their fixtures, ``service_app`` and ``client``, are in conftest.py)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring.bundle import resolve

API_KEY = "test-key-123"
HEADERS = {"X-API-Key": API_KEY}


def service_config(bundle: Path, tmp: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "MODEL_BUNDLE": str(bundle), "API_KEYS": f"{API_KEY},second-key", "ALLOW_NO_AUTH": "",
        "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}", "PREDICTION_LOG": str(tmp / "predictions.jsonl"),
        "DRIFT_SUMMARY": str(tmp / "drift_summary.json"), "RATE_LIMIT": "100000 per minute", "CORS_ORIGINS": "",
        "AUTH_FAILURE_LIMIT": "100000 per minute",  # the in-process apps probe many wrong keys; test_security.py probes the limit
    }
    config.update(overrides)
    return config


def make_app(bundle: Path, tmp: Path, **overrides: Any):
    from model_service import create_app

    return create_app(service_config(bundle, tmp, **overrides))


def bundle_dir(bundle: Path) -> Path:
    return resolve(bundle)


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def raw_application(bundle: Path, client_id: int) -> dict[str, Any]:
    """A known client's raw application fields, as stored in the bundle's info.parquet."""
    info = pd.read_parquet(bundle_dir(bundle) / "store" / "info.parquet")
    row = info.loc[info["SK_ID_CURR"] == client_id].iloc[0].to_dict()
    out = {k: _clean(v) for k, v in row.items() if k not in ("TARGET", "FLAG_MOBIL")}
    return {k: v for k, v in out.items() if v is not None}


def raw_history(data_dir: Path, client_id: int) -> dict[str, list[dict[str, Any]]]:
    """The client's rows of every non-empty history table of the real sample."""
    history: dict[str, list[dict[str, Any]]] = {}
    bureau_ids: list[int] = []
    for table in ("bureau", "bureau_balance", "previous_application", "POS_CASH_balance",
                  "installments_payments", "credit_card_balance"):
        frame = pd.read_csv(data_dir / f"{table}.csv.gz")
        rows = frame[frame["SK_ID_BUREAU"].isin(bureau_ids)] if table == "bureau_balance" else \
            frame[frame["SK_ID_CURR"] == client_id]
        if table == "bureau":
            bureau_ids = rows["SK_ID_BUREAU"].tolist()
        if len(rows):
            history[table] = [{k: _clean(v) for k, v in r.items()} for r in rows.to_dict("records")]
    return history


def client_ids(client, n: int = 20, **filters: Any) -> list[int]:
    params = {"per_page": n, **filters}
    answer = client.get("/clients", query_string=params, headers=HEADERS).get_json()
    return [item["id"] for item in answer["items"]]
