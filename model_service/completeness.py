"""Warnings about an application too incomplete for its score to mean much (POST /predict)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoring.features.application import raw_application_features

#: Below this many informative application fields given, the score rests mostly on defaults.
MIN_INFORMATIVE_FIELDS = 10

#: Fields that carry most of the model's information; each one missing is named in a warning.
KEY_FIELDS: tuple[str, ...] = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_INCOME_TOTAL", "AMT_GOODS_PRICE",
                               "DAYS_BIRTH", "DAYS_EMPLOYED", "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")

_FIELDS = frozenset(raw_application_features())


def informative_fields(application: Mapping[str, Any]) -> int:
    """How many model application fields are given (not missing)."""
    return sum(1 for name, value in application.items() if name in _FIELDS and value is not None)


def warnings(application: Mapping[str, Any], has_history: bool) -> list[dict[str, Any]]:
    """Plain-language warnings (French ``message``, English ``message_en``) about the input's completeness."""
    out: list[dict[str, Any]] = []
    given = informative_fields(application)
    if given < MIN_INFORMATIVE_FIELDS:
        out.append({
            "code": "few_fields",
            "message": f"Seuls {given} champs de la demande sont renseignés (au moins {MIN_INFORMATIVE_FIELDS} "
                       "attendus) : le score repose surtout sur des valeurs par défaut et n'est pas fiable.",
            "message_en": f"Only {given} application fields are given (at least {MIN_INFORMATIVE_FIELDS} expected): "
                          "the score rests mostly on defaults and is not reliable.",
            "fields": [],
        })
    missing = [name for name in KEY_FIELDS if application.get(name) is None]
    if missing:
        out.append({
            "code": "missing_key_fields",
            "message": f"{len(missing)} champ(s) important(s) manquant(s) : le score en tient compte comme "
                       "valeurs inconnues.",
            "message_en": f"{len(missing)} important field(s) missing: the score treats them as unknown.",
            "fields": missing,
        })
    if not has_history:
        out.append({
            "code": "no_history",
            "message": "Aucun historique de crédit fourni : le score ne s'appuie que sur la demande.",
            "message_en": "No credit history given: the score relies on the application alone.",
            "fields": [],
        })
    return out
