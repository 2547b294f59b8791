"""The service's /docs page: Swagger UI shipped locally renders the service's own /openapi.json under
the page's CSP, with no request leaving the machine (no CDN)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import API_KEY, _watch
from tests.browser.servers import CHROMIUM, start_service


@pytest.fixture(scope="module")
def service(fast_bundle, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    server = start_service(Path(fast_bundle), tmp_path_factory.mktemp("docs-service"), api_key=API_KEY)
    yield server
    server.stop()


def test_docs_page_lists_the_operations_offline_under_csp(service, chromium):
    context = chromium.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if urlsplit(r.url).hostname not in ("127.0.0.1", None)
            and not r.url.startswith("data:") else None)
    try:
        answer = page.goto(service.url + "/docs")
        assert answer.status == 200 and "script-src 'self'" in answer.headers["content-security-policy"]
        predict = page.locator(".opblock-post", has=page.locator("[data-path='/predict']"))
        predict.first.wait_for(timeout=30_000)
        assert page.locator(".opblock").count() >= 16
        assert page.get_by_text("Score a new application from raw fields").is_visible()
        page.get_by_role("button", name="Authorize").first.wait_for()  # the API-key scheme is offered
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not foreign, f"requests left the machine: {foreign}"
