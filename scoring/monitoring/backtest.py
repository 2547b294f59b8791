"""Backtest of the model on the outcomes that came back: expected against observed default rates.

For every loan whose outcome is known, the probability the model gave when it scored the
client (the prediction log) is compared with what happened (the outcomes table). Per
score band (10 points wide) and per scoring month (vintage):

* ``expected`` -- mean calibrated probability of default, with the interval
  ``expected_low .. expected_high`` the model itself allows for the observed rate of that
  many loans (:func:`reports.stats.expected_interval`, 95 %);
* ``observed`` -- the realised default rate, with its Wilson interval;
* ``flag`` -- ``"above"`` / ``"below"`` when the observed rate falls outside the model's
  interval (the model under- / over-estimates the risk there), else None;
* ``auc`` and ``cost`` -- ROC AUC and business cost per client (refuse at score >= 50)
  realised on those loans (AUC is None for a group with a single outcome class).

Usage::

    python -m reports.backtest [--database-url URL] [--since YYYY-MM-DD] [--until YYYY-MM-DD]
                               [--json PATH] [--demo-outcomes]

``--demo-outcomes`` (demo data only) first records plausible outcomes for the logged
clients (:mod:`reports.demo_outcomes`) so the backtest and the Monitoring page have
something to show.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.monitoring.stats import auc, expected_interval, realised_cost, wilson

#: Width of a score band, in score points (0-100).
BAND_WIDTH = 10
#: Columns :func:`backtest` needs.
COLUMNS = ("scored_at", "probability", "score", "defaulted")


def band_of(score) -> np.ndarray:
    """Band label "0-10", ..., "90-100" of each score (100 falls in the last band)."""
    s = np.clip(np.asarray(score, dtype=np.float64), 0.0, 100.0)
    lo = np.minimum((s // BAND_WIDTH).astype(int) * BAND_WIDTH, 100 - BAND_WIDTH)
    return np.array([f"{v}-{v + BAND_WIDTH}" for v in lo], dtype=object)


def vintage_of(scored_at) -> np.ndarray:
    """Scoring month "YYYY-MM" of each timestamp."""
    return pd.to_datetime(pd.Series(scored_at), utc=True).dt.strftime("%Y-%m").to_numpy(dtype=object)


def group_row(key: str, probability, score, defaulted) -> dict:
    p = np.asarray(probability, dtype=np.float64)
    y = np.asarray(defaulted).astype(int)
    n, k = int(y.size), int(y.sum())
    expected, e_low, e_high = expected_interval(p)
    o_low, o_high = wilson(k, n)
    observed = k / n if n else None
    flag = None
    if n and observed is not None:
        if observed > e_high:
            flag = "above"
        elif observed < e_low:
            flag = "below"
    return {"key": key, "n": n, "defaults": k, "expected": expected, "expected_low": e_low, "expected_high": e_high,
            "observed": observed, "observed_low": o_low, "observed_high": o_high, "flag": flag,
            "auc": auc(y, p), "cost": realised_cost(y, score)}


def backtest(frame: pd.DataFrame) -> dict:
    """The backtest of ``frame`` (one row per loan: scored_at, probability, score, defaulted)."""
    missing = [c for c in COLUMNS if c not in frame]
    if missing:
        raise ValueError(f"backtest needs the columns {', '.join(missing)}")
    if frame.empty:
        return {"n": 0, "overall": None, "by_band": [], "by_vintage": [], "flagged": 0}
    bands = band_of(frame["score"])
    vintages = vintage_of(frame["scored_at"])
    p, s, y = frame["probability"].to_numpy(), frame["score"].to_numpy(), frame["defaulted"].to_numpy()

    def rows(labels: np.ndarray, order) -> list[dict]:
        return [group_row(key, p[labels == key], s[labels == key], y[labels == key]) for key in order]

    band_order = sorted(set(bands), key=lambda b: int(b.split("-")[0]))
    by_band, by_vintage = rows(bands, band_order), rows(vintages, sorted(set(vintages)))
    return {"n": int(len(frame)), "overall": group_row("all", p, s, y), "by_band": by_band,
            "by_vintage": by_vintage, "flagged": sum(r["flag"] is not None for r in by_band + by_vintage)}


def join_outcomes(predictions: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per client with an outcome: its latest scoring at or before the outcome was observed.

    ``predictions``: client_id, scored_at, probability, score (+ anything else, kept);
    ``outcomes``: client_id, defaulted, observed_at. A client scored only after its
    outcome was observed is left out (that scoring could not have been the loan's).
    """
    if predictions.empty or outcomes.empty:
        return predictions.iloc[0:0].assign(defaulted=pd.Series(dtype=int), observed_at=pd.Series(dtype=object))
    pred = predictions.dropna(subset=["client_id"]).copy()
    pred["scored_at"] = pd.to_datetime(pred["scored_at"], utc=True)
    out = outcomes[["client_id", "defaulted", "observed_at"]].copy()
    out["observed_at"] = pd.to_datetime(out["observed_at"], utc=True)
    pred["client_id"] = pred["client_id"].astype("int64")
    out["client_id"] = out["client_id"].astype("int64")
    joined = pred.merge(out, on="client_id", how="inner")
    joined = joined[joined["scored_at"] <= joined["observed_at"]]
    joined = joined.sort_values(["client_id", "scored_at"]).groupby("client_id", as_index=False).tail(1)
    return joined.reset_index(drop=True)


def format_table(result: dict) -> str:
    """A plain-text table of the backtest (the command's output)."""
    def pct(v):
        return "   -  " if v is None else f"{100 * v:5.1f}%"

    lines = [f"backtest: {result['n']:,} loans with a known outcome; {result['flagged']} group(s) flagged"]
    for title, rows in (("by score band", result["by_band"]), ("by scoring month", result["by_vintage"]),
                        ("overall", [result["overall"]] if result["overall"] else [])):
        lines.append(f"  {title}:")
        lines.append(f"    {'group':<10}{'loans':>8}{'expected':>10}  {'model interval':<16}{'observed':>9}  "
                     f"{'AUC':>6}{'cost':>7}  flag")
        for r in rows:
            interval = f"{pct(r['expected_low'])}-{pct(r['expected_high'])}"
            auc_text = "  -   " if r["auc"] is None else f"{r['auc']:.3f}"
            lines.append(f"    {r['key']:<10}{r['n']:>8,}{pct(r['expected']):>10}  {interval:<16}"
                         f"{pct(r['observed']):>9}  {auc_text:>6}{r['cost']:>7.3f}  {r['flag'] or ''}")
    return "\n".join(lines)
