"""Attributes the product never uses to treat a client differently.

- :data:`PROTECTED_ATTRIBUTES`: may not be a factor in access to credit (sex, under
  Directive 2004/113/EC). Excluded from the model's features by default; kept only to
  measure fairness. No reason, what-if or counterfactual may name one, even when a
  bundle was trained with it.
- :data:`PERSONAL_ATTRIBUTES`: stay model features (age, family), but are facts about
  the person, never levers an advisor proposes or a simulation changes.
"""

from __future__ import annotations

from collections.abc import Iterable

PROTECTED_ATTRIBUTES: tuple[str, ...] = ("CODE_GENDER",)

PERSONAL_ATTRIBUTES: tuple[str, ...] = ("DAYS_BIRTH", "NAME_FAMILY_STATUS", "CNT_CHILDREN", "CNT_FAM_MEMBERS")


def protected(extra: Iterable[str] = ()) -> frozenset[str]:
    """The protected attributes, plus any a bundle declares (e.g. its excluded attributes)."""
    return frozenset(PROTECTED_ATTRIBUTES) | frozenset(extra)


def of_bundle(metadata: object) -> frozenset[str]:
    """Protected attributes for a bundle: the default ones plus those its metadata lists as excluded."""
    extra = metadata.get("excluded_attributes") if isinstance(metadata, dict) else \
        getattr(metadata, "excluded_attributes", None)
    return protected(extra or ())


def never_changed(extra: Iterable[str] = ()) -> frozenset[str]:
    """Fields no simulation or counterfactual may move: protected and personal attributes."""
    return protected(extra) | frozenset(PERSONAL_ATTRIBUTES)
