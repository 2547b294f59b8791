"""The body guard's nesting depth equals the parsed document's, whatever its strings hold."""

from __future__ import annotations

import json
import random

import pytest

from model_service.jsoncodec import loads
from model_service.security import _opening_brackets, json_depth_exceeds, nesting_exceeds

TRICKY = ['[', ']', '{', '}', '\\', '"', '\\"', '\\\\', '[[[', '"]', 'a\\\\"[b', '\\\\\\"{', 'é', '\n']


def depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def nested(rng: random.Random, level: int):
    if level == 0 or rng.random() < 0.2:
        return "".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 6))) if rng.random() < 0.7 else rng.random()
    if rng.random() < 0.5:
        return [nested(rng, level - 1) for _ in range(rng.randint(0, 3))]
    return {"".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 4))) + str(k): nested(rng, level - 1)
            for k in range(rng.randint(0, 3))}


@pytest.mark.parametrize("seed", range(40))
def test_depth_matches_the_parsed_document(seed):
    rng = random.Random(seed)
    doc = nested(rng, rng.randint(1, 12))
    data = json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode()
    true_depth = depth(json.loads(data))
    for limit in range(0, true_depth + 2):
        assert json_depth_exceeds(data, limit) == (true_depth > limit), (data, limit, true_depth)


def test_brackets_in_strings_do_not_count_but_real_nesting_does():
    inside = json.dumps({"a": "[" * 100 + '\\"' + "{" * 100}).encode()
    assert not json_depth_exceeds(inside, 2)
    deep = ("[" * 65 + "]" * 65).encode()
    assert json_depth_exceeds(deep, 64) and not json_depth_exceeds(deep, 65)


@pytest.mark.parametrize("seed", range(40))
def test_parsed_value_depth_is_the_texts(seed):
    """The guard judges a parsed body by ``nesting_exceeds`` and an unparseable one by its bytes: both agree."""
    rng = random.Random(seed)
    doc = nested(rng, rng.randint(1, 12))
    true_depth = depth(doc)
    for limit in range(0, true_depth + 2):
        assert nesting_exceeds(doc, limit) == (true_depth > limit), (doc, limit, true_depth)
        # with the text's bracket count as the bound (brackets in strings make it loose): the same answer
        brackets = _opening_brackets(json.dumps(doc).encode())
        assert nesting_exceeds(doc, limit, brackets) == (true_depth > limit), (doc, limit, true_depth)


def test_a_tight_bracket_count_stops_the_walk_before_the_scalars():
    """Columns: every array found at the third level, so the 100,000 numbers are never typed; a bound one
    too small would miss a deeper array (the walk trusts it), a bound one too large scans and agrees."""
    columns = {"columns": {f"F{k}": [float(v) for v in range(1000)] for k in range(100)}}
    brackets = _opening_brackets(json.dumps(columns).encode())
    assert brackets == 102
    assert not nesting_exceeds(columns, 3, brackets) and nesting_exceeds(columns, 2, brackets)
    deeper = {"columns": {"F0": [1.0, [2.0]], "F1": [3.0]}}
    assert nesting_exceeds(deeper, 3, _opening_brackets(json.dumps(deeper).encode()))
    assert not nesting_exceeds(deeper, 3, 4)  # a bound below the truth: the walk stops (never the case)
    assert nesting_exceeds(deeper, 3, 50)


def test_flat_records_and_scalars():
    records = {"records": [{"a": 1.0, "b": None, "c": "x"} for _ in range(1000)]}
    assert not nesting_exceeds(records, 3) and nesting_exceeds(records, 2)
    assert not nesting_exceeds(5, 0) and not nesting_exceeds("[[[", 0) and nesting_exceeds([], 0)


def test_a_body_too_deep_for_any_parser_is_a_parse_error_not_a_crash():
    with pytest.raises(ValueError):
        loads(b"[" * 100_000 + b"]" * 100_000)
