"""Human labels of features for the bundle's metadata, from :mod:`scoring.labels`."""

from __future__ import annotations

from scoring import labels as _labels


def label(name: str, lang: str = "fr") -> str:
    try:
        return str(_labels.label(name, lang)) or name
    except Exception:  # noqa: BLE001 - a label missing for a feature is not fatal
        return name


def unit(name: str) -> str | None:
    try:
        return _labels.unit(name)
    except Exception:  # noqa: BLE001
        return None


def feature_entries(features: list[str], categorical: list[str]) -> list[dict]:
    cat = set(categorical)
    return [{"name": f, "type": "categorical" if f in cat else "numeric", "label": label(f, "fr"),
             "label_en": label(f, "en"), "unit": unit(f)} for f in features]
