"""Override analytics: how often advisors go against the model, and how those loans turn out.

An *override* is an advisor's decision that contradicts the model's decision outside the
orange band: granting a client the model would decline, or refusing one it would
approve. In the orange band (scores 45-55, model decision ``review``) the decision is
the advisor's by design: it is counted, never as an override. Only each client's latest
decision counts (revisions replace the earlier ones).

Input: one row per recorded decision -- client_id, decision (approve/decline), reason,
advisor, created_at, model_decision (approve/review/decline, may be missing) -- and,
optionally, outcomes (client_id, defaulted). Output (:func:`override_report`)::

    {"decisions": n, "overrides": k, "override_rate": k / n_outside_band,
     "by_band": [{"key": "approve"|"review"|"decline", "n", "overrides", "rate", "granted"}],
     "by_advisor": [{"key", "n", "overrides", "rate", "granted"}],
     "by_reason": [{"key": reason, "overrides", "share": of all overrides}] (top 10),
     "outcomes": {"against_model": {"n", "defaults", "rate", "low", "high"},
                  "followed_model": {...}, "review_band": {...}} | None}

Supervisors (EBA loan-origination guidelines, SR 11-7) expect overrides to be monitored;
a high override rate in a band is a sign the model misjudges it.
"""

from __future__ import annotations

import pandas as pd

from scoring.monitoring.stats import wilson

MODEL_BANDS = ("approve", "review", "decline")
#: Reasons grouped by their first characters (lower-cased, spaces collapsed).
REASON_KEY_LENGTH = 80
TOP_REASONS = 10


def latest_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    """Each client's latest decision (by created_at, then row order)."""
    if decisions.empty:
        return decisions
    d = decisions.copy()
    d["_order"] = range(len(d))
    d["created_at"] = pd.to_datetime(d["created_at"], utc=True)
    d = d.sort_values(["client_id", "created_at", "_order"]).groupby("client_id", as_index=False).tail(1)
    return d.drop(columns="_order").reset_index(drop=True)


def mark_overrides(decisions: pd.DataFrame) -> pd.DataFrame:
    """Adds ``override`` (bool) and ``band`` (the model's decision, "unknown" when not recorded)."""
    d = decisions.copy()
    band = d["model_decision"].where(d["model_decision"].isin(MODEL_BANDS), "unknown")
    d["band"] = band
    d["override"] = band.isin(("approve", "decline")) & (d["decision"] != band)
    return d


def reason_key(text) -> str:
    return " ".join(str(text or "").lower().split())[:REASON_KEY_LENGTH] or "-"


def _rates(d: pd.DataFrame, by: str, order=None) -> list[dict]:
    rows = []
    keys = order if order is not None else d[by].value_counts().index.tolist()
    for key in keys:
        g = d[d[by] == key]
        if g.empty:
            continue
        outside = g[g["band"].isin(("approve", "decline"))]
        rows.append({"key": str(key), "n": int(len(g)), "overrides": int(g["override"].sum()),
                     "rate": float(g["override"].sum() / len(outside)) if len(outside) else None,
                     "granted": int((g["decision"] == "approve").sum())})
    return rows


def _default_rate(defaulted: pd.Series) -> dict:
    n, k = int(defaulted.size), int(defaulted.sum())
    low, high = wilson(k, n)
    return {"n": n, "defaults": k, "rate": k / n if n else None, "low": low, "high": high}


def override_report(decisions: pd.DataFrame, outcomes: pd.DataFrame | None = None) -> dict:
    if decisions.empty:
        return {"decisions": 0, "overrides": 0, "override_rate": None, "by_band": [], "by_advisor": [],
                "by_reason": [], "outcomes": None}
    d = mark_overrides(latest_decisions(decisions))
    outside = d["band"].isin(("approve", "decline"))
    d["reason_key"] = d["reason"].map(reason_key)
    over = d[d["override"]]
    counts = over["reason_key"].value_counts()
    by_reason = [{"key": str(k), "overrides": int(v), "share": float(v / len(over))}
                 for k, v in counts.head(TOP_REASONS).items()]
    report = {
        "decisions": int(len(d)), "overrides": int(d["override"].sum()),
        "override_rate": float(d["override"].sum() / outside.sum()) if outside.any() else None,
        "by_band": _rates(d, "band", [*MODEL_BANDS, "unknown"]),
        "by_advisor": sorted(_rates(d, "advisor"), key=lambda r: (-(r["rate"] or 0.0), r["key"])),
        "by_reason": by_reason,
        "outcomes": None,
    }
    if outcomes is not None and not outcomes.empty:
        granted = d[d["decision"] == "approve"].merge(outcomes[["client_id", "defaulted"]], on="client_id")
        if not granted.empty:
            report["outcomes"] = {
                "against_model": _default_rate(granted.loc[granted["band"] == "decline", "defaulted"]),
                "followed_model": _default_rate(granted.loc[granted["band"] == "approve", "defaulted"]),
                "review_band": _default_rate(granted.loc[granted["band"] == "review", "defaulted"]),
            }
    return report
