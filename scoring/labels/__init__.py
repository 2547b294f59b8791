"""Plain-language labels, units and display formatting of columns and model features.

The product shows feature names to loan advisors (French UI) and in English
documentation. Every label here was written for this product; Kaggle's
``HomeCredit_columns_description.csv`` is only read by :func:`kaggle_descriptions`
for cross-reference and none of its text is reused.

- :func:`label` — short label of any raw column (of any table) or model feature;
- :func:`unit` — display unit of a column or feature (one of :data:`UNITS`);
- :func:`category_label` — advisor-facing text of a category value;
- :func:`format_value` — a value written for humans ("55 ans", "112 500", "23 %", "Oui");
- :data:`FEATURE_GROUPS` / :func:`feature_group` — the group a feature belongs to.

Languages are ``"fr"`` (default) and ``"en"``; any other code falls back to
English (``"fr-FR"`` counts as French). Nothing here raises on unknown names
or odd values: the raw name or value is returned instead.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from scoring import schema
from scoring.labels import _en, _fr

__all__ = [
    "UNITS", "Unit", "MISSING", "FEATURE_GROUPS", "label", "unit", "category_label",
    "format_value", "feature_group", "kaggle_descriptions",
]

Unit = Literal["money", "days", "years", "ratio", "share", "count", "score", "flag", "category", "number"]

#: Every display unit. ``share`` is a 0-1 fraction shown as a percentage, ``score`` a 0-1
#: external score, ``days``/``years`` durations or dates relative to the application.
UNITS: tuple[str, ...] = ("money", "days", "years", "ratio", "share", "count", "score", "flag", "category", "number")

#: Text shown for a missing value.
MISSING = "—"

#: Feature-name prefix -> (French, English) group name; "" is the raw application fields.
FEATURE_GROUPS: dict[str, tuple[str, str]] = {prefix: (_fr.GROUPS[prefix], _en.GROUPS[prefix]) for prefix in _fr.GROUPS}

#: Thousands separator of French numbers (narrow no-break space).
FR_THOUSANDS = "\u202f"

#: Kaggle's "not employed" placeholder in DAYS_EMPLOYED, also used for missing dates of previous applications.
_DAY_SENTINEL = schema.DAYS_EMPLOYED_SENTINEL

# --- Units ------------------------------------------------------------------------------------------
#: Unit of every engineered feature (APP_* and history aggregates), chosen one by one.
_FEATURE_UNITS: dict[str, str] = {
    **dict.fromkeys((
        "APP_CREDIT_GOODS_DIFF", "APP_INCOME_PER_PERSON", "BURO_AMT_CREDIT_MAX_OVERDUE_MAX",
        "BURO_AMT_CREDIT_SUM_SUM", "BURO_AMT_CREDIT_SUM_MEAN", "BURO_AMT_CREDIT_SUM_MAX",
        "BURO_AMT_CREDIT_SUM_DEBT_SUM", "BURO_AMT_CREDIT_SUM_DEBT_MEAN", "BURO_AMT_CREDIT_SUM_OVERDUE_SUM",
        "BURO_AMT_CREDIT_SUM_LIMIT_SUM", "BURO_AMT_ANNUITY_SUM", "BURO_ACTIVE_DEBT_SUM",
        "PREV_AMT_APPLICATION_MEAN", "PREV_AMT_CREDIT_MEAN", "PREV_AMT_ANNUITY_MEAN", "PREV_AMT_DOWN_PAYMENT_MEAN",
        "PREV_APPROVED_AMT_CREDIT_MEAN", "INSTAL_PAYMENT_DIFF_SUM", "INSTAL_AMT_PAYMENT_SUM",
        "INSTAL_AMT_INSTALMENT_MEAN", "CC_AMT_BALANCE_MEAN", "CC_AMT_BALANCE_MAX",
        "CC_AMT_CREDIT_LIMIT_ACTUAL_MEAN", "CC_AMT_DRAWINGS_CURRENT_MEAN", "CC_AMT_DRAWINGS_ATM_CURRENT_MEAN",
        "CC_AMT_PAYMENT_CURRENT_MEAN", "CC_AMT_TOTAL_RECEIVABLE_MEAN",
    ), "money"),
    **dict.fromkeys((
        "BURO_DAYS_CREDIT_MAX", "BURO_DAYS_CREDIT_ENDDATE_MEAN", "BURO_DAYS_CREDIT_ENDDATE_MAX",
        "BURO_DAYS_ENDDATE_FACT_MEAN", "BURO_DAYS_CREDIT_UPDATE_MEAN", "BURO_CREDIT_DAY_OVERDUE_MAX",
        "PREV_DAYS_DECISION_MAX", "PREV_DAYS_LAST_DUE_1ST_VERSION_MAX", "PREV_DAYS_TERMINATION_MAX",
        "POS_SK_DPD_MAX", "POS_SK_DPD_MEAN", "POS_SK_DPD_DEF_MAX", "INSTAL_DPD_MEAN", "INSTAL_DPD_MAX",
        "INSTAL_DBD_MEAN", "CC_SK_DPD_MAX", "CC_SK_DPD_MEAN",
    ), "days"),
    **dict.fromkeys((
        "APP_AGE_YEARS", "BURO_DAYS_CREDIT_MEAN", "BURO_DAYS_CREDIT_MIN", "BB_MONTHS_BALANCE_MIN",
        "PREV_DAYS_DECISION_MEAN", "POS_MONTHS_BALANCE_MIN",
    ), "years"),
    **dict.fromkeys((
        "APP_CREDIT_INCOME_RATIO", "APP_CREDIT_TERM", "PREV_APPLICATION_CREDIT_RATIO_MEAN",
        "CC_PAYMENT_MIN_RATIO_MEAN",
    ), "ratio"),
    **dict.fromkeys((
        "APP_ANNUITY_INCOME_RATIO", "APP_ANNUITY_CREDIT_RATIO", "APP_GOODS_CREDIT_RATIO", "APP_EMPLOYED_AGE_RATIO",
        "APP_ANNUITY_PER_PERSON_RATIO", "APP_CHILDREN_RATIO", "APP_REGISTRATION_AGE_RATIO",
        "APP_ID_PUBLISH_AGE_RATIO", "APP_PHONE_CHANGE_AGE_RATIO", "APP_CAR_AGE_RATIO", "BURO_ACTIVE_SHARE",
        "BURO_DEBT_CREDIT_RATIO", "BURO_ACTIVE_DEBT_CREDIT_RATIO", "BURO_CREDIT_CARD_SHARE",
        "BURO_MORTGAGE_CAR_SHARE", "BURO_MICROLOAN_SHARE", "BB_LATE_SHARE", "BB_RECENT_LATE_SHARE",
        "BB_CLOSED_SHARE", "BB_UNKNOWN_SHARE", "PREV_APPROVED_SHARE", "PREV_REFUSED_SHARE",
        "PREV_RATE_DOWN_PAYMENT_MEAN", "PREV_HIGH_YIELD_SHARE", "POS_LATE_SHARE", "POS_COMPLETED_SHARE",
        "INSTAL_LATE_SHARE", "INSTAL_PAYMENT_RATIO_MEAN", "INSTAL_UNDERPAID_SHARE", "CC_UTILISATION_MEAN",
        "CC_UTILISATION_MAX", "CC_RECENT_UTILISATION_MEAN", "CC_LATE_SHARE",
    ), "share"),
    **dict.fromkeys((
        "APP_EXT_SOURCE_NAN_COUNT", "APP_DOCUMENT_COUNT", "APP_CONTACT_COUNT", "APP_BUREAU_REQ_TOTAL", "BURO_COUNT",
        "BURO_ACTIVE_COUNT", "BURO_BAD_DEBT_COUNT", "BURO_OVERDUE_COUNT", "BURO_CNT_CREDIT_PROLONG_SUM",
        "BB_MONTHS_COUNT", "BB_LATE_COUNT", "BB_SEVERE_LATE_COUNT", "PREV_COUNT", "PREV_REFUSED_COUNT",
        "PREV_CNT_PAYMENT_MEAN", "POS_MONTHS_COUNT", "POS_CNT_INSTALMENT_FUTURE_MEAN", "INSTAL_COUNT",
        "CC_MONTHS_COUNT", "CC_CNT_DRAWINGS_CURRENT_MEAN", "CC_CNT_INSTALMENT_MATURE_CUM_MAX",
    ), "count"),
    **dict.fromkeys((
        "APP_EXT_SOURCE_MEAN", "APP_EXT_SOURCE_PROD", "APP_EXT_SOURCE_WEIGHTED", "APP_EXT_SOURCE_MIN",
        "APP_EXT_SOURCE_MAX",
    ), "score"),
    **dict.fromkeys((
        "APP_DAYS_EMPLOYED_ANOM",
    ), "flag"),
    **dict.fromkeys((
        "APP_EXT_SOURCE_STD", "BB_STATUS_MAX",
    ), "number"),
    # status/type, status-count and recent-window groups (issue 12)
    **dict.fromkeys((
        "BURO_ACT_AMT_CREDIT_SUM_SUM", "BURO_ACT_AMT_CREDIT_SUM_DEBT_MEAN", "BURO_ACT_AMT_CREDIT_SUM_OVERDUE_SUM",
        "BURO_ACT_AMT_ANNUITY_SUM", "BURO_CLS_AMT_CREDIT_SUM_MEAN", "BURO_CLS_AMT_CREDIT_MAX_OVERDUE_MAX",
        "BURO_CONSUMER_ACT_DEBT_SUM", "BURO_CARD_ACT_DEBT_SUM", "BURO_CARD_ACT_LIMIT_SUM", "CC_R3_AMT_BALANCE_MEAN",
        "CC_R3_AMT_DRAWINGS_CURRENT_MEAN", "CC_R12_AMT_DRAWINGS_CURRENT_MEAN",
    ), "money"),
    **dict.fromkeys((
        "BURO_ACT_DAYS_CREDIT_ENDDATE_MIN", "BURO_ACT_DAYS_CREDIT_ENDDATE_MAX", "BURO_ACT_DAYS_CREDIT_UPDATE_MEAN",
        "BURO_CLS_DAYS_ENDDATE_FACT_MAX", "BURO_CONSUMER_DAYS_CREDIT_MAX", "CC_R12_SK_DPD_MAX",
    ), "days"),
    **dict.fromkeys((
        "BURO_ACT_DAYS_CREDIT_MEAN", "BURO_CLS_DAYS_CREDIT_MEAN", "BB_LATE_MONTHS_BALANCE_MAX",
    ), "years"),
    **dict.fromkeys(("CC_R3_PAYMENT_MIN_RATIO_MEAN", "CC_R12_PAYMENT_MIN_RATIO_MEAN",), "ratio"),
    **dict.fromkeys((
        "BURO_CLS_EARLY_SHARE", "BURO_CONSUMER_ACT_DEBT_CREDIT_RATIO", "BB_ONTIME_SHARE", "BB_RECENT6_LATE_SHARE",
        "BB_RECENT24_LATE_SHARE", "CC_R3_UTILISATION_MEAN", "CC_R12_UTILISATION_MEAN", "CC_R12_UTILISATION_MAX",
        "CC_R12_UNDERPAID_SHARE", "CC_R12_LATE_SHARE",
    ), "share"),
    **dict.fromkeys((
        "BURO_CLS_COUNT", "BURO_CONSUMER_COUNT", "BURO_CARD_COUNT", "BURO_TYPE_DISTINCT_COUNT", "BB_DPD1_COUNT",
        "BB_RECENT6_LATE_COUNT", "BB_LATE_CREDIT_COUNT", "CC_R12_CNT_DRAWINGS_CURRENT_MEAN",
    ), "count"),
    **dict.fromkeys(("BB_RECENT12_STATUS_MAX",), "number"),
}

#: Raw columns whose unit the naming rules of :func:`_name_unit` would get wrong.
_RAW_UNITS: dict[str, str] = {
    "TARGET": "flag",
    "DAYS_BIRTH": "years",
    "DAYS_EMPLOYED": "years",
    "DAYS_REGISTRATION": "years",
    "DAYS_ID_PUBLISH": "years",
    "OWN_CAR_AGE": "years",
    "MONTHS_BALANCE": "years",
    "EXT_SOURCE_1": "score",
    "EXT_SOURCE_2": "score",
    "EXT_SOURCE_3": "score",
    "RATE_DOWN_PAYMENT": "share",
    "RATE_INTEREST_PRIMARY": "share",
    "RATE_INTEREST_PRIVILEGED": "share",
    "CREDIT_DAY_OVERDUE": "days",
    "SK_DPD": "days",
    "SK_DPD_DEF": "days",
    "NUM_INSTALMENT_NUMBER": "count",
    "NUM_INSTALMENT_VERSION": "number",
    "FLAG_LAST_APPL_PER_CONTRACT": "category",
}

_KINDS: dict[str, str] = {c: k for cols in schema.TABLES.values() for c, k in cols}

#: Day counts shown as plain durations (age, job tenure) rather than "n days ago".
_DURATIONS = frozenset({"DAYS_BIRTH", "DAYS_EMPLOYED"})
#: Ages, shown in whole years.
_AGES = frozenset({"DAYS_BIRTH", "APP_AGE_YEARS"})


def _name_unit(name: str) -> str:
    """Unit from the naming conventions of the Kaggle columns and of the aggregates built from them."""
    if name in _RAW_UNITS:
        return _RAW_UNITS[name]
    kind = _KINDS.get(name)
    if kind in ("cat", "id"):
        return "category"
    base = name.split("_", 1)[1] if name.startswith(("BURO_", "BB_", "PREV_", "POS_", "INSTAL_", "CC_")) else name
    if base.startswith(("AMT_REQ_", "CNT_")) or name.endswith("_COUNT") or "_CNT_" in base:
        return "count"
    if base.startswith("AMT_"):
        return "money"
    if base.startswith(("FLAG_", "NFLAG_")) or "_NOT_" in base:
        return "flag"
    if base.startswith("DAYS_") or base.startswith(("SK_DPD", "CREDIT_DAY_OVERDUE")):
        return "days"
    if base.endswith("_SHARE"):
        return "share"
    return "number"


def unit(name: str) -> str:
    """Display unit of a raw column or model feature (one of :data:`UNITS`; ``"number"`` if unknown)."""
    name = str(name)
    return _FEATURE_UNITS.get(name) or _name_unit(name)


# --- Labels -----------------------------------------------------------------------------------------
def _lang(lang: str | None) -> ModuleType:
    return _fr if str(lang or "fr").lower().startswith("fr") else _en


def label(name: str, lang: str = "fr", *, table: str | None = None) -> str:
    """Short plain-language label of a raw column or model feature.

    ``table`` (a Kaggle table name such as ``"previous_application"``) picks the
    meaning of a column that several tables share (AMT_CREDIT, SK_DPD, ...);
    without it the application meaning is used. Unknown names come back unchanged.
    """
    name = str(name)
    data = _lang(lang)
    if table is not None and (table, name) in data.TABLE_COLUMNS:
        return data.TABLE_COLUMNS[(table, name)]
    return data.FEATURES.get(name) or data.COLUMNS.get(name) or name


def feature_group(name: str, lang: str = "fr") -> str:
    """Group name of a model feature (by prefix); raw application fields form the "" group."""
    index = 0 if _lang(lang) is _fr else 1
    prefix = next((p for p in FEATURE_GROUPS if p and str(name).startswith(p)), "")
    return FEATURE_GROUPS[prefix][index]


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in ("", "NA", "nan", "NaN", "None")
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):  # pandas.NA refuses bool()
        return True


def _category_key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def category_label(column: str, value: Any, lang: str = "fr") -> str:
    """Advisor-facing text of a category value of ``column``.

    French has a translation for every level of the main application
    categoricals; English shows the raw value except for coded ones (Y/N, F/M,
    XNA...). Unknown levels come back as the raw value; missing ones as "—".
    """
    if _is_missing(value):
        return MISSING
    key = _category_key(value)
    data = _lang(lang)
    return data.CATEGORIES.get(str(column), {}).get(key) or data.COMMON_CATEGORIES.get(key) or key


# --- Formatting -------------------------------------------------------------------------------------
def _num(x: float, decimals: int, lang: str, *, strip: bool = True) -> str:
    """``x`` with thousands separators; French uses a narrow no-break space and a decimal comma."""
    text = f"{x:,.{decimals}f}"
    if strip and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0"
    if _lang(lang) is _fr:
        text = text.replace(",", FR_THOUSANDS).replace(".", ",")
    return text


def _auto_decimals(x: float) -> int:
    size = abs(x)
    return 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3


def _with_noun(amount: float, decimals: int, singular: str, lang: str) -> str:
    data = _lang(lang)
    text = _num(amount, decimals, lang)
    shown = abs(round(amount, decimals))
    one = shown < 2 if data is _fr else shown == 1
    return f"{text} {data.WORDS[singular if one else singular + 's']}"


def _time(name: str, x: float, shown_in: str, lang: str) -> str:
    """Days, months or years; relative offsets (negative = before the application) read "il y a ..."."""
    dated = "MONTHS_BALANCE" in name or "DAYS_" in name
    source = ("months" if "MONTHS_BALANCE" in name else "days") if dated else shown_in
    relative = dated and name not in _DURATIONS
    size = abs(x)
    if shown_in == "years" and source != "years":
        years = size / (12.0 if source == "months" else 365.25)
        if years >= 1:
            size, source = years, "years"
    if name in _AGES:
        text = _with_noun(math.floor(size / 365.25 if source == "days" else size), 0, "year", lang)
    elif source == "years":
        text = _with_noun(size, 1, "year", lang)
    elif source == "months":
        text = _with_noun(size, 0, "month", lang)
    else:
        text = _with_noun(size, 0 if size >= 10 else 1, "day", lang)
    if not relative:
        return text
    words = _lang(lang).WORDS
    if x == 0:
        return words["today"]
    return (words["ago"] if x < 0 else words["ahead"]).format(text)


def format_value(name: str, value: Any, lang: str = "fr") -> str:
    """``value`` of column or feature ``name`` written for humans, in the unit of :func:`unit`.

    Examples (French): money "112 500", DAYS_BIRTH=-20099 "55 ans", DAYS_REGISTRATION
    "il y a 3,2 ans", share "23 %", score "0,52", flag "Oui"/"Non", category
    "Salarié", missing "—". English uses "," for thousands and "." for decimals.
    """
    name = str(name)
    if _is_missing(value):
        return MISSING
    kind = unit(name)
    data = _lang(lang)
    if kind == "category":
        return category_label(name, value, lang)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return category_label(name, value, lang)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return MISSING
    if "DAYS_" in name and kind in ("days", "years") and x == _DAY_SENTINEL:
        return data.WORDS["not_employed"] if name == "DAYS_EMPLOYED" else MISSING
    if name == "HOUR_APPR_PROCESS_START" and x.is_integer():
        return f"{int(x)} h" if data is _fr else f"{int(x):02d}:00"
    if name == "BB_STATUS_MAX" and x.is_integer() and int(x) in data.LATENESS_LEVELS:
        return data.LATENESS_LEVELS[int(x)]
    if kind == "flag" and x in (0.0, 1.0):
        return data.WORDS["yes" if x else "no"]
    if kind == "money":
        return _num(x, 0, lang)
    if kind in ("days", "years"):
        return _time(name, x, kind, lang)
    if kind == "share":
        percent = x * 100
        text = _num(percent, 1 if abs(percent) < 10 else 0, lang)
        return f"{text} %" if data is _fr else f"{text}%"
    if kind == "score":
        return _num(x, 2, lang, strip=False)
    if kind == "ratio":
        return _num(x, 2 if abs(x) < 10 else 1 if abs(x) < 100 else 0, lang)
    if kind == "count":
        return _num(x, 0 if x.is_integer() else 1, lang)
    return _num(x, _auto_decimals(x), lang)


# --- Kaggle cross-reference -------------------------------------------------------------------------
#: Kaggle description-file column names that differ from the data files.
_KAGGLE_ALIASES = {"SK_BUREAU_ID": "SK_ID_BUREAU"}


def kaggle_descriptions(data_dir: str | Path) -> dict[tuple[str, str], str]:
    """Kaggle's own description of each column, keyed by (table, column), for cross-reference only.

    Reads ``HomeCredit_columns_description.csv`` (Latin-1) in ``data_dir``.
    Table names lose their ``.csv``; the shared application row is keyed under
    both ``application_train`` and ``application_test`` (TARGET under train only).
    Returns {} when the file is absent or unreadable. Never shown to users.
    """
    path = Path(data_dir) / schema.DESCRIPTION_FILE
    if not path.is_file():
        return {}
    out: dict[tuple[str, str], str] = {}
    try:
        with path.open(encoding="latin-1", newline="") as handle:
            for row in csv.DictReader(handle):
                table = (row.get("Table") or "").strip().removesuffix(".csv")
                column = (row.get("Row") or "").strip()
                text = (row.get("Description") or "").strip()
                if not table or not column or not text:
                    continue
                column = _KAGGLE_ALIASES.get(column, column)
                if table.startswith("application_"):
                    tables = ["application_train"] + ([] if column == "TARGET" else ["application_test"])
                else:
                    tables = [table]
                for name in tables:
                    out[(name, column)] = text
    except (OSError, csv.Error, UnicodeDecodeError):
        return {}
    return out
