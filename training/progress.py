"""Progress bars with an ETA for the long training steps (tqdm, on stderr).

Shown on an interactive terminal only: tqdm turns itself off when stderr is not a TTY (logs, CI, the
benchmark's child process) and under pytest. ``TRAINING_PROGRESS=1`` forces the bars on, ``0`` off.
"""

from __future__ import annotations

import os
import sys

from tqdm import tqdm


def _disabled() -> bool | None:
    forced = os.environ.get("TRAINING_PROGRESS", "").strip().lower()
    if forced in {"1", "true", "yes"}:
        return False
    if forced in {"0", "false", "no"} or "PYTEST_CURRENT_TEST" in os.environ:
        return True
    return None  # tqdm: off when the stream is not a TTY


def bar(total: float, desc: str, unit: str = "fit") -> tqdm:
    """A bar of ``total`` units on stderr (use as a context manager; ``.update()`` after each unit)."""
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=_disabled(), dynamic_ncols=True,
                smoothing=0.1)


class CatBoostBar:
    """CatBoost ``fit(callbacks=[...])`` hook: one bar tick per boosting iteration."""

    def __init__(self, bar: tqdm):
        self.bar = bar

    def after_iteration(self, info) -> bool:
        self.bar.update(1)
        return True  # keep training
