"""Human units for the values a person reads: the model's raw encodings (negative day counts, 0-1 shares)
turned into years, days, % and €, from the unit the service names for each feature (``/model`` features,
``/population``)."""

from __future__ import annotations

import math

YEAR_DAYS = 365.25

#: unit -> (axis suffix, French word for the axis title)
SUFFIX = {"years": ("ans", "en années"), "days": ("j", "en jours"), "share": ("%", "en %"), "money": ("€", "en €")}


def _is_day_count(name: str) -> bool:
    """Kaggle's DAYS_* columns and their aggregates count days before the application (negative)."""
    return name.startswith("DAYS_") or "_DAYS_" in name


def to_human(name: str, unit: str | None, value):
    """One raw value in the unit a person reads (None and text unchanged)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(float(value)):
        return value
    x = float(value)
    if _is_day_count(name) and unit == "years":
        return -x / YEAR_DAYS  # -13 474 days -> 36.9 years
    if _is_day_count(name) and unit == "days":
        return -x  # days before the application, as a positive count
    if unit == "share":
        return 100.0 * x
    return x


def axis_title(label: str, unit: str | None) -> str:
    """'Âge (en années)': the label with its unit, unless the label already says it."""
    words = SUFFIX.get(unit or "")
    if not words or words[0] in label or words[1].split()[-1] in label:
        return label
    return f"{label} ({words[1]})"


def suffix(unit: str | None) -> str:
    return SUFFIX.get(unit or "", ("",))[0]
