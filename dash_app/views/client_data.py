"""Pure helpers of the client pages: info formatting, what-if payloads, counterfactual sentences."""

from __future__ import annotations

from dash import html

from dash_app.formatting import fmt_float, fmt_int, fmt_money, fmt_score
from dash_app.i18n import t, value_label

INFO_ORDER = ("age", "gender", "family_status", "children", "income", "income_type", "education", "occupation",
              "employment_years", "contract_type", "credit", "annuity", "goods_price", "housing", "own_car",
              "own_realty")
MONEY = {"income", "credit", "annuity", "goods_price"}

#: Editable what-if fields: info key -> Kaggle application column.
WHATIF_FIELDS = {"income": "AMT_INCOME_TOTAL", "credit": "AMT_CREDIT", "annuity": "AMT_ANNUITY",
                 "goods_price": "AMT_GOODS_PRICE"}

#: Descriptive info key -> Kaggle column (to rebuild an application when the service gives no ``raw``).
INFO_TO_RAW = {
    "gender": "CODE_GENDER", "children": "CNT_CHILDREN", "income": "AMT_INCOME_TOTAL", "credit": "AMT_CREDIT",
    "annuity": "AMT_ANNUITY", "goods_price": "AMT_GOODS_PRICE", "contract_type": "NAME_CONTRACT_TYPE",
    "family_status": "NAME_FAMILY_STATUS", "income_type": "NAME_INCOME_TYPE", "education": "NAME_EDUCATION_TYPE",
    "occupation": "OCCUPATION_TYPE", "housing": "NAME_HOUSING_TYPE", "own_car": "FLAG_OWN_CAR",
    "own_realty": "FLAG_OWN_REALTY",
}


def format_info_value(key: str, value) -> str:
    if value is None or value == "":
        return "–"
    if key in MONEY:
        return fmt_money(value)
    if key == "age":
        return t("unit.years", n=fmt_int(int(float(value))))  # completed years
    if key == "employment_years":
        return fmt_float(value, 1)
    if isinstance(value, bool):
        return value_label(str(value))
    if isinstance(value, float):
        return fmt_float(value, 2)
    return value_label(value)


def info_items(info: dict, display: dict | None = None, only=None) -> list[tuple[str, str]]:
    """(label, formatted value) in a stable order; unknown keys follow, labelled by their name.
    The service's own display strings (``display``) win over local formatting."""
    display = display or {}
    keys = [k for k in INFO_ORDER if k in info] + sorted(k for k in info if k not in INFO_ORDER)
    if only is not None:
        keys = [k for k in keys if k in only]
    items = []
    for key in keys:
        label = t(f"field.{key}")
        value = display.get(key) if isinstance(display.get(key), str) and display.get(key) else \
            format_info_value(key, info[key])
        if key in MONEY and value != "–" and "€" not in value and info[key] is not None:
            value = value + "\u202f€"
        if key == "annuity_income_ratio" and not display.get(key) and isinstance(info[key], (int, float)):
            value = fmt_float(100 * info[key], 1) + "\u202f%"
        items.append((label if label != f"field.{key}" else key.replace("_", " "), value))
    return items


def _flag(value):
    if isinstance(value, bool):
        return "Y" if value else "N"
    return value


def base_application(client: dict) -> tuple[dict | None, bool]:
    """The application to rescore: the service's ``raw`` Kaggle fields when present (exact), else one
    rebuilt from the descriptive ``info`` (approximate: other fields missing). Returns (application, exact)."""
    raw = client.get("raw") or client.get("application")
    if isinstance(raw, dict) and raw:
        app = {k: v for k, v in raw.items() if k != "TARGET"}
        app.setdefault("SK_ID_CURR", client.get("id"))
        return app, True
    info = client.get("info") or {}
    if not info:
        return None, False
    app = {"SK_ID_CURR": client.get("id")}
    for key, column in INFO_TO_RAW.items():
        if info.get(key) is not None:
            app[column] = _flag(info[key])
    if isinstance(info.get("age"), (int, float)):
        app["DAYS_BIRTH"] = -int(round(float(info["age"]) * 365.25))
    if isinstance(info.get("employment_years"), (int, float)):
        app["DAYS_EMPLOYED"] = -int(round(float(info["employment_years"]) * 365.25))
    return app, False


