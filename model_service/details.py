"""Readable details of one known client, from its store row (raw application fields)."""

from __future__ import annotations

import math
from typing import Any

from scoring import schema

from . import text

#: Readable name -> raw application field.
FIELDS: dict[str, str] = {
    "gender": "CODE_GENDER",
    "family_status": "NAME_FAMILY_STATUS",
    "children": "CNT_CHILDREN",
    "family_members": "CNT_FAM_MEMBERS",
    "income": "AMT_INCOME_TOTAL",
    "income_type": "NAME_INCOME_TYPE",
    "education": "NAME_EDUCATION_TYPE",
    "occupation": "OCCUPATION_TYPE",
    "organization": "ORGANIZATION_TYPE",
    "contract_type": "NAME_CONTRACT_TYPE",
    "credit": "AMT_CREDIT",
    "annuity": "AMT_ANNUITY",
    "goods_price": "AMT_GOODS_PRICE",
    "housing": "NAME_HOUSING_TYPE",
    "own_car": "FLAG_OWN_CAR",
    "own_realty": "FLAG_OWN_REALTY",
    "car_age": "OWN_CAR_AGE",
    "region_rating": "REGION_RATING_CLIENT",
    "ext_source_1": "EXT_SOURCE_1",
    "ext_source_2": "EXT_SOURCE_2",
    "ext_source_3": "EXT_SOURCE_3",
}
_YES_NO = {"Y": True, "N": False}


def readable(application: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(info values, French display strings) from raw application fields."""
    info: dict[str, Any] = {}
    display: dict[str, str] = {}
    birth = application.get("DAYS_BIRTH")
    info["age"] = round(-birth / 365.25, 1) if isinstance(birth, int | float) else None
    display["age"] = text.format_value("DAYS_BIRTH", birth, "fr")
    employed = application.get("DAYS_EMPLOYED")
    if isinstance(employed, int | float) and employed != schema.DAYS_EMPLOYED_SENTINEL:
        info["employment_years"] = round(-employed / 365.25, 1)
    else:
        info["employment_years"] = None
    info["employed"] = employed != schema.DAYS_EMPLOYED_SENTINEL if employed is not None else None
    display["employment_years"] = text.format_value("DAYS_EMPLOYED", employed, "fr")
    for key, field in FIELDS.items():
        value = application.get(field)
        if isinstance(value, float) and math.isnan(value):
            value = None
        if key in ("own_car", "own_realty") and isinstance(value, str):
            info[key] = _YES_NO.get(value, value)
        else:
            info[key] = value
        display[key] = text.format_value(field, value, "fr")
    income, annuity = info.get("income"), info.get("annuity")
    info["annuity_income_ratio"] = (annuity / income) if isinstance(income, float | int) and income and \
        isinstance(annuity, float | int) else None
    return info, display
