"""Protected attributes: never model features, kept only to measure fairness; and the
personal attributes that are never levers.

Under EU equal-treatment law (Directive 2004/113/EC) sex may not be a factor in
access to credit, so ``CODE_GENDER`` is excluded from the model by default.
The list is configurable (``EXCLUDED_ATTRIBUTES``, comma separated, in the
environment of training): training drops these columns from the model
features, the fairness report still groups clients by them.

The service makes sure no reason, what-if or counterfactual can name a protected
attribute, even when a bundle was trained with one (:func:`protected`, :func:`of_bundle`).
:data:`PERSONAL_ATTRIBUTES` stay model features (age, family), but are facts about the
person: never levers an advisor proposes or a simulation changes (:func:`never_changed`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

#: Excluded from the model's features unless configured otherwise.
DEFAULT_EXCLUDED: tuple[str, ...] = ("CODE_GENDER",)

#: Never named by a reason, a what-if or a counterfactual, whatever the bundle.
PROTECTED_ATTRIBUTES: tuple[str, ...] = DEFAULT_EXCLUDED

PERSONAL_ATTRIBUTES: tuple[str, ...] = ("DAYS_BIRTH", "NAME_FAMILY_STATUS", "CNT_CHILDREN", "CNT_FAM_MEMBERS")


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


def protected(extra: Iterable[str] = ()) -> frozenset[str]:
    """The protected attributes, plus any a bundle declares (e.g. its excluded attributes)."""
    return frozenset(PROTECTED_ATTRIBUTES) | frozenset(extra)


def of_bundle(metadata: object) -> frozenset[str]:
    """Protected attributes for a bundle: the default ones plus those its metadata lists as excluded."""
    extra = metadata.get("excluded_attributes") if isinstance(metadata, dict) else \
        getattr(metadata, "excluded_attributes", None)
    if isinstance(extra, str):
        extra = [name.strip() for name in extra.split(",") if name.strip()]
    return protected(extra or ())


def never_changed(extra: Iterable[str] = ()) -> frozenset[str]:
    """Fields no simulation or counterfactual may move: protected and personal attributes."""
    return protected(extra) | frozenset(PERSONAL_ATTRIBUTES)
