"""Column-level schema of the eight Home Credit tables (Kaggle names and order).

Every column has one *kind*:

- ``id``     integer key (SK_ID_CURR, SK_ID_BUREAU, SK_ID_PREV), never missing;
- ``target`` the 0/1 label of application_train;
- ``int``    integer-valued measure (written without decimals by Kaggle);
- ``float``  real-valued measure;
- ``cat``    categorical text.

Loading, validation, the synthetic generator and the service's input checks
all read their types from here: there is no type guessing anywhere.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["id", "target", "int", "float", "cat"]

#: Kaggle sentinel meaning "not employed" (pensioners, unemployed) in DAYS_EMPLOYED.
DAYS_EMPLOYED_SENTINEL = 365243

#: The applicant's own fields, in Kaggle order: application_train has them after SK_ID_CURR and TARGET,
#: application_test (no label) right after SK_ID_CURR.
_APPLICATION_FIELDS: tuple[tuple[str, Kind], ...] = (
    ("NAME_CONTRACT_TYPE", "cat"),
    ("CODE_GENDER", "cat"),
    ("FLAG_OWN_CAR", "cat"),
    ("FLAG_OWN_REALTY", "cat"),
    ("CNT_CHILDREN", "int"),
    ("AMT_INCOME_TOTAL", "float"),
    ("AMT_CREDIT", "float"),
    ("AMT_ANNUITY", "float"),
    ("AMT_GOODS_PRICE", "float"),
    ("NAME_TYPE_SUITE", "cat"),
    ("NAME_INCOME_TYPE", "cat"),
    ("NAME_EDUCATION_TYPE", "cat"),
    ("NAME_FAMILY_STATUS", "cat"),
    ("NAME_HOUSING_TYPE", "cat"),
    ("REGION_POPULATION_RELATIVE", "float"),
    ("DAYS_BIRTH", "int"),
    ("DAYS_EMPLOYED", "int"),
    ("DAYS_REGISTRATION", "float"),
    ("DAYS_ID_PUBLISH", "int"),
    ("OWN_CAR_AGE", "float"),
    ("FLAG_MOBIL", "int"),
    ("FLAG_EMP_PHONE", "int"),
    ("FLAG_WORK_PHONE", "int"),
    ("FLAG_CONT_MOBILE", "int"),
    ("FLAG_PHONE", "int"),
    ("FLAG_EMAIL", "int"),
    ("OCCUPATION_TYPE", "cat"),
    ("CNT_FAM_MEMBERS", "float"),
    ("REGION_RATING_CLIENT", "int"),
    ("REGION_RATING_CLIENT_W_CITY", "int"),
    ("WEEKDAY_APPR_PROCESS_START", "cat"),
    ("HOUR_APPR_PROCESS_START", "int"),
    ("REG_REGION_NOT_LIVE_REGION", "int"),
    ("REG_REGION_NOT_WORK_REGION", "int"),
    ("LIVE_REGION_NOT_WORK_REGION", "int"),
    ("REG_CITY_NOT_LIVE_CITY", "int"),
    ("REG_CITY_NOT_WORK_CITY", "int"),
    ("LIVE_CITY_NOT_WORK_CITY", "int"),
    ("ORGANIZATION_TYPE", "cat"),
    ("EXT_SOURCE_1", "float"),
    ("EXT_SOURCE_2", "float"),
    ("EXT_SOURCE_3", "float"),
    ("APARTMENTS_AVG", "float"),
    ("BASEMENTAREA_AVG", "float"),
    ("YEARS_BEGINEXPLUATATION_AVG", "float"),
    ("YEARS_BUILD_AVG", "float"),
    ("COMMONAREA_AVG", "float"),
    ("ELEVATORS_AVG", "float"),
    ("ENTRANCES_AVG", "float"),
    ("FLOORSMAX_AVG", "float"),
    ("FLOORSMIN_AVG", "float"),
    ("LANDAREA_AVG", "float"),
    ("LIVINGAPARTMENTS_AVG", "float"),
    ("LIVINGAREA_AVG", "float"),
    ("NONLIVINGAPARTMENTS_AVG", "float"),
    ("NONLIVINGAREA_AVG", "float"),
    ("APARTMENTS_MODE", "float"),
    ("BASEMENTAREA_MODE", "float"),
    ("YEARS_BEGINEXPLUATATION_MODE", "float"),
    ("YEARS_BUILD_MODE", "float"),
    ("COMMONAREA_MODE", "float"),
    ("ELEVATORS_MODE", "float"),
    ("ENTRANCES_MODE", "float"),
    ("FLOORSMAX_MODE", "float"),
    ("FLOORSMIN_MODE", "float"),
    ("LANDAREA_MODE", "float"),
    ("LIVINGAPARTMENTS_MODE", "float"),
    ("LIVINGAREA_MODE", "float"),
    ("NONLIVINGAPARTMENTS_MODE", "float"),
    ("NONLIVINGAREA_MODE", "float"),
    ("APARTMENTS_MEDI", "float"),
    ("BASEMENTAREA_MEDI", "float"),
    ("YEARS_BEGINEXPLUATATION_MEDI", "float"),
    ("YEARS_BUILD_MEDI", "float"),
    ("COMMONAREA_MEDI", "float"),
    ("ELEVATORS_MEDI", "float"),
    ("ENTRANCES_MEDI", "float"),
    ("FLOORSMAX_MEDI", "float"),
    ("FLOORSMIN_MEDI", "float"),
    ("LANDAREA_MEDI", "float"),
    ("LIVINGAPARTMENTS_MEDI", "float"),
    ("LIVINGAREA_MEDI", "float"),
    ("NONLIVINGAPARTMENTS_MEDI", "float"),
    ("NONLIVINGAREA_MEDI", "float"),
    ("FONDKAPREMONT_MODE", "cat"),
    ("HOUSETYPE_MODE", "cat"),
    ("TOTALAREA_MODE", "float"),
    ("WALLSMATERIAL_MODE", "cat"),
    ("EMERGENCYSTATE_MODE", "cat"),
    ("OBS_30_CNT_SOCIAL_CIRCLE", "float"),
    ("DEF_30_CNT_SOCIAL_CIRCLE", "float"),
    ("OBS_60_CNT_SOCIAL_CIRCLE", "float"),
    ("DEF_60_CNT_SOCIAL_CIRCLE", "float"),
    ("DAYS_LAST_PHONE_CHANGE", "float"),
    ("FLAG_DOCUMENT_2", "int"),
    ("FLAG_DOCUMENT_3", "int"),
    ("FLAG_DOCUMENT_4", "int"),
    ("FLAG_DOCUMENT_5", "int"),
    ("FLAG_DOCUMENT_6", "int"),
    ("FLAG_DOCUMENT_7", "int"),
    ("FLAG_DOCUMENT_8", "int"),
    ("FLAG_DOCUMENT_9", "int"),
    ("FLAG_DOCUMENT_10", "int"),
    ("FLAG_DOCUMENT_11", "int"),
    ("FLAG_DOCUMENT_12", "int"),
    ("FLAG_DOCUMENT_13", "int"),
    ("FLAG_DOCUMENT_14", "int"),
    ("FLAG_DOCUMENT_15", "int"),
    ("FLAG_DOCUMENT_16", "int"),
    ("FLAG_DOCUMENT_17", "int"),
    ("FLAG_DOCUMENT_18", "int"),
    ("FLAG_DOCUMENT_19", "int"),
    ("FLAG_DOCUMENT_20", "int"),
    ("FLAG_DOCUMENT_21", "int"),
    ("AMT_REQ_CREDIT_BUREAU_HOUR", "float"),
    ("AMT_REQ_CREDIT_BUREAU_DAY", "float"),
    ("AMT_REQ_CREDIT_BUREAU_WEEK", "float"),
    ("AMT_REQ_CREDIT_BUREAU_MON", "float"),
    ("AMT_REQ_CREDIT_BUREAU_QRT", "float"),
    ("AMT_REQ_CREDIT_BUREAU_YEAR", "float"),
)

#: Table name -> ordered (column, kind) pairs, exactly as in the Kaggle files.
TABLES: dict[str, tuple[tuple[str, Kind], ...]] = {
    "application_train": (("SK_ID_CURR", "id"), ("TARGET", "target"), *_APPLICATION_FIELDS),
    "application_test": (("SK_ID_CURR", "id"), *_APPLICATION_FIELDS),
    "bureau": (
        ("SK_ID_CURR", "id"),
        ("SK_ID_BUREAU", "id"),
        ("CREDIT_ACTIVE", "cat"),
        ("CREDIT_CURRENCY", "cat"),
        ("DAYS_CREDIT", "int"),
        ("CREDIT_DAY_OVERDUE", "int"),
        ("DAYS_CREDIT_ENDDATE", "float"),
        ("DAYS_ENDDATE_FACT", "float"),
        ("AMT_CREDIT_MAX_OVERDUE", "float"),
        ("CNT_CREDIT_PROLONG", "int"),
        ("AMT_CREDIT_SUM", "float"),
        ("AMT_CREDIT_SUM_DEBT", "float"),
        ("AMT_CREDIT_SUM_LIMIT", "float"),
        ("AMT_CREDIT_SUM_OVERDUE", "float"),
        ("CREDIT_TYPE", "cat"),
        ("DAYS_CREDIT_UPDATE", "int"),
        ("AMT_ANNUITY", "float"),
    ),
    "bureau_balance": (
        ("SK_ID_BUREAU", "id"),
        ("MONTHS_BALANCE", "int"),
        ("STATUS", "cat"),
    ),
    "previous_application": (
        ("SK_ID_PREV", "id"),
        ("SK_ID_CURR", "id"),
        ("NAME_CONTRACT_TYPE", "cat"),
        ("AMT_ANNUITY", "float"),
        ("AMT_APPLICATION", "float"),
        ("AMT_CREDIT", "float"),
        ("AMT_DOWN_PAYMENT", "float"),
        ("AMT_GOODS_PRICE", "float"),
        ("WEEKDAY_APPR_PROCESS_START", "cat"),
        ("HOUR_APPR_PROCESS_START", "int"),
        ("FLAG_LAST_APPL_PER_CONTRACT", "cat"),
        ("NFLAG_LAST_APPL_IN_DAY", "int"),
        ("RATE_DOWN_PAYMENT", "float"),
        ("RATE_INTEREST_PRIMARY", "float"),
        ("RATE_INTEREST_PRIVILEGED", "float"),
        ("NAME_CASH_LOAN_PURPOSE", "cat"),
        ("NAME_CONTRACT_STATUS", "cat"),
        ("DAYS_DECISION", "int"),
        ("NAME_PAYMENT_TYPE", "cat"),
        ("CODE_REJECT_REASON", "cat"),
        ("NAME_TYPE_SUITE", "cat"),
        ("NAME_CLIENT_TYPE", "cat"),
        ("NAME_GOODS_CATEGORY", "cat"),
        ("NAME_PORTFOLIO", "cat"),
        ("NAME_PRODUCT_TYPE", "cat"),
        ("CHANNEL_TYPE", "cat"),
        ("SELLERPLACE_AREA", "int"),
        ("NAME_SELLER_INDUSTRY", "cat"),
        ("CNT_PAYMENT", "float"),
        ("NAME_YIELD_GROUP", "cat"),
        ("PRODUCT_COMBINATION", "cat"),
        ("DAYS_FIRST_DRAWING", "float"),
        ("DAYS_FIRST_DUE", "float"),
        ("DAYS_LAST_DUE_1ST_VERSION", "float"),
        ("DAYS_LAST_DUE", "float"),
        ("DAYS_TERMINATION", "float"),
        ("NFLAG_INSURED_ON_APPROVAL", "float"),
    ),
    "POS_CASH_balance": (
        ("SK_ID_PREV", "id"),
        ("SK_ID_CURR", "id"),
        ("MONTHS_BALANCE", "int"),
        ("CNT_INSTALMENT", "float"),
        ("CNT_INSTALMENT_FUTURE", "float"),
        ("NAME_CONTRACT_STATUS", "cat"),
        ("SK_DPD", "int"),
        ("SK_DPD_DEF", "int"),
    ),
    "installments_payments": (
        ("SK_ID_PREV", "id"),
        ("SK_ID_CURR", "id"),
        ("NUM_INSTALMENT_VERSION", "float"),
        ("NUM_INSTALMENT_NUMBER", "int"),
        ("DAYS_INSTALMENT", "float"),
        ("DAYS_ENTRY_PAYMENT", "float"),
        ("AMT_INSTALMENT", "float"),
        ("AMT_PAYMENT", "float"),
    ),
    "credit_card_balance": (
        ("SK_ID_PREV", "id"),
        ("SK_ID_CURR", "id"),
        ("MONTHS_BALANCE", "int"),
        ("AMT_BALANCE", "float"),
        ("AMT_CREDIT_LIMIT_ACTUAL", "int"),
        ("AMT_DRAWINGS_ATM_CURRENT", "float"),
        ("AMT_DRAWINGS_CURRENT", "float"),
        ("AMT_DRAWINGS_OTHER_CURRENT", "float"),
        ("AMT_DRAWINGS_POS_CURRENT", "float"),
        ("AMT_INST_MIN_REGULARITY", "float"),
        ("AMT_PAYMENT_CURRENT", "float"),
        ("AMT_PAYMENT_TOTAL_CURRENT", "float"),
        ("AMT_RECEIVABLE_PRINCIPAL", "float"),
        ("AMT_RECIVABLE", "float"),
        ("AMT_TOTAL_RECEIVABLE", "float"),
        ("CNT_DRAWINGS_ATM_CURRENT", "float"),
        ("CNT_DRAWINGS_CURRENT", "int"),
        ("CNT_DRAWINGS_OTHER_CURRENT", "float"),
        ("CNT_DRAWINGS_POS_CURRENT", "float"),
        ("CNT_INSTALMENT_MATURE_CUM", "float"),
        ("NAME_CONTRACT_STATUS", "cat"),
        ("SK_DPD", "int"),
        ("SK_DPD_DEF", "int"),
    ),
}

#: Tables that must exist in a data directory (a header-only file counts).
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

#: Parent key of each table, and the table that holds the parent rows.
PARENT_KEY: dict[str, tuple[str, str]] = {
    "bureau": ("SK_ID_CURR", "application"),
    "bureau_balance": ("SK_ID_BUREAU", "bureau"),
    "previous_application": ("SK_ID_CURR", "application"),
    "POS_CASH_balance": ("SK_ID_CURR", "application"),
    "installments_payments": ("SK_ID_CURR", "application"),
    "credit_card_balance": ("SK_ID_CURR", "application"),
}

#: Optional file with Kaggle's own column descriptions (Latin-1, read only for cross-reference).
DESCRIPTION_FILE = "HomeCredit_columns_description.csv"


def columns(table: str) -> list[str]:
    """Ordered column names of ``table``."""
    return [name for name, _ in TABLES[table]]


def kinds(table: str) -> dict[str, Kind]:
    """Column name -> kind for ``table``."""
    return dict(TABLES[table])


def columns_of_kind(table: str, *wanted: Kind) -> list[str]:
    """Columns of ``table`` whose kind is one of ``wanted`` (in file order)."""
    return [name for name, kind in TABLES[table] if kind in wanted]


#: Application columns an applicant provides (everything but the key and the label).
APPLICATION_FIELDS: tuple[str, ...] = tuple(
    c for c, k in TABLES["application_test"] if k != "id"
)
APPLICATION_CATEGORICALS: tuple[str, ...] = tuple(columns_of_kind("application_test", "cat"))
