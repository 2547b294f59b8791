"""Labels, units and display formatting (scoring.labels)."""

from __future__ import annotations

import difflib
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from scoring import labels, schema
from scoring.features import categorical_features, feature_names
from scoring.features.application import APPLICATION_FEATURES
from scoring.features.history import history_feature_names
from scoring.labels import _en, _fr

LANGS = ("fr", "en")
FEATURES = feature_names()
ENGINEERED = list(APPLICATION_FEATURES) + history_feature_names()
SCHEMA_COLUMNS = [(table, column) for table, cols in schema.TABLES.items() for column, _ in cols]
MAIN_CATEGORICALS = (
    "NAME_CONTRACT_TYPE", "CODE_GENDER", "NAME_INCOME_TYPE", "NAME_EDUCATION_TYPE", "NAME_FAMILY_STATUS",
    "NAME_HOUSING_TYPE", "FLAG_OWN_CAR", "FLAG_OWN_REALTY", "OCCUPATION_TYPE", "NAME_TYPE_SUITE",
    "WEEKDAY_APPR_PROCESS_START",
)


def plain(text: str) -> str:
    """French output with its narrow no-break spaces turned into ordinary ones."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


# --- Labels -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_every_model_feature_has_a_label(lang):
    assert len(FEATURES) > 200
    for name in FEATURES:
        text = labels.label(name, lang)
        assert text.strip() and text != name, name
        assert text == text.strip() and "  " not in text, name


@pytest.mark.parametrize("lang", LANGS)
def test_engineered_features_have_explicit_labels(lang):
    data = _fr if lang == "fr" else _en
    assert set(ENGINEERED) <= set(data.FEATURES)
    assert set(data.FEATURES) <= set(FEATURES), "label of a feature that no longer exists"


@pytest.mark.parametrize("lang", LANGS)
def test_every_schema_column_has_a_label(lang):
    assert len(SCHEMA_COLUMNS) > 200
    for table, column in SCHEMA_COLUMNS:
        for text in (labels.label(column, lang, table=table), labels.label(column, lang)):
            assert text.strip() and text != column, (table, column)


@pytest.mark.parametrize("lang", LANGS)
def test_model_feature_labels_are_unique(lang):
    counts = Counter(labels.label(name, lang) for name in FEATURES)
    assert [text for text, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("lang", LANGS)
def test_table_specific_labels_are_unique_within_each_table(lang):
    for table, cols in schema.TABLES.items():
        counts = Counter(labels.label(column, lang, table=table) for column, _ in cols)
        assert [text for text, n in counts.items() if n > 1] == [], table


def test_french_and_english_data_cover_the_same_keys():
    assert set(_fr.COLUMNS) == set(_en.COLUMNS)
    assert set(_fr.TABLE_COLUMNS) == set(_en.TABLE_COLUMNS)
    assert set(_fr.FEATURES) == set(_en.FEATURES)
    assert set(_fr.GROUPS) == set(_en.GROUPS)
    assert set(_fr.WORDS) == set(_en.WORDS)
    assert set(_fr.LATENESS_LEVELS) == set(_en.LATENESS_LEVELS)
    known = {column for _, column in SCHEMA_COLUMNS}
    assert set(_fr.COLUMNS) == known, "a label for a column the schema does not have, or one missing"
    assert all(key in SCHEMA_COLUMNS for key in _fr.TABLE_COLUMNS)


def test_table_decides_between_shared_column_meanings():
    assert labels.label("AMT_CREDIT") == "Montant du crédit demandé"
    assert labels.label("AMT_CREDIT", table="previous_application") != labels.label("AMT_CREDIT")
    assert labels.label("AMT_ANNUITY", "en", table="bureau") == "External credit annuity"
    assert labels.label("AMT_CREDIT", table="application_test") == labels.label("AMT_CREDIT")


def test_some_labels_read_as_intended():
    assert labels.label("AMT_INCOME_TOTAL") == "Revenu annuel déclaré"
    assert labels.label("AMT_INCOME_TOTAL", "en") == "Declared annual income"
    assert labels.label("BURO_DEBT_CREDIT_RATIO") == (
        "Part de la dette en cours sur les crédits déclarés aux autres organismes")
    assert labels.label("BURO_DEBT_CREDIT_RATIO", "en") == "Outstanding debt share of other lenders' credits"
    assert labels.label("DAYS_BIRTH", "fr-FR").startswith("Âge")
    assert "3" in labels.label("EXT_SOURCE_3") and "3" in labels.label("FLAG_DOCUMENT_3", "en")


def test_unknown_names_and_languages_never_raise():
    assert labels.label("NOT_A_COLUMN") == "NOT_A_COLUMN"
    assert labels.label("NOT_A_COLUMN", "en", table="bureau") == "NOT_A_COLUMN"
    assert labels.label(None) == "None"  # type: ignore[arg-type]
    assert labels.label("AMT_CREDIT", "de") == labels.label("AMT_CREDIT", "en")
    assert labels.unit("NOT_A_COLUMN") == "number"
    assert labels.format_value("NOT_A_COLUMN", "texte libre") == "texte libre"
    assert labels.format_value("NOT_A_COLUMN", object()).startswith("<object")


# --- Groups -------------------------------------------------------------------------------------------
def test_feature_groups():
    assert labels.FEATURE_GROUPS["BURO_"] == ("Historique bureau de crédit", "Credit bureau history")
    assert {"", "APP_", "BURO_", "BB_", "PREV_", "POS_", "INSTAL_", "CC_"} == set(labels.FEATURE_GROUPS)
    for fr, en in labels.FEATURE_GROUPS.values():
        assert fr and en and fr != en
    prefixes = [p for p in labels.FEATURE_GROUPS if p]
    for name in FEATURES:
        expected = next((p for p in prefixes if name.startswith(p)), "")
        assert labels.feature_group(name) == labels.FEATURE_GROUPS[expected][0]
        assert labels.feature_group(name, "en") == labels.FEATURE_GROUPS[expected][1]
    assert labels.feature_group("AMT_CREDIT") == "Demande de crédit"


# --- Units --------------------------------------------------------------------------------------------
def test_every_model_feature_has_a_known_unit():
    units = {name: labels.unit(name) for name in FEATURES}
    assert set(units.values()) <= set(labels.UNITS)
    assert set(ENGINEERED) <= set(labels._FEATURE_UNITS), "choose a unit for each new engineered feature"
    categorical = set(categorical_features())
    assert {name for name, u in units.items() if u == "category"} == categorical
    for name, u in units.items():
        if name.startswith("FLAG_DOCUMENT_") or name.startswith("REG_"):
            assert u == "flag", name
        if name.startswith(("AMT_", "BURO_AMT_", "PREV_AMT_", "CC_AMT_", "INSTAL_AMT_")) and "_REQ_" not in name:
            assert u == "money", name
        if name.endswith("_SHARE"):
            assert u == "share", name
        if name.endswith("_COUNT"):
            assert u == "count", name


@pytest.mark.parametrize(("name", "expected"), [
    ("AMT_INCOME_TOTAL", "money"), ("DAYS_BIRTH", "years"), ("DAYS_LAST_PHONE_CHANGE", "days"),
    ("EXT_SOURCE_2", "score"), ("APP_EXT_SOURCE_MEAN", "score"), ("FLAG_EMAIL", "flag"),
    ("APP_DAYS_EMPLOYED_ANOM", "flag"), ("CODE_GENDER", "category"), ("CNT_CHILDREN", "count"),
    ("AMT_REQ_CREDIT_BUREAU_YEAR", "count"), ("APP_ANNUITY_INCOME_RATIO", "share"),
    ("APP_CREDIT_INCOME_RATIO", "ratio"), ("BURO_DEBT_CREDIT_RATIO", "share"), ("CC_UTILISATION_MAX", "share"),
    ("INSTAL_DPD_MAX", "days"), ("POS_SK_DPD_MAX", "days"), ("BB_MONTHS_BALANCE_MIN", "years"),
    ("REGION_POPULATION_RELATIVE", "number"), ("SK_ID_CURR", "category"), ("STATUS", "category"),
    ("AMT_CREDIT_LIMIT_ACTUAL", "money"), ("NFLAG_INSURED_ON_APPROVAL", "flag"),
])
def test_units_of_hand_picked_columns(name, expected):
    assert labels.unit(name) == expected


def test_every_schema_column_has_a_known_unit():
    for _, column in SCHEMA_COLUMNS:
        assert labels.unit(column) in labels.UNITS, column


# --- Formatting ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "value", "fr", "en"), [
    ("AMT_INCOME_TOTAL", 112500.0, "112 500", "112,500"),
    ("AMT_CREDIT", 1_234_567.4, "1 234 567", "1,234,567"),
    ("AMT_CREDIT", "12000", "12 000", "12,000"),
    ("INSTAL_PAYMENT_DIFF_SUM", -1500.0, "-1 500", "-1,500"),
    ("APP_CREDIT_GOODS_DIFF", -0.2, "0", "0"),
    ("DAYS_BIRTH", -20099, "55 ans", "55 years"),
    ("DAYS_BIRTH", np.float32(-20099), "55 ans", "55 years"),
    ("APP_AGE_YEARS", 55.99, "55 ans", "55 years"),
    ("DAYS_EMPLOYED", -3000, "8,2 ans", "8.2 years"),
    ("DAYS_EMPLOYED", -100, "100 jours", "100 days"),
    ("DAYS_EMPLOYED", schema.DAYS_EMPLOYED_SENTINEL, "Sans emploi", "Not employed"),
    ("DAYS_REGISTRATION", -4383, "il y a 12 ans", "12 years ago"),
    ("DAYS_ID_PUBLISH", -200, "il y a 200 jours", "200 days ago"),
    ("DAYS_LAST_PHONE_CHANGE", -1, "il y a 1 jour", "1 day ago"),
    ("DAYS_LAST_PHONE_CHANGE", 0, "le jour de la demande", "on application day"),
    ("BURO_DAYS_CREDIT_ENDDATE_MAX", 450.0, "dans 450 jours", "in 450 days"),
    ("BURO_DAYS_CREDIT_MEAN", -1234.5, "il y a 3,4 ans", "3.4 years ago"),
    ("BB_MONTHS_BALANCE_MIN", -96.0, "il y a 8 ans", "8 years ago"),
    ("BB_MONTHS_BALANCE_MIN", -5.0, "il y a 5 mois", "5 months ago"),
    ("PREV_DAYS_TERMINATION_MAX", 365243.0, "—", "—"),
    ("OWN_CAR_AGE", 1.0, "1 an", "1 year"),
    ("OWN_CAR_AGE", 12.0, "12 ans", "12 years"),
    ("INSTAL_DPD_MAX", 15.0, "15 jours", "15 days"),
    ("INSTAL_DPD_MEAN", 0.4, "0,4 jour", "0.4 days"),
    ("APP_ANNUITY_INCOME_RATIO", 0.2312, "23 %", "23%"),
    ("APP_ANNUITY_CREDIT_RATIO", 0.0523, "5,2 %", "5.2%"),
    ("CC_UTILISATION_MAX", 1.0, "100 %", "100%"),
    ("APP_CREDIT_INCOME_RATIO", 3.456, "3,46", "3.46"),
    ("EXT_SOURCE_2", 0.5, "0,50", "0.50"),
    ("APP_EXT_SOURCE_WEIGHTED", 0.123456, "0,12", "0.12"),
    ("CNT_CHILDREN", 2.0, "2", "2"),
    ("PREV_CNT_PAYMENT_MEAN", 12.5, "12,5", "12.5"),
    ("BURO_COUNT", 12345.0, "12 345", "12,345"),
    ("REGION_POPULATION_RELATIVE", 0.018801, "0,019", "0.019"),
    ("FLAG_EMAIL", 1, "Oui", "Yes"),
    ("FLAG_EMAIL", 0.0, "Non", "No"),
    ("FLAG_EMAIL", True, "Oui", "Yes"),
    ("APP_DAYS_EMPLOYED_ANOM", np.float32(1.0), "Oui", "Yes"),
    ("FLAG_OWN_CAR", "Y", "Oui", "Yes"),
    ("CODE_GENDER", "F", "Femme", "Female"),
    ("NAME_INCOME_TYPE", "Working", "Salarié", "Working"),
    ("HOUR_APPR_PROCESS_START", 9, "9 h", "09:00"),
    ("BB_STATUS_MAX", 2.0, "Retard de 31 à 60 jours", "31 to 60 days late"),
    ("SK_ID_CURR", 100002.0, "100002", "100002"),
])
def test_format_value(name, value, fr, en):
    assert plain(labels.format_value(name, value)) == fr
    assert labels.format_value(name, value, "en") == en


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, np.float32("nan"), pd.NA, pd.NaT, "", "NA"])
@pytest.mark.parametrize("name", ["AMT_CREDIT", "DAYS_BIRTH", "FLAG_EMAIL", "CODE_GENDER", "APP_EXT_SOURCE_MEAN"])
def test_missing_values_show_a_dash(name, missing):
    assert labels.format_value(name, missing) == labels.MISSING == "—"
    assert labels.format_value(name, missing, "en") == "—"


def test_french_numbers_use_spaces_and_decimal_comma():
    text = labels.format_value("AMT_CREDIT", 1_500_000.0)
    assert text in ("1\u202f500\u202f000", "1 500 000", "1\xa0500\xa0000")
    assert "," in labels.format_value("APP_CREDIT_INCOME_RATIO", 2.5)
    assert "." not in labels.format_value("APP_CREDIT_INCOME_RATIO", 2.5)
    assert labels.format_value("AMT_CREDIT", math.inf) == "—"


@pytest.mark.parametrize("lang", LANGS)
def test_format_value_never_raises_on_any_feature(lang):
    for name in FEATURES:
        for value in (0, 1, -1, 0.5, -400.0, 1e6, None, "abc", float("nan")):
            text = labels.format_value(name, value, lang)
            assert isinstance(text, str) and text, (name, value)


# --- Categories ---------------------------------------------------------------------------------------
def test_main_categoricals_are_translated():
    for column in MAIN_CATEGORICALS:
        levels = _fr.CATEGORIES[column]
        assert len(levels) >= 2, column
        for raw, text in levels.items():
            assert labels.category_label(column, raw) == text != raw
    assert labels.category_label("NAME_EDUCATION_TYPE", "Higher education", "en") == "Higher education"
    assert labels.category_label("WEEKDAY_APPR_PROCESS_START", "SUNDAY") == "Dimanche"
    assert labels.category_label("WEEKDAY_APPR_PROCESS_START", "SUNDAY", "en") == "Sunday"


def test_category_fallbacks():
    assert labels.category_label("OCCUPATION_TYPE", "Astronaut") == "Astronaut"
    assert labels.category_label("OCCUPATION_TYPE", "Astronaut", "en") == "Astronaut"
    assert labels.category_label("ORGANIZATION_TYPE", "Business Entity Type 3") == "Business Entity Type 3"
    assert labels.category_label("NOT_A_COLUMN", 7.0) == "7"
    assert labels.category_label("CODE_GENDER", "XNA") == "Non renseigné"
    assert labels.category_label("CODE_GENDER", "XNA", "en") == "Not available"
    assert labels.category_label("CODE_GENDER", None) == "—"
    assert labels.category_label("CODE_GENDER", float("nan")) == "—"
    assert labels.category_label("CODE_GENDER", "NA") == "—"


def test_every_level_in_the_real_sample_has_a_french_label(real_data_dir):
    apps = pd.read_csv(real_data_dir / "application_train.csv.gz", usecols=list(MAIN_CATEGORICALS))
    for column in MAIN_CATEGORICALS:
        for value in apps[column].dropna().unique():
            text = labels.category_label(column, value)
            assert text and text != value, (column, value)


# --- Kaggle descriptions (cross-reference only, nothing copied) ----------------------------------------
def _all_label_texts(*modules) -> set[str]:
    texts: set[str] = set()
    for data in modules or (_fr, _en):
        texts |= set(data.COLUMNS.values()) | set(data.TABLE_COLUMNS.values()) | set(data.FEATURES.values())
        texts |= set(data.GROUPS.values()) | set(data.LATENESS_LEVELS.values())
        texts |= {text for levels in data.CATEGORIES.values() for text in levels.values()}
    return texts


def test_kaggle_descriptions_absent_file(tmp_path):
    assert labels.kaggle_descriptions(tmp_path) == {}
    assert labels.kaggle_descriptions(tmp_path / "nope") == {}


def test_kaggle_descriptions_parses_latin1_and_table_names(tmp_path):
    text = (
        ",Table,Row,Description,Special\r\n"
        "1,application_{train|test}.csv,TARGET,Some target,\r\n"
        "2,application_{train|test}.csv,AMT_CREDIT,\"Amount, in caf\xe9 units\",\r\n"
        "3,bureau.csv,SK_BUREAU_ID,Bureau key,hashed\r\n"
        "4,POS_CASH_balance.csv,SK_ID_PREV ,Prev key,\r\n"
    )
    (tmp_path / schema.DESCRIPTION_FILE).write_bytes(text.encode("latin-1"))
    got = labels.kaggle_descriptions(str(tmp_path))
    assert got == {
        ("application_train", "TARGET"): "Some target",
        ("application_train", "AMT_CREDIT"): "Amount, in café units",
        ("application_test", "AMT_CREDIT"): "Amount, in café units",
        ("bureau", "SK_ID_BUREAU"): "Bureau key",
        ("POS_CASH_balance", "SK_ID_PREV"): "Prev key",
    }


def test_kaggle_descriptions_real_file_and_nothing_copied(real_data_dir):
    if not (real_data_dir / schema.DESCRIPTION_FILE).exists():
        pytest.skip("Kaggle description file not in the data directory")
    descriptions = labels.kaggle_descriptions(real_data_dir)
    assert len(descriptions) >= 200
    assert all(table in schema.TABLES for table, _ in descriptions)
    covered = [key for key in SCHEMA_COLUMNS if key in descriptions]
    assert len(covered) >= 0.95 * len(SCHEMA_COLUMNS)

    originals = {" ".join(text.lower().split()) for text in descriptions.values()}
    ours = {" ".join(text.lower().split()) for text in _all_label_texts()}
    assert ours.isdisjoint(originals), sorted(ours & originals)
    for label_text in ours:
        for original in originals:
            if len(original) >= 15:
                assert original not in label_text, (label_text, original)
    # Not even a near copy: English labels stay clearly apart from every English description.
    for label_text in {" ".join(text.lower().split()) for text in _all_label_texts(_en)}:
        for original in originals:
            matcher = difflib.SequenceMatcher(None, label_text, original)
            if matcher.real_quick_ratio() > 0.9 and matcher.quick_ratio() > 0.9:
                assert matcher.ratio() <= 0.9, (label_text, original)
