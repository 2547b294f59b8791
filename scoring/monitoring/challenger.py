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

from scoring.decision import decide
from scoring.monitoring.stats import auc, realised_cost

BANDS = ("approve", "review", "decline")


def shadow_pairs(log: pd.DataFrame, version: str | None = None, time_column: str = "scored_at") -> pd.DataFrame:
    """Champion and challenger records of the same scored row, side by side.

    ``log``: rows with ``time_column``, endpoint, client_id, probability, score, model_version and
    role ("champion" / "challenger"). The shadow scorer writes the challenger's record with the
    champion's time, endpoint and client, so pairs match on those (in order within a tie).
    """
    champ = log[log["role"] == "champion"]
    chall = log[log["role"] == "challenger"]
    if version is not None:
        chall = chall[chall["model_version"] == version]
    keys = [time_column, "endpoint", "client_key"]

    def keyed(frame):
        f = frame.assign(client_key=pd.to_numeric(frame["client_id"], errors="coerce").fillna(-1).astype("int64"))
        return f.assign(nth=f.groupby(keys).cumcount())

    pairs = keyed(champ).merge(keyed(chall), on=[*keys, "nth"], suffixes=("_a", "_b"))
    return pd.DataFrame({
        "client_id": pairs["client_id_a"], "scored_at": pairs[time_column],
        "champion_probability": pairs["probability_a"].astype(float), "champion_score": pairs["score_a"].astype(float),
        "challenger_probability": pairs["probability_b"].astype(float),
        "challenger_score": pairs["score_b"].astype(float), "challenger_version": pairs["model_version_b"],
    })


def compare_models(pairs: pd.DataFrame, outcomes: pd.DataFrame | None = None) -> dict:
    if pairs.empty:
        return {"n": 0, "agreement": None, "mean_abs_score_diff": None, "flips": [], "outcomes": None}
    a = pairs["champion_score"].to_numpy(dtype=np.float64)
    b = pairs["challenger_score"].to_numpy(dtype=np.float64)
    da, db = decide(a), decide(b)
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
