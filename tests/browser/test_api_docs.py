"""The service's /docs page: Swagger UI shipped locally renders the service's own /openapi.json under
the page's CSP, with no request leaving the machine (no CDN)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

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


def test_try_it_out_with_the_key_from_authorize_gets_a_real_answer(service, chromium):
    """Every operation is listed, and "Try it out" on one, with the key given in "Authorize", is a real call."""
    session = requests.Session()
    session.headers["X-API-Key"] = API_KEY
    document = session.get(service.url + "/openapi.json", timeout=10).json()
    client_id = session.get(service.url + "/clients?per_page=1", timeout=10).json()["items"][0]["id"]
    context = chromium.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    try:
        page.goto(service.url + "/docs")
        operations = sum(len(item) for item in document["paths"].values())
        page.locator(".swagger-ui .opblock").nth(operations - 1).wait_for(timeout=30_000)
        assert page.locator(".swagger-ui .opblock").count() == operations
        page.get_by_role("button", name="Authorize").first.click()
        dialog = page.locator(".dialog-ux")
        dialog.locator("input").first.fill(API_KEY)  # ApiKeyAuth comes first
        dialog.get_by_role("button", name="Apply credentials").first.click()
        dialog.get_by_role("button", name="Remove authorization").first.wait_for()  # the key is taken
        dialog.locator(".close-modal").click()

        operation = page.locator("#operations-scoring-scoring_score")
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.locator("input[placeholder='client_id']").fill(str(client_id))
        operation.get_by_role("button", name="Execute").click()
        status = operation.locator(".live-responses-table .response .response-col_status").first
        status.wait_for(timeout=30_000)
        assert status.inner_text().strip() == "200"
        body = operation.locator(".live-responses-table .response-col_description pre").first.inner_text()
        assert f'"id": {client_id}' in body and '"probability"' in body
    finally:
        context.close()
    assert not problems, "\n".join(problems)
