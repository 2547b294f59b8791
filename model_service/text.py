"""Advisor-facing words: labels, units and formatted values (``scoring.labels``), and the
plain-language sentence of one explanation contribution.

Every call to ``scoring.labels`` goes through a fallback so that a label
problem never breaks a scoring answer.
"""

from __future__ import annotations

import math
from typing import Any

from scoring import labels as _labels

MISSING_FR = "valeur manquante"
MISSING_EN = "missing"

#: First words of French labels that are feminine nouns (for the agreement of "élevé").
_FEMININE = frozenset({
    "part", "annuité", "annuités", "ancienneté", "région", "ville", "note", "moyenne", "utilisation",
    "utilisations", "dette", "durée", "dispersion", "clôture", "mise", "ouverture", "fin", "adresse",
    "profession", "taille", "heure", "source", "situation", "date", "dernière", "avance", "décision",
    "créances", "échéances", "consultations", "prolongations", "somme", "proportion", "valeur", "densité",
    "surface", "population", "demande", "demandes", "pire",
})
_SUPERLATIVES = frozenset({"plus", "pire", "moins", "meilleur", "meilleure"})
_INVARIANT_PLURAL = frozenset({"mois", "plus", "prix", "taux", "pire"})


def label(name: str, lang: str = "fr") -> str:
    try:
        return str(_labels.label(name, lang))
    except Exception:  # noqa: BLE001 - a label must never break an answer
        return name


def unit(name: str) -> str:
    try:
        return str(_labels.unit(name))
    except Exception:  # noqa: BLE001
        return "number"


def format_value(name: str, value: Any, lang: str = "fr") -> str:
    try:
        return str(_labels.format_value(name, value, lang))
    except Exception:  # noqa: BLE001 - fall back to a plain rendering
        pass
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        text = f"{value:,.2f}"
        return text.replace(",", "\u202f").replace(".", ",") if lang.startswith("fr") else text
    return str(value)


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == "NA"


def level_of(name: str, value: Any, reference: tuple[float, float] | None) -> str | None:
    """"low", "mid" or "high" against the population's terciles (None for flags, text, missing)."""
    if reference is None or is_missing(value) or isinstance(value, str) or unit(name) in ("flag", "category"):
        return None
    low, high = reference
    x = float(value)
    if "DAYS_" in name:  # day offsets are negative: a larger magnitude is the "higher" quantity
        x, low, high = -x, -high, -low
    if x < low:
        return "low"
    if x > high:
        return "high"
    return "mid"


def _adjective_fr(label_fr: str, level: str) -> str:
    if level == "mid":
        return "dans la moyenne"
    first = label_fr.split(" ", 1)[0].lower() if label_fr else ""
    plural = first.endswith(("s", "x")) and first not in _INVARIANT_PLURAL
    if level == "low":
        return "faibles" if plural else "faible"
    return "élevé" + ("e" if first in _FEMININE else "") + ("s" if plural else "")


def sentences(name: str, value: Any, contribution: float, reference: tuple[float, float] | None) -> tuple[str, str]:
    """(French, English) sentence, e.g. "Score externe n° 3 faible (0,21) : augmente le risque"."""
    label_fr, label_en = label(name, "fr"), label(name, "en")
    effect_fr = "augmente le risque" if contribution > 0 else "diminue le risque"
    effect_en = "raises the risk" if contribution > 0 else "lowers the risk"
    if is_missing(value):
        return f"{label_fr} ({MISSING_FR}) : {effect_fr}", f"{label_en} ({MISSING_EN}): {effect_en}"
    shown_fr, shown_en = format_value(name, value, "fr"), format_value(name, value, "en")
    level = level_of(name, value, reference)
    if level is None:
        return f"{label_fr} ({shown_fr}) : {effect_fr}", f"{label_en} ({shown_en}): {effect_en}"
    english = {"low": "is low", "mid": "is average", "high": "is high"}[level]
    if label_fr.split(" ", 1)[0].lower() in _SUPERLATIVES:  # "Plus faible des scores" + "faible" would stutter
        niveau = {"low": "niveau faible", "mid": "niveau moyen", "high": "niveau élevé"}[level]
        return (f"{label_fr} ({shown_fr}, {niveau}) : {effect_fr}",
                f"{label_en} {english} ({shown_en}): {effect_en}")
    return (f"{label_fr} {_adjective_fr(label_fr, level)} ({shown_fr}) : {effect_fr}",
            f"{label_en} {english} ({shown_en}): {effect_en}")
