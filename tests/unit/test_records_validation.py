"""The batch's column-by-column validation accepts and rejects exactly what the application model does."""

from __future__ import annotations

import math

import pytest

from model_service.errors import problems_from
from model_service.validation import InputModels

LEVELS = {"NAME_CONTRACT_TYPE": ["Cash loans", "Revolving loans"]}
VALID = {"AMT_CREDIT": 500000.0, "AMT_INCOME_TOTAL": 180000, "CNT_CHILDREN": 2, "DAYS_BIRTH": -12000,
         "NAME_CONTRACT_TYPE": "Cash loans", "EXT_SOURCE_1": None, "SK_ID_CURR": 7}
#: Each differs from VALID by one kind of problem the model reports (or by nothing, to be accepted).
CASES = [
    {},
    VALID,
    {**VALID, "CNT_CHILDREN": 1.5},                 # not a whole number
    {**VALID, "CNT_CHILDREN": 2.0},                 # whole, given as a float: accepted
    {**VALID, "AMT_CREDIT": "500000"},              # text is not a number (strict)
    {**VALID, "FLAG_DOCUMENT_3": True},             # a boolean is not a number
    {**VALID, "AMT_CREDIT": math.inf},
    {**VALID, "AMT_CREDIT": math.nan},
    {**VALID, "AMT_CREDIT": -1},                    # below its bound
    {**VALID, "DAYS_BIRTH": -100},                  # younger than 18
    {**VALID, "DAYS_EMPLOYED": 12},                 # neither days before the application nor the sentinel
    {**VALID, "DAYS_EMPLOYED": 365243},             # the sentinel: accepted
    {**VALID, "NAME_CONTRACT_TYPE": "Mortgage"},    # unknown level
    {**VALID, "CODE_GENDER": "X"},                  # fixed levels of a protected attribute
    {**VALID, "NAME_CONTRACT_TYPE": 3},
    {**VALID, "UNKNOWN_FIELD": 1},                  # extra field
    {**VALID, "SK_ID_CURR": "7"},
    {**VALID, "SK_ID_CURR": 7.0},
    {**VALID, "AMT_CREDIT": -1, "UNKNOWN_FIELD": 1, "CODE_GENDER": "X", "CNT_CHILDREN": 0.5},  # several at once
]


@pytest.fixture(scope="module")
def models():
    return InputModels(LEVELS)


def test_columns_accept_and_reject_exactly_what_the_model_does(models):
    columns, kept, errors = models.records.validate([dict(c) for c in CASES])
    for k, case in enumerate(CASES):
        try:
            expected = models.application.model_validate(case).model_dump()
        except Exception as exc:  # noqa: BLE001 - a pydantic ValidationError
            assert k in errors and k not in kept, f"case {k} {case} was accepted by the columns"
            assert problems_from(errors[k]) == problems_from(exc)
            continue
        assert k in kept and k not in errors, f"case {k} {case} was rejected by the columns"
        row = kept.index(k)
        got = {name: values[row] for name, values in columns.items()}
        for name, value in got.items():
            assert value == expected[name] or (value != value and expected[name] != expected[name]), (k, name)
            assert type(value) is type(expected[name]), (k, name, value, expected[name])
        assert {n for n, v in expected.items() if v is not None} <= got.keys()
    assert sorted([*kept, *errors]) == list(range(len(CASES)))


def test_a_whole_number_problem_is_worded_plainly(models):
    _, _, errors = models.records.validate([{"CNT_CHILDREN": 1.5}])
    assert problems_from(errors[0]) == [{"field": "CNT_CHILDREN", "problem": "must be a whole number", "value": 1.5}]


def test_every_record_valid_is_one_pass(models):
    columns, kept, errors = models.records.validate([VALID, {"AMT_CREDIT": 1.0}])
    assert kept == [0, 1] and not errors
    assert columns["AMT_CREDIT"] == [500000.0, 1.0] and columns["CNT_CHILDREN"] == [2, None]
