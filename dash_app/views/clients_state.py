"""Pure helpers of the clients list: its state in the URL query string and the French checks of the filters.

The filters, the page and the sort live in the query string (``/?decision=decline&page=3&sort=-score``) so
that the browser's Back button returns to the same list; the checks say in French what is wrong with a
value instead of dropping it or showing the service's English message.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash_app.formatting import fmt_int
from dash_app.i18n import t

ALL = "*"  # the "all" option of the selects (an empty value would show an empty select)

#: (component id, query key, label key, lowest, highest) of the numeric filters.
NUMERIC = [("clients-age-min", "age_min", "clients.age_min", 18, 100),
           ("clients-age-max", "age_max", "clients.age_max", 18, 100),
           ("clients-income-min", "income_min", "clients.income_min", 0, None),
           ("clients-income-max", "income_max", "clients.income_max", 0, None),
           ("clients-score-min", "score_min", "clients.score_min", 0, 100),
           ("clients-score-max", "score_max", "clients.score_max", 0, 100)]
SELECTS = [("clients-contract-type", "contract_type", "clients.contract_type", ["Cash loans", "Revolving loans"]),
           ("clients-gender", "gender", "clients.gender", ["F", "M"]),
           ("clients-decision", "decision", "clients.decision", ["approve", "review", "decline"]),
           ("clients-advisor-decision", "advisor_decision", "clients.advisor_decision", ["approve", "decline", "none"])]
RANGES = [("age_min", "age_max"), ("income_min", "income_max"), ("score_min", "score_max")]
#: table column -> the service's sort key
SORTABLE = {"link": "id", "age": "age", "income": "income", "credit": "credit", "score": "score",
            "contract_type": "contract_type", "decision_text": "decision"}
#: the decision filters' words (model's decision, advisor's decision; "none": nobody has decided yet)
DECISION_KEYS = ("decision", "advisor_decision")
COLUMN_OF_SORT = {v: k for k, v in SORTABLE.items()}
FILTER_KEYS = ["q"] + [key for _, key, *_ in NUMERIC] + [key for _, key, *_ in SELECTS]


def _number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return text  # kept as typed: the check below says what is wrong with it
    return int(value) if value.is_integer() else value


def state_from_query(query: dict) -> dict:
    """URL query parameters -> {"values": filter values, "page": 0-based page, "sort_by": DataTable sort_by}."""
    values = {}
    choices = {key: allowed for _, key, _, allowed in SELECTS}
    numeric = {key for _, key, *_ in NUMERIC}
    for key in FILTER_KEYS:
        raw = query.get(key)
        if raw in (None, ""):
            values[key] = ALL if key in choices else None
        elif key in choices:
            values[key] = raw if raw in choices[key] else ALL
        elif key in numeric:
            values[key] = _number(raw)
        else:
            values[key] = str(raw)
    try:
        page = max(int(query.get("page") or 1) - 1, 0)
    except ValueError:
        page = 0
    sort = str(query.get("sort") or "")
    column = COLUMN_OF_SORT.get(sort.lstrip("-"))
    sort_by = [{"column_id": column, "direction": "desc" if sort.startswith("-") else "asc"}] if column else []
    return {"values": values, "page": page, "sort_by": sort_by}


def sort_key(sort_by: list | None) -> str | None:
    if not sort_by:
        return None
    column = SORTABLE.get(sort_by[0].get("column_id"))
    if not column:
        return None
    return ("-" if sort_by[0].get("direction") == "desc" else "") + column


def query_string(values: dict, page: int, sort_by: list | None) -> str:
    """The list's state as a query string ('' for the default list): what Back returns to."""
    params = {k: v for k, v in values.items() if v not in (None, "", ALL)}
    if page:
        params["page"] = page + 1
    key = sort_key(sort_by)
    if key:
        params["sort"] = key
    return "?" + urlencode(params) if params else ""


def _shown(value) -> str:
    if isinstance(value, (int, float)):
        return fmt_int(value) if float(value).is_integer() else str(value).replace(".", ",")
    return str(value)


def filter_errors(values: dict) -> list[str]:
    """Every problem with the filters, in French (empty when all are usable)."""
    errors = []
    q = values.get("q")
    if q not in (None, "") and not str(q).strip().isdigit():
        errors.append(t("clients.q_invalid"))
    for _, key, label, low, high in NUMERIC:
        value = values.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            errors.append(t("clients.not_number", label=t(label), value=str(value)[:20]))
        elif value < low or (high is not None and value > high):
            errors.append(t("clients.out_of_range", label=t(label), value=_shown(value), low=_shown(low),
                            high=_shown(high)) if high is not None else
                          t("clients.below", label=t(label), value=_shown(value), low=_shown(low)))
    for low_key, high_key in RANGES:
        low, high = values.get(low_key), values.get(high_key)
        if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
            label_of = {key: label for _, key, label, *_ in NUMERIC}
            errors.append(t("clients.inverted", low_label=t(label_of[low_key]), low=_shown(low),
                            high_label=t(label_of[high_key]).lower(), high=_shown(high)))
    return errors


PER_PAGE = 20


def query_params(values: dict, page: int, sort_by: list | None) -> dict:
    """Dashboard filter values -> ``GET /clients`` query parameters (pure, unit-tested)."""
    params = {"page": page + 1, "per_page": PER_PAGE}
    for key, value in values.items():
        if value is None or value == "" or value == ALL:
            continue
        params[key] = str(value).strip() if key == "q" else value
    key = sort_key(sort_by)
    if key:
        params["sort"] = key
    return {k: v for k, v in params.items() if v != ""}
