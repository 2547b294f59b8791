"""Every link of every page leads somewhere real: a crawl of the dashboard from the clients list, in Chromium,
against the real service. A link to a route that does not exist (as the drift report's once did) fails here."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from dash_app.i18n import t
from tests.browser.servers import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PER_SHAPE = 2  # /client/100002 and /client/100003 are one page: two of each shape are followed, not all 30
MAX_PAGES = 40


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _links(page) -> list[str]:
    return page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")


def _is_error_page(page) -> str | None:
    """Why the page shown is an error page, or None: the 'not found' page or a service error in words."""
    if page.locator("h1", has_text=t("notfound.title")).count():
        return "not found page"
    if page.locator(".service-message").count():
        return "service error: " + page.locator(".service-message").first.inner_text()
    return None


def test_every_link_of_every_page_leads_to_a_real_page(stack, page):
    base = stack["dashboard"].url
    origin = urlsplit(base).netloc
    queue, seen, shapes, followed = ["/"], set(), {}, []
    while queue and len(followed) < MAX_PAGES:
        target = queue.pop(0)
        response = page.goto(urljoin(base, target))
        assert response is not None and response.status == 200, f"{target}: HTTP {response and response.status}"
        wait_idle(page)
        assert page.url.startswith(base) and "/login" not in page.url, f"{target} ended on {page.url}"
        problem = _is_error_page(page)
        assert problem is None, f"{target}: {problem}"
        followed.append(target)
        for href in _links(page):
            if href.startswith("#"):  # an anchor of this page (the skip link): its target must exist
                assert page.locator(href).count() == 1, f"{target}: no element {href}"
                continue
            parts = urlsplit(urljoin(page.url, href))
            assert parts.scheme in ("http", "https") and parts.netloc == origin, f"{target}: external link {href}"
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path in seen:
                continue
            seen.add(path)
            if not parts.path.startswith("/client") and parts.path.endswith("/report"):  # a document, not a page
                assert page.request.get(urljoin(base, path)).status == 200, f"{target}: {href} is broken"
                continue
            shape = _shape(path)
            if shapes.get(shape, 0) < PER_SHAPE:
                shapes[shape] = shapes.get(shape, 0) + 1
                queue.append(path)
    reached = {_shape(p) for p in followed}
    # the pages every advisor goes through, reached by links alone (no address typed but "/")
    assert {"/", "/model", "/model/card", "/monitoring", "/client/N", "/client/N/share"} <= reached, reached
