"""Pure helpers of the client pages: info formatting, what-if payloads, counterfactual sentences."""

from __future__ import annotations

from dash import html

from dash_app.formatting import fmt_float, fmt_int, fmt_money
from dash_app.i18n import t, value_label
from scoring.contract import ClientOut, Counterfactual, Explanation, InputWarning, Reason

MAX_REASONS = 4  # the convention of adverse-action notices: at most 4 principal reasons

INFO_ORDER = ("age", "gender", "family_status", "children", "income", "income_type", "education", "occupation",
              "employment_years", "contract_type", "credit", "annuity", "goods_price", "housing", "own_car",
              "own_realty")
MONEY = {"income", "credit", "annuity", "goods_price"}

#: Editable what-if fields: info key -> Kaggle application column.
WHATIF_FIELDS = {"income": "AMT_INCOME_TOTAL", "credit": "AMT_CREDIT", "annuity": "AMT_ANNUITY",
                 "goods_price": "AMT_GOODS_PRICE"}

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


def info_items(client: ClientOut, only=None) -> list[tuple[str, str]]:
    """(label, formatted value) in a stable order; unknown keys follow, labelled by their name.
    The service's own display strings (``display``) win over local formatting."""
    info, display = client.info, client.display
    keys = [k for k in INFO_ORDER if k in info] + sorted(k for k in info if k not in INFO_ORDER)
    if only is not None:
        keys = [k for k in keys if k in only]
    items = []
    for key in keys:
        label = t(f"field.{key}")
        value = display.get(key) or format_info_value(key, info[key])
        if key in MONEY and value != "–" and "€" not in value and info[key] is not None:
            value = value + "\u202f€"
        if key == "annuity_income_ratio" and not display.get(key) and isinstance(info[key], (int, float)):
            value = fmt_float(100 * info[key], 1) + "\u202f%"
        items.append((label if label != f"field.{key}" else key.replace("_", " "), value))
    return items


def base_application(client: ClientOut) -> dict:
    """The application to rescore: the client's raw application fields (what POST /predict takes)."""
    return {k: v for k, v in client.application.items() if k != "TARGET"}


def changed_fields(base: dict, values: dict) -> dict:
    """The edited amounts that differ from the stored application, as Kaggle columns (what the service takes)."""
    out = {}
    for key, value in values.items():
        column = WHATIF_FIELDS.get(key)
        if column and value is not None and not (isinstance(base.get(column), (int, float))
                                                 and float(base[column]) == float(value)):
            out[column] = float(value)
    return out


def warnings_children(warnings: list[InputWarning]):
    """The service's ``warnings`` on a score (e.g. too few informative fields), shown where the score is."""
    items = [w.message for w in warnings if w.message]
    if not items:
        return None
    return html.Div([html.P(t("client.warnings"), className="fw-semibold mb-1"),
                     html.Ul([html.Li(w) for w in items], className="mb-0")],
                    className="alert alert-warning small mt-2", role="note", id="client-warnings")


def validate_amounts(values: dict) -> bool:
    return all(isinstance(v, (int, float)) and v > 0 for v in values.values())


def counterfactual_text(cf: Counterfactual) -> str:
    """The service's own sentence."""
    if cf.current.decision == "approve" and not cf.changes:
        return t("client.cf_already")
    return cf.message or t("client.cf_none")


def contradicts(last: dict | None, choice: str | None) -> bool:
    """Whether ``choice`` reverses the latest recorded decision (then the advisor confirms a revision)."""
    return bool(last) and choice in ("approve", "decline") and last.get("decision") not in (None, choice)


def reason_sentences(explanation: Explanation, top: int = MAX_REASONS, direction: str | None = None) -> list[Reason]:
    """The service's principal reasons (``points.reasons``: at most 4, in score points, largest first)."""
    rows = [r for r in explanation.points.reasons if r.sentence]
    if direction:
        rows = [r for r in rows if r.direction == direction]
    return rows[:min(top, MAX_REASONS)]
