"""docs/api.md is the rendering of the document the service serves (regenerate it, never edit it)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from model_service.apidoc import document, render

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture(scope="module")
def spec(fast_bundle):
    return document(str(fast_bundle))


def test_committed_api_md_is_the_generated_one(spec):
    assert API_MD.read_text(encoding="utf-8") == render(spec), (
        "docs/api.md is stale: python -m model_service.apidoc BUNDLE > docs/api.md")


def test_every_operation_status_and_schema_is_rendered(spec):
    text = render(spec)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            section = text.split(f"### `{method.upper()} {path}`\n", 1)[1].split("\n### ", 1)[0]
            for code in op["responses"]:
                assert f"\n| {code} | " in section, (method, path, code)
    for name in spec["components"]["schemas"]:
        assert f"\n### {name}\n" in text


def test_the_page_follows_the_document(spec):
    changed = copy.deepcopy(spec)
    changed["paths"]["/model/card"]["get"]["parameters"][0]["schema"]["enum"].append("de")
    assert '"fr" or "en" or "de"' in render(changed) and '"fr" or "en" or "de"' not in render(spec)
