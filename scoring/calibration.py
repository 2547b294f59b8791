"""A probability calibrator stored as plain numbers (no sklearn needed to apply it).

Training fits isotonic regression (or Platt's sigmoid) on out-of-fold scores
and exports it here; the service applies it with numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Calibrator:
    """``kind`` is "isotonic" (piecewise-linear knots x -> y), "sigmoid"
    (p = 1 / (1 + exp(a * raw + b))) or "identity"."""

    kind: str = "identity"
    x: tuple[float, ...] = field(default_factory=tuple)
    y: tuple[float, ...] = field(default_factory=tuple)
    a: float = 0.0
    b: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in {"isotonic", "sigmoid", "identity"}:
            raise ValueError(f"unknown calibrator kind {self.kind!r}")
        if self.kind == "isotonic":
            if len(self.x) < 2 or len(self.x) != len(self.y):
                raise ValueError("isotonic calibrator needs at least two (x, y) knots")
            if np.any(np.diff(self.x) < 0) or np.any(np.diff(self.y) < 0):
                raise ValueError("isotonic knots must be non-decreasing")

    def apply(self, raw):
        """Calibrated probability for raw model probabilities (scalar or array)."""
        r = np.asarray(raw, dtype=np.float64)
        if self.kind == "isotonic":
            out = np.interp(r, self.x, self.y)
        elif self.kind == "sigmoid":
            out = 1.0 / (1.0 + np.exp(self.a * r + self.b))
        else:
            out = r
        out = np.clip(out, 0.0, 1.0)
        return float(out) if out.ndim == 0 else out

    def to_dict(self) -> dict:
        return {"kind": self.kind, "x": list(self.x), "y": list(self.y), "a": self.a, "b": self.b}

    @classmethod
    def from_dict(cls, data: dict) -> Calibrator:
        return cls(
            kind=data["kind"],
            x=tuple(float(v) for v in data.get("x", ())),
            y=tuple(float(v) for v in data.get("y", ())),
            a=float(data.get("a", 0.0)),
            b=float(data.get("b", 0.0)),
        )


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
