"""Shared helpers of the synthetic generator: correlated draws, quantile maps, categoricals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: Probability grid of most quantile knot tables (15 knots).
P15 = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 1.0)
#: Kaggle's "no date" sentinel in previous_application date columns (same value as DAYS_EMPLOYED's).
NO_DATE = 365243.0
DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class Cat:
    """A categorical column: integer codes into ``levels``; code -1 = missing."""

    codes: np.ndarray
    levels: tuple[str, ...]


class CatBuilder:
    """Builds one categorical column whose rows are filled subset by subset."""

    def __init__(self, n: int):
        self.codes = np.full(n, -1, dtype=np.int16)
        self.levels: list[str] = []

    def _index(self, level: str) -> int:
        if level not in self.levels:
            self.levels.append(level)
        return self.levels.index(level)

    def fill(self, rng, mask, weights: Mapping[str, float], u=None) -> CatBuilder:
        """Draw rows in ``mask`` from ``weights`` (``u``: optional uniforms for those rows)."""
        mask = np.asarray(mask, dtype=bool)
        index = np.array([self._index(level) for level in weights], dtype=np.int16)
        self.codes[mask] = index[draw(rng, int(mask.sum()), list(weights.values()), u)]
        return self

    def set(self, mask, level: str) -> CatBuilder:
        self.codes[np.asarray(mask, dtype=bool)] = self._index(level)
        return self

    def done(self) -> Cat:
        return Cat(self.codes, tuple(self.levels))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def normal_u(z):
    """Uniform(0, 1) from a standard-normal score (logistic approximation of the normal CDF)."""
    return sigmoid(1.702 * np.asarray(z, dtype=np.float64))


def corr_z(rng, driver, rho: float):
    """Standard-normal scores with correlation ``rho`` to the standard-normal ``driver``."""
    driver = np.asarray(driver, dtype=np.float64)
    return rho * driver + np.sqrt(1.0 - rho * rho) * rng.standard_normal(driver.shape)


def corr_u(rng, driver, rho: float):
    """Uniform(0, 1) variates correlated (in normal scores) with ``driver``."""
    return normal_u(corr_z(rng, driver, rho))


def from_quantiles(u, values: Sequence[float], probs: Sequence[float] = P15):
    """Inverse-CDF map of uniforms through a piecewise-linear quantile function."""
    return np.interp(u, probs, values)


def draw(rng, n: int, weights: Sequence[float], u=None) -> np.ndarray:
    """Indices 0..len(weights)-1 drawn with ``weights``; ``u`` gives the uniforms (ordered levels)."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    cum /= cum[-1]
    u = rng.random(n) if u is None else np.asarray(u)
    return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)


def categorical(rng, n: int, weights: Mapping[str, float], u=None, missing: float = 0.0) -> Cat:
    codes = draw(rng, n, list(weights.values()), u).astype(np.int16)
    if missing:
        codes[rng.random(n) < missing] = -1
    return Cat(codes, tuple(weights))


def nb_counts(rng, mean, shape: float) -> np.ndarray:
    """Over-dispersed (gamma-Poisson) counts with the given mean."""
    mean = np.asarray(mean, dtype=np.float64)
    return rng.negative_binomial(shape, shape / (shape + mean)).astype(np.int64)


def expand(counts):
    """Parent index of every child row and the row's position (0-based) within its parent."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return parent, np.arange(parent.size) - starts[parent]


def rnd(x, step: float):
    """Round to a multiple of ``step``."""
    return np.round(np.asarray(x, dtype=np.float64) / step) * step


def with_missing(rng, x, rate: float):
    x = np.asarray(x, dtype=np.float64).copy()
    x[rng.random(x.size) < rate] = np.nan
    return x


def group_mean(values, parent, n: int, fill: float = 0.0):
    """Per-parent mean of ``values`` (``fill`` where a parent has no rows)."""
    cnt = np.bincount(parent, minlength=n)
    tot = np.bincount(parent, weights=values, minlength=n)
    out = np.full(n, fill, dtype=np.float64)
    np.divide(tot, cnt, out=out, where=cnt > 0)
    return out


def group_cumsum(values, counts):
    """Running sum of ``values`` restarted at every group (groups of ``counts`` consecutive rows)."""
    total = np.cumsum(values)
    ends = np.cumsum(counts)
    before = np.concatenate([[0], total])[ends - counts]
    return total - np.repeat(before, counts)
