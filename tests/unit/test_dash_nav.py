"""The navigation is built from Dash's page registry (``nav=`` on ``register_page``), in the pages' order."""

from __future__ import annotations

import importlib

import pytest

from dash_app.i18n import t


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    from dash_app import api_client, users

    path = tmp_path_factory.mktemp("dash-nav") / "users.json"
    users.add_user(path, "alice", "correct horse")
    mp = pytest.MonkeyPatch()
    mp.setenv("SECRET_KEY", "test-secret")
    mp.setenv("DASHBOARD_USERS_FILE", str(path))
    mp.setenv("SERVICE_URL", "http://127.0.0.1:9")
    api_client.set_client(None)
    importlib.import_module("dash_app.app")
    import dash

    yield dash.page_registry
    api_client.set_client(None)
    mp.undo()


def test_navigation_lists_the_registered_pages_that_ask_for_it_in_order(registry):
    from dash_app.layout import nav_links

    assert nav_links() == [("/", t("nav.clients")), ("/model", t("nav.model")), ("/monitoring", t("nav.monitoring"))]
    paths = {p["path"] for p in registry.values()}
    assert {path for path, _ in nav_links()} <= paths
    # a page that registers a nav label joins the navigation without a second list to edit
    registry["tests.extra_page"] = {**next(p for p in registry.values() if p["path"] == "/model"), "order": -1}
    try:
        assert nav_links()[0] == ("/model", t("nav.model"))
    finally:
        del registry["tests.extra_page"]
