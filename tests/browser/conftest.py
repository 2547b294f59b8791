"""Browser-test fixtures: the REAL service and dashboard (gunicorn subprocesses) and Debian's Chromium.

- ``stack``: service on ``fast_bundle`` (API_KEYS=testkey, temporary SQLite
  DATABASE_URL, no drift report) + dashboard with a users file made by
  ``python -m dash_app.users add``; both stopped at the end of the session.
- ``browser``-side: one Chromium (``/usr/bin/chromium``), a logged-in storage
  state, and a fresh context per test whose CSP violations and page errors make
  the test fail.
- ``check_a11y(page, name)``: axe-core; serious/critical violations fail.
- ``shoot(page, name)``: full-page screenshot into ``$SCREENSHOT_DIR``
  (default ``artifacts/screenshots``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests

from tests.browser.servers import (
    AXE_JS,
    CHROMIUM,
    REPO,
    launch_chromium,
    login,
    make_users_file,
    start_dashboard,
    start_service,
)

USER, PASSWORD = "conseiller", "mot-de-passe-de-test"
API_KEY = "testkey"
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", REPO / "artifacts" / "screenshots"))
AXE_RESULTS: dict[str, list] = {}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.browser)


class _External:
    """A service already running (``DASHBOARD_TEST_SERVICE_URL``, development only): not stopped by the tests."""

    def __init__(self, url):
        self.url = url

    def stop(self):
        pass


@pytest.fixture(scope="session")
def stack(request, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.exists():
        pytest.skip(f"axe-core not found at {AXE_JS} (npm install at the repository root)")
    work = tmp_path_factory.mktemp("browser-stack")
    external = os.environ.get("DASHBOARD_TEST_SERVICE_URL")
    if external:
        service = _External(external.rstrip("/"))
    else:
        service = start_service(Path(request.getfixturevalue("fast_bundle")), work, api_key=API_KEY)
    users = make_users_file(work / "users.json", USER, PASSWORD)
    try:
        dashboard = start_dashboard(service.url, users, work, api_key=API_KEY)
    except Exception:
        service.stop()
        raise
    yield {"service": service, "dashboard": dashboard, "users": users, "work": work}
    dashboard.stop()
    service.stop()


@pytest.fixture(scope="session")
def service_api(stack):
    """GET/POST on the real service with the test key (the oracle the pages are compared with)."""
    session = requests.Session()
    session.headers["X-API-Key"] = API_KEY
    base = stack["service"].url

    def call(path, method="GET", **kwargs):
        response = session.request(method, base + path, timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    return call


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def auth_state(stack, chromium):
    context = chromium.new_context()
    page = context.new_page()
    login(page, stack["dashboard"].url, USER, PASSWORD)
    state = context.storage_state()
    context.close()
    return state


def _watch(page, problems: list) -> None:
    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            problems.append(f"CSP: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))


@pytest.fixture()
def page(chromium, auth_state):
    context = chromium.new_context(storage_state=auth_state, viewport={"width": 1360, "height": 900}, locale="fr-FR")
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    page.problems = problems
    yield page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture()
def anonymous_page(chromium):
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="fr-FR")
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    yield page
    context.close()
    assert not [p for p in problems if p.startswith("CSP")], "\n".join(problems)


@pytest.fixture(scope="session")
def check_a11y():
    source = AXE_JS.read_text(encoding="utf-8") + "\n;void 0"

    def run(page, name: str) -> list:
        # page.add_script_tag would insert an inline <script>, which the dashboard's own CSP (rightly) blocks;
        # evaluating the same file through the DevTools protocol is not subject to the page's CSP.
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = result["violations"]
        AXE_RESULTS[name] = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
                              "targets": [n["target"] for n in v["nodes"][:5]]} for v in violations]
        out = Path(os.environ.get("AXE_RESULTS", REPO / "artifacts" / "axe.json"))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(AXE_RESULTS, indent=2))
        bad = [v for v in AXE_RESULTS[name] if v["impact"] in ("serious", "critical")]
        assert not bad, f"axe on {name}: {json.dumps(bad, indent=1)}"
        return AXE_RESULTS[name]

    return run


@pytest.fixture(scope="session")
def shoot():
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
