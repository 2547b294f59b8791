"""Protected attributes: never model features, kept only to measure fairness.

Under EU equal-treatment law (Directive 2004/113/EC) sex may not be a factor in
access to credit, so ``CODE_GENDER`` is excluded from the model by default.
The list is configurable (``EXCLUDED_ATTRIBUTES``, comma separated, in the
environment of training): training drops these columns from the model
features, the fairness report still groups clients by them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

#: Excluded from the model's features unless configured otherwise.
DEFAULT_EXCLUDED: tuple[str, ...] = ("CODE_GENDER",)


def excluded_attributes(configured: Iterable[str] | str | None = None) -> tuple[str, ...]:
    """The attributes excluded from the model: ``configured`` (list or comma-separated text), else the
    ``EXCLUDED_ATTRIBUTES`` environment variable, else :data:`DEFAULT_EXCLUDED`."""
    if configured is None:
        configured = os.environ.get("EXCLUDED_ATTRIBUTES")
        if configured is None:
            return DEFAULT_EXCLUDED
    if isinstance(configured, str):
        configured = configured.split(",")
    return tuple(dict.fromkeys(name.strip() for name in configured if name.strip()))


def model_features(features: Iterable[str], excluded: Iterable[str] | None = None) -> list[str]:
    """``features`` without the excluded protected attributes (order kept)."""
    drop = set(excluded_attributes() if excluded is None else excluded)
    return [f for f in features if f not in drop]
