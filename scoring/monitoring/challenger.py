"""Champion against challenger on the same scored requests (shadow mode).

Input: one row per request scored by both -- champion_score, challenger_score (0-100),
champion_probability, challenger_probability, and optionally client_id -- and, when
known, outcomes (client_id, defaulted). Output (:func:`compare_models`)::

    {"n", "agreement": share of identical decisions, "mean_abs_score_diff",
     "flips": [{"band": champion decision, "n", "flipped", "to": {decision: n}}],
     "outcomes": {"n", "champion": {"auc", "cost"}, "challenger": {"auc", "cost"}} | None}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.decision import decide_many
from scoring.monitoring.stats import auc, realised_cost

BANDS = ("approve", "review", "decline")


def compare_models(pairs: pd.DataFrame, outcomes: pd.DataFrame | None = None) -> dict:
    if pairs.empty:
        return {"n": 0, "agreement": None, "mean_abs_score_diff": None, "flips": [], "outcomes": None}
    a = pairs["champion_score"].to_numpy(dtype=np.float64)
    b = pairs["challenger_score"].to_numpy(dtype=np.float64)
    da, db = decide_many(a), decide_many(b)
    flips = []
    for band in BANDS:
        mask = da == band
        if not mask.any():
            continue
        to = {k: int(((db == k) & mask).sum()) for k in BANDS if k != band and ((db == k) & mask).any()}
        flips.append({"band": band, "n": int(mask.sum()), "flipped": int((db[mask] != band).sum()), "to": to})
    report = {"n": int(len(pairs)), "agreement": float((da == db).mean()),
              "mean_abs_score_diff": float(np.abs(a - b).mean()), "flips": flips, "outcomes": None}
    if outcomes is not None and not outcomes.empty and "client_id" in pairs:
        last = pairs.dropna(subset=["client_id"]).astype({"client_id": "int64"}).groupby("client_id").tail(1)
        joined = last.merge(outcomes[["client_id", "defaulted"]].astype({"client_id": "int64"}), on="client_id")
        if not joined.empty:
            y = joined["defaulted"].to_numpy().astype(int)
            report["outcomes"] = {"n": int(len(joined)), **{
                who: {"auc": auc(y, joined[f"{who}_probability"]), "cost": realised_cost(y, joined[f"{who}_score"])}
                for who in ("champion", "challenger")}}
    return report
