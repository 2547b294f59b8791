"""The service's /docs page in a real Chromium: Swagger UI (flask-openapi3-swagger's files, served by
the service) renders every operation of /openapi.json under the service's CSP, loads nothing from
another origin, and "Try it out" with the API key entered in "Authorize" gets a real answer."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from tests.browser.conftest import API_KEY
from tests.browser.servers import CHROMIUM, start_service


@pytest.fixture(scope="module")
def service(fast_bundle, tmp_path_factory):
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    server = start_service(Path(fast_bundle), tmp_path_factory.mktemp("api-docs"), api_key=API_KEY)
    yield server
    server.stop()


@pytest.fixture()
def docs_page(chromium, service):
    context = chromium.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error"
            or "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    origins: set[str] = set()
    page.on("request", lambda r: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(r.url)))
            if not r.url.startswith("data:") else None)
    page.goto(service.url + "/docs")
    page.problems, page.origins = problems, origins
    yield page
    context.close()


def test_swagger_ui_renders_every_operation_under_the_csp(docs_page, service, shoot):
    page = docs_page
    document = requests.get(service.url + "/openapi.json", timeout=10).json()
    expected = sum(len(item) for item in document["paths"].values())
    page.locator(".swagger-ui .opblock").nth(expected - 1).wait_for(timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() == expected
    assert page.locator(".swagger-ui .info .title").inner_text().startswith(document["info"]["title"])
    csp = requests.get(service.url + "/docs", timeout=10).headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.origins == {service.url}, page.origins  # no CDN, no outside validator
    shoot(page, "api-docs")
    assert not page.problems, "\n".join(page.problems)


def test_try_it_out_with_the_api_key_gets_a_real_answer(docs_page, service):
    page = docs_page
    client_id = requests.get(service.url + "/clients?per_page=1", headers={"X-API-Key": API_KEY},
                             timeout=10).json()["items"][0]["id"]
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
    assert not page.problems, "\n".join(page.problems)
