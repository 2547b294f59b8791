"""A probability calibrator stored as plain numbers (no sklearn or scipy needed to apply it).

Training chooses the method by cross-validation on out-of-fold scores and
exports it here; the service applies it with numpy only. The smooth kinds are
strictly increasing in the model's output (ties only where the model ties, so
the ranking and the AUC are kept) and bounded within [LOW, HIGH]: no client is
ever shown a probability of exactly 0 or 1.

- ``platt_logit``: p = sigmoid(a * logit(raw) + b) (Platt's sigmoid on the model's log-odds)
- ``beta``: p = sigmoid(a * ln(raw) - c * ln(1 - raw) + b), a, c >= 0 (beta calibration)
- ``pchip``: monotone cubic (PCHIP) through isotonic block means, on the logit of the raw score,
  with tails linear on the logit scale beyond the first and last knot
- ``isotonic`` (step-wise, ties whole blocks) and ``sigmoid`` (on the raw probability): older bundles
- ``identity``
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Calibrated probabilities of the smooth kinds lie within [LOW, HIGH].
LOW, HIGH = 0.001, 0.999
#: Raw scores are clipped this far from 0 and 1 before taking logarithms.
_EPS = 1e-12
#: Bounds of the pchip tails' slope (logit of probability per logit of raw score).
TAIL_SLOPE = (0.05, 2.0)
KINDS = {"platt_logit", "beta", "pchip", "isotonic", "sigmoid", "identity"}
SMOOTH = {"platt_logit", "beta", "pchip"}


def logit(raw) -> np.ndarray:
    r = np.clip(np.asarray(raw, dtype=np.float64), _EPS, 1.0 - _EPS)
    return np.log(r) - np.log1p(-r)


def _sigmoid(z) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))


def _squeeze(p) -> np.ndarray:
    """[0, 1] -> [LOW, HIGH], strictly increasing."""
    return LOW + (HIGH - LOW) * np.asarray(p, dtype=np.float64)


def hermite(x: np.ndarray, xk: np.ndarray, yk: np.ndarray, dk: np.ndarray) -> np.ndarray:
    """Cubic Hermite interpolation through knots (xk, yk) with slopes dk (what scipy's PCHIP evaluates),
    with tails linear on the logit scale beyond the first and last knot (towards 0 below, 1 above)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    lo, hi = x < xk[0], x > xk[-1]
    mid = ~(lo | hi)
    i = np.clip(np.searchsorted(xk, x[mid], side="right") - 1, 0, len(xk) - 2)
    h = xk[i + 1] - xk[i]
    t = (x[mid] - xk[i]) / h
    t2, t3 = t * t, t * t * t
    out[mid] = ((2 * t3 - 3 * t2 + 1) * yk[i] + (t3 - 2 * t2 + t) * h * dk[i]
                + (-2 * t3 + 3 * t2) * yk[i + 1] + (t3 - t2) * h * dk[i + 1])
    # tails: linear on the logit of the probability, slope matched to the end knot's (capped so that
    # far-out scores do not all collapse onto the bound)
    for mask, j in ((lo, 0), (hi, -1)):
        slope = float(np.clip(dk[j] / (yk[j] * (1.0 - yk[j])), TAIL_SLOPE[0], TAIL_SLOPE[1]))
        out[mask] = _sigmoid(np.log(yk[j]) - np.log1p(-yk[j]) + slope * (x[mask] - xk[j]))
    return out


@dataclass(frozen=True)
class Calibrator:
    """``kind`` is one of :data:`KINDS`; ``x``/``y``/``d`` are knots (and slopes for pchip), ``a``/``b``/``c``
    coefficients (see the module docstring)."""

    kind: str = "identity"
    x: tuple[float, ...] = field(default_factory=tuple)
    y: tuple[float, ...] = field(default_factory=tuple)
    a: float = 0.0
    b: float = 0.0
    c: float = 0.0
    d: tuple[float, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown calibrator kind {self.kind!r}")
        if self.kind in {"isotonic", "pchip"}:
            if len(self.x) < 2 or len(self.x) != len(self.y):
                raise ValueError(f"{self.kind} calibrator needs at least two (x, y) knots")
            if np.any(np.diff(self.x) < 0) or np.any(np.diff(self.y) < 0):
                raise ValueError(f"{self.kind} knots must be non-decreasing")
        if self.kind == "pchip":
            if len(self.d) != len(self.x) or np.any(np.diff(self.x) <= 0) or np.any(np.diff(self.y) <= 0):
                raise ValueError("pchip knots must be strictly increasing, with one slope per knot")
            if np.any(np.asarray(self.d) < 0) or self.d[0] <= 0 or self.d[-1] <= 0:
                raise ValueError("pchip slopes must be >= 0 and > 0 at both ends")
            if not (0.0 < self.y[0] and self.y[-1] < 1.0):
                raise ValueError("pchip knot values must lie strictly within (0, 1)")
        if self.kind == "beta" and (self.a < 0 or self.c < 0 or self.a + self.c <= 0):
            raise ValueError("beta calibration needs a, c >= 0, not both 0")
        if self.kind == "platt_logit" and self.a <= 0:
            raise ValueError("platt_logit needs a > 0 (increasing)")

    @property
    def smooth(self) -> bool:
        """Strictly increasing and bounded within [LOW, HIGH]."""
        return self.kind in SMOOTH

    def apply(self, raw):
        """Calibrated probability for raw model probabilities (scalar or array)."""
        r = np.asarray(raw, dtype=np.float64)
        if self.kind == "platt_logit":
            out = _squeeze(_sigmoid(self.a * logit(r) + self.b))
        elif self.kind == "beta":
            rc = np.clip(r, _EPS, 1.0 - _EPS)
            out = _squeeze(_sigmoid(self.a * np.log(rc) - self.c * np.log1p(-rc) + self.b))
        elif self.kind == "pchip":
            z = logit(r).reshape(-1)
            out = _squeeze(hermite(z, np.asarray(self.x), np.asarray(self.y), np.asarray(self.d))).reshape(r.shape)
        elif self.kind == "isotonic":
            out = np.interp(r, self.x, self.y)
        elif self.kind == "sigmoid":
            out = 1.0 / (1.0 + np.exp(self.a * r + self.b))
        else:
            out = r
        out = np.clip(out, 0.0, 1.0)
        return float(out) if out.ndim == 0 else out

    def to_dict(self) -> dict:
        return {"kind": self.kind, "x": list(self.x), "y": list(self.y), "a": self.a, "b": self.b, "c": self.c,
                "d": list(self.d)}

    @classmethod
    def from_dict(cls, data: dict) -> Calibrator:
        return cls(
            kind=data["kind"],
            x=tuple(float(v) for v in data.get("x", ())),
            y=tuple(float(v) for v in data.get("y", ())),
            a=float(data.get("a", 0.0)),
            b=float(data.get("b", 0.0)),
            c=float(data.get("c", 0.0)),
            d=tuple(float(v) for v in data.get("d", ())),
        )


def log_loss(y_true, proba) -> float:
    y = np.asarray(y_true, dtype=np.float64)
    p = np.clip(np.asarray(proba, dtype=np.float64), 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def brier(y_true, proba) -> float:
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(proba, dtype=np.float64)
    return float(np.mean((p - y) ** 2))


def reliability(y_true, proba, bins: int = 10) -> dict[str, list[float]]:
    """Mean predicted vs observed default rate per quantile bin (for the reliability plot)."""
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(proba, dtype=np.float64)
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    predicted, observed, counts = [], [], []
    for b in range(len(edges) - 1):
        mask = idx == b
        if mask.any():
            predicted.append(float(p[mask].mean()))
            observed.append(float(y[mask].mean()))
            counts.append(int(mask.sum()))
    return {"predicted": predicted, "observed": observed, "count": counts}
