"""Ranking of the compared columns (drift strength) and the report's verdict.

Verdict: ``act`` when evidently's dataset drift is detected (share of drifted columns
>= ``--drift-share``, default 0.5) or the score PSI is > 0.25; ``watch`` when any
column drifted, a missing share moved by > 10 points or the PSI is in 0.1-0.25;
``stable`` otherwise. Columns are ranked drifted first, then by ``strength``.
"""

from __future__ import annotations

import math

from reports.drift.columns import ColumnPlan
from scoring.monitoring.psi import PSI_ACT, PSI_WATCH

STABLE, WATCH, ACT = "stable", "watch", "act"

#: A column whose missing share moves by more than this (absolute) is reported (tests ignore missing numbers).
MISSING_SHIFT = 0.10


def strength(score: float, threshold: float | None, higher_is_drift: bool) -> float:
    """Drift strength relative to the column's threshold (>= 1 means drifted), comparable across tests.

    Distances: score / threshold. p-values: log(p) / log(threshold) (capped at 100 for p = 0).
    """
    if not math.isfinite(score) or not threshold:
        return 0.0
    if higher_is_drift:
        return score / threshold
    if score <= 0:
        return 100.0
    if score >= 1:
        return 0.0
    return min(math.log(score) / math.log(threshold), 100.0)


def rank(results: list[dict], plan: ColumnPlan | None = None) -> list[dict]:
    """Drifted columns first, then by drift strength relative to the threshold, then importance."""
    def key(r):
        imp = (plan.importance_rank.get(r["column"], 10**6) if plan else 10**6)
        return (not r["drifted"], -strength(r["score"], r["threshold"], r["higher_is_drift"]), imp, r["column"])

    ranked = sorted(results, key=key)
    out = []
    for i, r in enumerate(ranked, 1):
        entry = {"rank": i, "column": r["column"],
                 "label": (plan.labels.get(r["column"]) if plan else None) or r["column"],
                 "label_en": (plan.labels_en.get(r["column"]) if plan else None) or r["column"],
                 "score": round(r["score"], 6) if math.isfinite(r["score"]) else None,
                 "method": r["method"], "method_id": r.get("method_id"), "threshold": r["threshold"],
                 "higher_is_drift": r["higher_is_drift"], "drifted": r["drifted"],
                 "strength": round(strength(r["score"], r["threshold"], r["higher_is_drift"]), 4),
                 "importance_rank": plan.importance_rank.get(r["column"]) if plan else None}
        for k in ("n_eff", "pooled_rare_levels", "missing_reference", "missing_current"):
            if k in r:
                entry[k] = r[k]
        out.append(entry)
    return out


def missing_shifts(columns: list[dict], limit: float = MISSING_SHIFT) -> list[dict]:
    """Columns whose share of missing values moved by more than ``limit`` (absolute)."""
    out = []
    for c in columns:
        if "missing_reference" in c and abs(c["missing_current"] - c["missing_reference"]) > limit:
            out.append({"column": c["column"], "label": c["label"], "missing_reference": c["missing_reference"],
                        "missing_current": c["missing_current"]})
    return sorted(out, key=lambda m: -abs(m["missing_current"] - m["missing_reference"]))


def verdict(columns: list[dict], dataset_drift: bool, psi: dict, drift_share: float,
            missing: list[dict] | None = None) -> dict:
    drifted = [c for c in columns if c["drifted"]]
    reasons = []
    status = STABLE
    if dataset_drift:
        status = ACT
        reasons.append(f"dataset drift: {len(drifted)} of {len(columns)} columns drifted "
                       f"(share >= {drift_share:g})")
    elif drifted:
        status = WATCH
        names = ", ".join(c["column"] for c in drifted[:5]) + (", ..." if len(drifted) > 5 else "")
        reasons.append(f"{len(drifted)} of {len(columns)} columns drifted: {names}")
    if missing:
        status = ACT if status == ACT else WATCH
        names = ", ".join(m["column"] for m in missing[:5]) + (", ..." if len(missing) > 5 else "")
        reasons.append(f"missing-value share moved by more than {MISSING_SHIFT * 100:.0f} points in "
                       f"{len(missing)} column(s): {names}")
    value = psi.get("value")
    if value is not None:
        if psi["status"] == ACT:
            status = ACT
            reasons.append(f"score PSI {value:.3f} > {PSI_ACT} (significant shift of the score population)")
        elif psi["status"] == WATCH:
            status = ACT if status == ACT else WATCH
            reasons.append(f"score PSI {value:.3f} in {PSI_WATCH}-{PSI_ACT} (moderate shift)")
    if not reasons:
        reasons.append("no drifted column" + ("" if value is None else f"; score PSI {value:.3f} < {PSI_WATCH}"))
    return {"status": status, "dataset_drift": bool(dataset_drift), "reasons": reasons}
