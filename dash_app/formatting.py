"""French number formatting and small text helpers (pure functions)."""

from __future__ import annotations

import math
from datetime import datetime

from dash_app.i18n import t

NBSP = "\u202f"  # narrow no-break space: French thousands separator


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_int(x) -> str:
    if _missing(x):
        return "–"
    return f"{round(float(x)):,}".replace(",", NBSP)


def fmt_money(x) -> str:
    return "–" if _missing(x) else f"{fmt_int(x)}{NBSP}€"


def fmt_float(x, digits: int = 1) -> str:
    if _missing(x):
        return "–"
    return f"{float(x):,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", NBSP)


def fmt_pct(p, digits: int = 1) -> str:
    """0.123 -> '12,3 %'."""
    return "–" if _missing(p) else f"{fmt_float(100 * float(p), digits)}{NBSP}%"


def fmt_score(s) -> str:
    return "–" if _missing(s) else fmt_float(s, 1)


def fmt_date(value) -> str:
    if not value:
        return "–"
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return str(value)


def decision_text(decision: str | None) -> str:
    return t(f"decision.{decision}") if decision in {"approve", "review", "decline"} else t("decision.unknown")


def outcome_text(outcome) -> str:
    if outcome in (0, 1, "0", "1"):
        return t(f"outcome.{int(outcome)}")
    return t("outcome.none")


def parse_client_id(value) -> int | None:
    """A positive integer client id, or None."""
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or len(text) > 12:
        return None
    return int(text)
