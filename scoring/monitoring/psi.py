"""Population stability index (PSI) of a score: pure numpy, no I/O.

    PSI = sum over bins of (c_i - r_i) * ln(c_i / r_i)

where ``r_i`` and ``c_i`` are the shares of the reference and current scores in
bin ``i``. Bins are quantiles of the *reference* (``bins`` equal-count bins, edges halfway between
a quantile and the next reference value; tied quantiles collapse, so a score with
plateaus, e.g. after isotonic calibration, gets fewer bins), with open outer bins so current values outside the reference range
still count. An empty bin's share is replaced by ``epsilon`` so the logarithm stays
finite. Missing (NaN/inf) values are dropped on both sides.

Usual reading (credit-risk practice): < 0.1 stable, 0.1-0.25 watch (moderate shift),
> 0.25 act (significant shift: investigate, consider retraining).
"""

from __future__ import annotations

import numpy as np

#: PSI below this: the score population is stable.
PSI_WATCH = 0.10
#: PSI above this: significant shift, act.
PSI_ACT = 0.25
#: Share used in place of an empty bin's 0.
EPSILON = 1e-4

STABLE, WATCH, ACT = "stable", "watch", "act"


def _finite(values, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError(f"PSI needs at least one finite {name} value")
    return x


def quantile_edges(reference, bins: int = 10) -> np.ndarray:
    """Inner bin edges from the reference quantiles.

    Each edge lies halfway between a quantile and the next distinct reference value
    above it, never on a value itself: scores with plateaus (isotonic calibration) keep
    a whole plateau in one bin, and a plateau value that comes back rounded (the
    service's float32 store, JSON) does not jump to the neighbouring bin.
    """
    if bins < 1:
        raise ValueError("bins must be >= 1")
    ref = _finite(reference, "reference")
    values = np.unique(ref)
    q = np.quantile(ref, np.linspace(0.0, 1.0, bins + 1)[1:-1])
    above = np.searchsorted(values, q, side="right")  # first distinct value > q
    inside = above < len(values)
    return np.unique((q[inside] + values[above[inside]]) / 2.0)


def psi_table(reference, current, bins: int = 10, epsilon: float = EPSILON) -> dict:
    """Per-bin shares and contributions, plus the total PSI.

    Returns ``{"psi", "edges", "reference_share", "current_share", "contribution",
    "reference_n", "current_n"}``; ``edges`` are the inner edges (bin ``i`` holds
    ``edges[i-1] <= x < edges[i]``, the first and last bins are open).
    """
    ref = _finite(reference, "reference")
    cur = _finite(current, "current")
    edges = quantile_edges(ref, bins)
    k = len(edges) + 1
    r = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=k) / ref.size
    c = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=k) / cur.size
    r_eps = np.where(r > 0, r, epsilon)
    c_eps = np.where(c > 0, c, epsilon)
    contribution = (c_eps - r_eps) * np.log(c_eps / r_eps)
    return {
        "psi": float(contribution.sum()),
        "edges": edges.tolist(),
        "reference_share": r.tolist(),
        "current_share": c.tolist(),
        "contribution": contribution.tolist(),
        "reference_n": int(ref.size),
        "current_n": int(cur.size),
    }


def psi(reference, current, bins: int = 10, epsilon: float = EPSILON) -> float:
    """PSI of ``current`` against ``reference`` (quantile bins of the reference)."""
    return psi_table(reference, current, bins=bins, epsilon=epsilon)["psi"]


def psi_status(value: float | None, watch: float = PSI_WATCH, act: float = PSI_ACT) -> str | None:
    """"stable" (< watch), "watch" (watch..act) or "act" (> act); None for None."""
    if value is None:
        return None
    if value > act:
        return ACT
    if value >= watch:
        return WATCH
    return STABLE
