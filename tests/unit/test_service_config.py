"""model_service.config: the service's settings from the environment."""

from __future__ import annotations

import pytest

from model_service.config import DEFAULT_RATE_LIMIT, ConfigError, Settings


def test_settings_require_api_keys_unless_explicitly_open():
    with pytest.raises(ConfigError, match="API_KEYS"):
        Settings.from_mapping({})
    open_settings = Settings.from_mapping({"ALLOW_NO_AUTH": "1"})
    assert not open_settings.auth_enabled
    settings = Settings.from_mapping({"API_KEYS": " a , b ,, ", "CORS_ORIGINS": "https://x.example",
                                      "PREDICTION_LOG": "off", "DATABASE_URL": "postgresql://u:p@h/db"})
    assert settings.api_keys == ("a", "b") and settings.cors_origins == ("https://x.example",)
    assert settings.prediction_log is None and settings.database_url == "postgresql://u:p@h/db"
    assert settings.rate_limit == DEFAULT_RATE_LIMIT and settings.default_database is False
    with pytest.raises(ConfigError, match="MAX_CONTENT_LENGTH"):
        Settings.from_mapping({"API_KEYS": "a", "MAX_CONTENT_LENGTH": "lots"})
