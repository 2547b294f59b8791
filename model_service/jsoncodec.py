"""JSON in and out of the hot paths through Rust parsers and writers, the standard module's results kept.

A batch of 1,000 raw records is a 2.8 MB body: ``json.loads`` reads it in ~36 ms, pydantic-core's
``from_json`` (already here: pydantic's own parser) in ~17 ms; the prediction log writes each record
as JSON text, ~90 ms per 1,000 with ``json.dumps``, ~15 ms with orjson. Where they differ from the
standard module, the standard module decides:

- ``loads``: ``from_json`` reads what ``json.loads`` reads (integers of any size, exact; ``NaN`` and
  ``Infinity``, which the validation then refuses by name; the last of duplicate keys). It refuses
  bytes that are not UTF-8 (``json.loads`` detects UTF-16/32) and nesting beyond 200 levels: those
  bodies go through ``json.loads``, so its result or its error stands. orjson's parser was not taken:
  it turns an integer beyond 64 bits into a float, silently (a test shows it).
- ``dumps``: compact, key order kept; what orjson cannot write (an integer beyond 64 bits) goes
  through ``json.dumps``. Both write a float as its shortest round-trip text.

The Flask provider swaps only ``loads`` (``request.get_json``): the answers keep Flask's writer.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider
from pydantic_core import from_json


def loads(data: str | bytes | bytearray) -> Any:
    try:
        return from_json(data)
    except ValueError:
        pass
    try:
        return json.loads(data)  # the standard module's result, or its error
    except RecursionError:  # ~1,000 levels: a parse error (ValueError), not a crash
        raise ValueError("the JSON text nests too deeply to be read") from None


def dumps(value: Any) -> str:
    """Compact JSON text (no spaces), keys in their order."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"))


class JSONProvider(DefaultJSONProvider):
    """Flask's provider with pydantic-core's parser for request bodies."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s) if not kwargs else super().loads(s, **kwargs)
