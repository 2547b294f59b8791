"""Fixtures of the integration tests: one in-process service per test module (``service_app``) and its test
client (``client``); the helpers they share are in service_support.py."""

from __future__ import annotations

import pytest

from tests.integration.service_support import make_app


@pytest.fixture(scope="module")
def service_app(fast_bundle, tmp_path_factory):
    app = make_app(fast_bundle, tmp_path_factory.mktemp("service"))
    yield app
    app.extensions["model_service"].predictions.close()


@pytest.fixture
def client(service_app):
    return service_app.test_client()