def whatif_application(base: dict, changes: dict) -> dict:
    """``base`` with the edited amounts (info keys of WHATIF_FIELDS) written to their Kaggle columns."""
    app = dict(base)
    for key, value in changes.items():
        if key in WHATIF_FIELDS and value is not None:
            app[WHATIF_FIELDS[key]] = float(value)
    return app


def changed_fields(base: dict, values: dict) -> dict:
    """The edited amounts that differ from the stored application, as Kaggle columns (what the service takes)."""
    out = {}
    for key, value in values.items():
        column = WHATIF_FIELDS.get(key)
        if column and value is not None and not (isinstance(base.get(column), (int, float))
                                                 and float(base[column]) == float(value)):
            out[column] = float(value)
    return out


def warnings_children(warnings):
    """The service's ``warnings`` on a score (e.g. too few informative fields), shown where the score is."""
    items = [w.get("message") if isinstance(w, dict) else str(w) for w in warnings or []]
    items = [w for w in items if w]
    if not items:
        return None
    return html.Div([html.P(t("client.warnings"), className="fw-semibold mb-1"),
                     html.Ul([html.Li(w) for w in items], className="mb-0")],
                    className="alert alert-warning small mt-2", role="note", id="client-warnings")


def validate_amounts(values: dict) -> bool:
    return all(isinstance(v, (int, float)) and v > 0 for v in values.values())


def _amount(field: str, value) -> str:
    if isinstance(value, (int, float)):
        return fmt_money(value) if field.upper().startswith("AMT") or field in MONEY else fmt_float(value, 2)
    return value_label(value)


def counterfactual_text(cf: dict) -> str:
    """The service's own sentence when given, else one built from ``changes``."""
    current = cf.get("current") or {}
    if current.get("decision") == "approve" and not cf.get("changes"):
        return t("client.cf_already")
    if not cf.get("found"):
        return cf.get("message") or t("client.cf_none")
    if cf.get("message"):
        return cf["message"]
    parts = [t("client.cf_change", label=(c.get("label") or c.get("field") or "").lower(),
               new=_amount(c.get("field", ""), c.get("new")), old=_amount(c.get("field", ""), c.get("old")))
             for c in cf.get("changes") or []]
    new_score = (cf.get("new_score") or {}).get("score")
    return t("client.cf_sentence", changes=", ".join(parts), score=fmt_score(new_score))


def contradicts(last: dict | None, choice: str | None) -> bool:
    """Whether ``choice`` reverses the latest recorded decision (then the advisor confirms a revision)."""
    return bool(last) and choice in ("approve", "decline") and last.get("decision") not in (None, choice)


MAX_REASONS = 4  # the convention of adverse-action notices: at most 4 principal reasons


def reason_sentences(explanation: dict | None, top: int = MAX_REASONS, direction: str | None = None) -> list[dict]:
    """The principal reasons: the service's own (``points.reasons``, at most 4, in score points) when it gives
    them, else the largest contributions; never more than 4."""
    points = (explanation or {}).get("points")
    if isinstance(points, dict) and isinstance(points.get("reasons"), list):
        rows = [r for r in points["reasons"] if r.get("sentence")]
    else:
        rows = [c for c in (explanation or {}).get("contributions") or [] if c.get("sentence")]
        rows.sort(key=lambda c: abs(float(c.get("contribution") or 0.0)), reverse=True)
    top = min(top, MAX_REASONS)
    if direction:
        rows = [c for c in rows if c.get("direction") == direction]
    return rows[:top]
