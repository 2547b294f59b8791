"""The Rust JSON parser and writer of the hot paths change nothing but speed: same values read, same errors."""

from __future__ import annotations

import json
import math

import orjson
import pytest
from pydantic import ValidationError

from model_service.errors import problems_from
from model_service.jsoncodec import dumps, loads
from model_service.validation import InputModels

BODIES = [
    b'{"records": [{"AMT_CREDIT": 1.5e5, "DAYS_BIRTH": -12000, "NAME": "\\u00e9t\\u00e9"}]}',
    b'{"ids": [1, -1, 18446744073709551616, 1267650600228229401496703205376]}',  # beyond 64 bits
    b'{"a": NaN, "b": Infinity, "c": -Infinity}',  # not JSON, read by Python's parser (then a 422)
    b'{"a": 1, "a": 2}',  # duplicate key: the last wins, in both
    '{"text": "caf\u00e9 \U0001F600"}'.encode(),
    "{\"utf16\": 1}".encode("utf-16"),  # json.loads detects the encoding of bytes
    b"[1.0, 1, 1e-05, 0.1, 123456789.123456789, -0.0]",
    b"[" * 300 + b"]" * 300,  # beyond pydantic-core's 200 levels (MAX_JSON_DEPTH may be raised that far)
    rb'["\ud800", "\u0000", "\ud83d\ude00"]',  # a lone surrogate, NUL, a pair
    b"[1e400, -1e400, -0, 1E5, 1.0e+2, -0.0]",
]


@pytest.mark.parametrize("body", BODIES)
def test_loads_reads_what_the_standard_parser_reads(body):
    got, expected = loads(body), json.loads(body)
    assert json.dumps(got) == json.dumps(expected)  # NaN-safe comparison, types included
    assert [type(v) for v in _leaves(got)] == [type(v) for v in _leaves(expected)]


def test_orjson_parser_would_turn_big_integers_into_floats():
    """Why ``loads`` is pydantic-core's: orjson reads an id beyond 64 bits as a float, silently."""
    assert isinstance(orjson.loads(b"[18446744073709551616]")[0], float)
    assert loads(b"[18446744073709551616]") == [2**64]


@pytest.mark.parametrize("body", [b"", b"{", b'{"a": 1,}', b"\xff\xfe\x00", b"[1] [2]"])
def test_loads_fails_where_the_standard_parser_fails(body):
    with pytest.raises(ValueError):
        json.loads(body)
    with pytest.raises(ValueError):
        loads(body)


@pytest.mark.parametrize("value", [{"AMT_CREDIT": 500000.0, "CNT_CHILDREN": 2, "NAME": "é"},
                                   {"SK_ID_CURR": 2**70}, {"x": [1e-05, 0.1, None, True]}])
def test_dumps_writes_the_same_values_compactly(value):
    text = dumps(value)
    assert json.loads(text) == value and ", " not in text and ": " not in text


def test_records_that_are_not_objects_are_each_named():
    models = InputModels({})
    kept = [{"AMT_CREDIT": 1.0}, {}]
    assert models.batch.model_validate({"records": kept}).records is kept  # objects: as sent, not copied
    with pytest.raises(ValidationError) as err:
        models.batch.model_validate({"records": [{}, 5, "x", [], {"a": 1}]})
    assert [p["field"] for p in problems_from(err.value)] == ["records[1]", "records[2]", "records[3]"]
    with pytest.raises(ValidationError) as err:  # the shortcut keeps the limit
        models.batch.model_validate({"records": [{}] * 10_001})
    assert [p["field"] for p in problems_from(err.value)] == ["records"]
    assert len(models.batch.model_validate({"records": [{}] * 10_000}).records) == 10_000


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value if not (isinstance(value, float) and math.isnan(value)) else "nan"
