"""Service settings, read from the environment (or an explicit mapping in tests).

Every setting has the name of its environment variable. ``create_app(config)``
lays ``config`` over ``os.environ``, so tests pass a plain dict.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_BUNDLE = REPO_ROOT / "models"
DEFAULT_DATABASE = REPO_ROOT / "var" / "decisions.db"
DEFAULT_PREDICTION_LOG = REPO_ROOT / "var" / "predictions.jsonl"
DEFAULT_SPILL_DIR = REPO_ROOT / "var" / "prediction-spill"
DEFAULT_RETENTION_DAYS = 400
DEFAULT_DRIFT_SUMMARY = REPO_ROOT / "reports" / "drift_summary.json"
DEFAULT_RATE_LIMIT = "100000 per minute"
DEFAULT_MAX_CONTENT_LENGTH = 16 * 1024 * 1024
DEFAULT_AUTH_FAILURE_LIMIT = "20 per minute"
DEFAULT_MAX_JSON_DEPTH = 64
_TRUE = {"1", "true", "yes", "on"}
_OFF = {"", "0", "off", "none", "false", "-"}
_NO = {"", "0", "off", "false", "no"}


class ConfigError(RuntimeError):
    """The environment does not allow the service to start safely."""


@dataclass(frozen=True)
class Settings:
    bundle_path: Path
    api_keys: tuple[str, ...]
    allow_no_auth: bool
    database_url: str
    default_database: bool
    prediction_log: Path | None
    prediction_queue_size: int
    cors_origins: tuple[str, ...]
    drift_summary: Path
    rate_limit: str
    max_content_length: int
    score_cache_size: int
    batch_max: int = 10_000
    #: "database" (the default when DATABASE_URL is set), "file" (PREDICTION_LOG=path) or "off"
    prediction_log_target: str = "file"
    prediction_spill_dir: Path | None = None
    retention_days: int = DEFAULT_RETENTION_DAYS
    #: a second bundle scored in shadow (model_service/shadow.py); "" = the models root's CHALLENGER pointer, if any
    challenger_bundle: str = ""
    #: OVERSIGHT_ALL_TO_ADVISOR=1: every application goes to an advisor (no admin call can undo it)
    oversight_all_to_advisor: bool = False
    #: ADMIN_API_KEYS: keys accepted in X-Admin-Key by the admin calls (none: admin calls refused)
    admin_api_keys: tuple[str, ...] = ()
    ratelimit_storage_uri: str = ""
    auth_failure_limit: str = DEFAULT_AUTH_FAILURE_LIMIT
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH
    trust_proxy_hops: int = 0
    #: LEAF_SHAP_TABLE=0: explanations ask CatBoost's ShapValues for every row (no leaf table; same answers)
    leaf_shap_table: bool = True

    @property
    def auth_enabled(self) -> bool:
        return bool(self.api_keys)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Settings:
        def get(name: str, default: str = "") -> str:
            value = values.get(name)
            return default if value is None else str(value).strip()

        keys = tuple(k.strip() for k in get("API_KEYS").split(",") if k.strip())
        allow_no_auth = get("ALLOW_NO_AUTH").lower() in _TRUE
        if not keys and not allow_no_auth:
            raise ConfigError(
                "API_KEYS is not set: give one or more comma-separated keys (clients send one in the "
                "X-API-Key header), or set ALLOW_NO_AUTH=1 to run without authentication (local development only)"
            )
        database_url = get("DATABASE_URL")
        log_value = get("PREDICTION_LOG", "database" if database_url else str(DEFAULT_PREDICTION_LOG))
        if log_value.lower() in _OFF:
            target, log_path = "off", None
        elif log_value.lower() == "database":
            target, log_path = "database", None
        else:
            target, log_path = "file", Path(log_value).expanduser()
        spill = get("PREDICTION_SPILL_DIR")
        spill_dir = (Path(spill).expanduser() if spill else
                     (log_path.parent / "prediction-spill" if log_path is not None else DEFAULT_SPILL_DIR))
        origins = tuple(o.strip() for o in get("CORS_ORIGINS").split(",") if o.strip())
        return cls(
            bundle_path=Path(get("MODEL_BUNDLE", str(DEFAULT_BUNDLE))).expanduser(),
            api_keys=keys,
            allow_no_auth=allow_no_auth,
            database_url=database_url or f"sqlite:///{DEFAULT_DATABASE}",
            default_database=not database_url,
            prediction_log=log_path,
            prediction_queue_size=_positive_int(get("PREDICTION_QUEUE_SIZE", "2000"), "PREDICTION_QUEUE_SIZE"),
            prediction_log_target=target,
            prediction_spill_dir=None if target == "off" else spill_dir,
            retention_days=_positive_int(get("PREDICTION_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS)),
                                         "PREDICTION_RETENTION_DAYS"),
            cors_origins=origins,
            drift_summary=Path(get("DRIFT_SUMMARY", str(DEFAULT_DRIFT_SUMMARY))).expanduser(),
            rate_limit=get("RATE_LIMIT", DEFAULT_RATE_LIMIT) or DEFAULT_RATE_LIMIT,
            max_content_length=_positive_int(get("MAX_CONTENT_LENGTH", str(DEFAULT_MAX_CONTENT_LENGTH)),
                                             "MAX_CONTENT_LENGTH"),
            score_cache_size=_positive_int(get("SCORE_CACHE_SIZE", "50000"), "SCORE_CACHE_SIZE", allow_zero=True),
            challenger_bundle=get("CHALLENGER_BUNDLE"),
            oversight_all_to_advisor=_flag(get("OVERSIGHT_ALL_TO_ADVISOR"), "OVERSIGHT_ALL_TO_ADVISOR"),
            admin_api_keys=tuple(k.strip() for k in get("ADMIN_API_KEYS").split(",") if k.strip()),
            ratelimit_storage_uri=get("RATELIMIT_STORAGE_URI"),
            auth_failure_limit=get("AUTH_FAILURE_LIMIT", DEFAULT_AUTH_FAILURE_LIMIT) or DEFAULT_AUTH_FAILURE_LIMIT,
            max_json_depth=_positive_int(get("MAX_JSON_DEPTH", str(DEFAULT_MAX_JSON_DEPTH)), "MAX_JSON_DEPTH"),
            trust_proxy_hops=_positive_int(get("TRUST_PROXY_HOPS", "0"), "TRUST_PROXY_HOPS", allow_zero=True),
            leaf_shap_table=_flag(get("LEAF_SHAP_TABLE", "1"), "LEAF_SHAP_TABLE"),
        )

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None) -> Settings:
        merged: dict[str, object] = dict(os.environ)
        merged.update(overrides or {})
        return cls.from_mapping(merged)


def _flag(value: str, name: str) -> bool:
    """A yes/no setting: anything but a clear yes or no is refused (a typo must not turn a safeguard off)."""
    if value.lower() in _TRUE:
        return True
    if value.lower() in _NO:
        return False
    raise ConfigError(f"{name} must be 1/true/yes/on or 0/false/no/off, got {value!r}")


def _positive_int(value: str, name: str, allow_zero: bool = False) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from None
    if number < 0 or (number == 0 and not allow_zero):
        raise ConfigError(f"{name} must be positive, got {number}")
    return number
