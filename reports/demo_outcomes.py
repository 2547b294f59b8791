"""Plausible loan outcomes for the demo (synthetic data only), so the backtest can be seen.

For every client in the prediction log without an outcome: when the synthetic data set
labelled the client (the bundle store's TARGET, drawn by the generator's target model,
:func:`scoring.synthetic.application.draw_target`), that label; otherwise a draw from the
probability the model logged (``--seed``). Outcomes are observed today (the day the
command runs), so every logged scoring precedes them. Refused on a bundle trained on real data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import MetaData, Table, insert
from sqlalchemy.engine import Engine

from reports.production_db import OUTCOMES, DatabaseInputError, read_outcomes, read_predictions

SOURCE = "demo:synthetic-target"


def draw_outcomes(predictions: pd.DataFrame, store_ids, store_target, seed: int = 42) -> pd.DataFrame:
    """One outcome per logged client: the store's label when known (>= 0), else Bernoulli(probability)."""
    known = predictions.dropna(subset=["client_id"]).astype({"client_id": "int64"})
    last = known.sort_values("scored_at").groupby("client_id", as_index=False).tail(1)
    ids = np.asarray(store_ids, dtype=np.int64)
    target = np.asarray(store_target)
    pos = np.clip(np.searchsorted(ids, last["client_id"].to_numpy()), 0, max(len(ids) - 1, 0))
    labelled = (ids[pos] == last["client_id"].to_numpy()) & (target[pos] >= 0) if len(ids) else np.zeros(len(last), bool)
    rng = np.random.default_rng(seed)
    drawn = rng.random(len(last)) < last["probability"].to_numpy(dtype=np.float64)
    defaulted = np.where(labelled, target[pos] == 1 if len(ids) else False, drawn)
    return pd.DataFrame({"client_id": last["client_id"].to_numpy(), "defaulted": defaulted.astype(bool),
                         "from_label": labelled})


def record_demo_outcomes(engine: Engine, bundle, seed: int = 42) -> dict:
    from scoring.model_card import is_synthetic

    if not is_synthetic(bundle.metadata):
        raise DatabaseInputError("demo outcomes are only generated for a bundle trained on synthetic data")
    predictions = read_predictions(engine)
    have = set(read_outcomes(engine)["client_id"].astype("int64").tolist())
    todo = predictions[~predictions["client_id"].isin(have)]
    drawn = draw_outcomes(todo, bundle.store.ids, bundle.store.target, seed)
    if drawn.empty:
        return {"recorded": 0, "from_label": 0}
    table = Table(OUTCOMES, MetaData(), autoload_with=engine)
    today, now = date.today(), datetime.now(UTC)
    rows = [{"client_id": int(r.client_id), "defaulted": bool(r.defaulted), "observed_on": today,
             "recorded_at": now, "source": SOURCE} for r in drawn.itertuples()]
    with engine.begin() as conn:
        conn.execute(insert(table), [{k: v for k, v in r.items() if k in table.c} for r in rows])
    return {"recorded": len(rows), "from_label": int(drawn["from_label"].sum())}
