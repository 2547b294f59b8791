"""Clients (/): search and filter, server-side paging through ``GET /clients``."""

from __future__ import annotations

import math

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, ctx, dash_table, html

from dash_app.api_client import get_client
from dash_app.components import error_alert, labelled_input, labelled_select
from dash_app.formatting import decision_text, fmt_int, fmt_score
from dash_app.i18n import t, value_label
from dash_app.theme import GREEN, ICON_OF_DECISION, ORANGE, RED

dash.register_page(__name__, path="/", order=0, title=t("clients.title") + " – " + t("app.brand"))

PER_PAGE = 20
NUMERIC = [("clients-age-min", "age_min", "clients.age_min", 18, 100), ("clients-age-max", "age_max", "clients.age_max", 18, 100),
           ("clients-income-min", "income_min", "clients.income_min", 0, None),
           ("clients-income-max", "income_max", "clients.income_max", 0, None),
           ("clients-score-min", "score_min", "clients.score_min", 0, 100),
           ("clients-score-max", "score_max", "clients.score_max", 0, 100)]
SELECTS = [("clients-contract-type", "contract_type", "clients.contract_type", ["Cash loans", "Revolving loans"]),
           ("clients-gender", "gender", "clients.gender", ["F", "M"]),
           ("clients-decision", "decision", "clients.decision", ["approve", "review", "decline"])]
SORTABLE = {"link": "id", "age": "age", "income": "income", "credit": "credit", "score": "score"}


def _options(values, key):
    label = decision_text if key == "decision" else value_label
    return [{"label": t("clients.all"), "value": ""}] + [{"label": label(v), "value": v} for v in values]


def _filters() -> html.Div:
    numeric = [dbc.Col(labelled_input(cid, t(label), type="number", min=lo, max=hi, debounce=0.4, inputMode="numeric"),
                       md=2, sm=4, xs=6) for cid, _, label, lo, hi in NUMERIC]
    selects = [dbc.Col(labelled_select(cid, t(label), _options(values, key), value=""), md=2, sm=4, xs=6)
               for cid, key, label, values in SELECTS]
    search = dbc.Col(labelled_input("clients-q", t("clients.q"), type="search", debounce=0.4, autoComplete="off"),
                     md=4, sm=8)
    reset = dbc.Col(html.Div(dbc.Button(t("clients.reset"), id="clients-reset", color="secondary", outline=True),
                             className="mb-2"), md=2, sm=4, className="d-flex align-items-end")
    return html.Section(
        [html.H2(t("clients.filters"), className="h5", id="clients-filters-title"),
         dbc.Row([search, *selects[:2], reset]), dbc.Row([*numeric, selects[2]])],
        className="card card-body mb-3", **{"aria-labelledby": "clients-filters-title"},
    )


def _table() -> dash_table.DataTable:
    columns = [
        {"id": "link", "name": t("col.id"), "presentation": "markdown"},
        {"id": "age", "name": t("col.age")},
        {"id": "income", "name": t("col.income")},
        {"id": "credit", "name": t("col.credit")},
        {"id": "contract_type", "name": t("col.contract_type")},
        {"id": "score", "name": t("col.score")},
        {"id": "decision_text", "name": t("col.decision")},
    ]
    conditional = [{"if": {"filter_query": f'{{decision}} = "{d}"', "column_id": "decision_text"},
                    "color": colour, "fontWeight": "600"}
                   for d, colour in (("approve", GREEN), ("review", ORANGE), ("decline", RED))]
    return dash_table.DataTable(
        id="clients-table", columns=columns, data=[], page_action="custom", page_current=0, page_size=PER_PAGE,
        page_count=1, sort_action="custom", sort_mode="single", sort_by=[], cell_selectable=False,
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        style_header={"backgroundColor": "#e9ecef", "color": "#1a1a1a", "fontWeight": "700"},
        style_cell={"fontFamily": "inherit", "fontSize": "0.95rem", "padding": "6px 10px", "color": "#1a1a1a",
                    "textAlign": "left"},
        style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "right"}
                                for c in ("age", "income", "credit", "score")],
        style_data_conditional=conditional,
    )


def layout(**_query):
    return html.Div([
        html.H1(t("clients.title"), className="h3 mb-3"),
        _filters(),
        html.Div(id="clients-message"),
        html.P(id="clients-count", className="mb-2", role="status", **{"aria-live": "polite"}),
        html.P(t("clients.table"), id="clients-table-caption", className="small text-muted-strong mb-1"),
        _table(),
    ])


def _row(item: dict) -> dict:
    decision = item.get("decision")
    return {
        "link": f"[{item.get('id')}](/client/{item.get('id')})",
        "id": item.get("id"),
        "age": fmt_int(item.get("age")),
        "income": fmt_int(item.get("income")),
        "credit": fmt_int(item.get("credit")),
        "contract_type": value_label(item.get("contract_type")),
        "score": fmt_score(item.get("score")),
        "decision": decision,
        "decision_text": f"{ICON_OF_DECISION.get(decision or '', '')} {decision_text(decision)}".strip(),
    }


def query_params(values: dict, page: int, sort_by: list | None) -> dict:
    """Dashboard filter values -> ``GET /clients`` query parameters (pure, unit-tested)."""
    params = {"page": page + 1, "per_page": PER_PAGE}
    for key, value in values.items():
        if value is None or value == "":
            continue
        if key == "q":
            params["q"] = str(value).strip()
        elif isinstance(value, (int, float)):
            params[key] = value
        else:
            params[key] = value
    if sort_by:
        column = SORTABLE.get(sort_by[0].get("column_id"))
        if column:
            params["sort"] = ("-" if sort_by[0].get("direction") == "desc" else "") + column
    return {k: v for k, v in params.items() if v != ""}


FILTER_IDS = [("clients-q", "q")] + [(cid, key) for cid, key, *_ in NUMERIC] + [(cid, key) for cid, key, *_ in SELECTS]


@callback(
    Output("clients-table", "data"), Output("clients-table", "page_count"), Output("clients-table", "page_current"),
    Output("clients-count", "children"), Output("clients-message", "children"),
    *[Input(cid, "value") for cid, _ in FILTER_IDS],
    Input("clients-table", "page_current"), Input("clients-table", "sort_by"),
)
def update_table(*args):
    values = dict(zip([key for _, key in FILTER_IDS], args[:len(FILTER_IDS)]))
    page, sort_by = args[len(FILTER_IDS)] or 0, args[len(FILTER_IDS) + 1]
    if ctx.triggered_id and ctx.triggered_id != "clients-table":
        page = 0
    try:
        answer = get_client().clients(**query_params(values, page, sort_by))
    except Exception as exc:  # noqa: BLE001 - turned into words, the filters stay usable
        return [], 1, 0, "", error_alert(exc)
    total = int(answer.get("total") or 0)
    pages = max(1, math.ceil(total / PER_PAGE))
    rows = [_row(item) for item in answer.get("items") or []]
    count = t("clients.count", n=fmt_int(total), page=page + 1, pages=fmt_int(pages)) if total else t("clients.none")
    return rows, pages, min(page, pages - 1), count, None


@callback(
    *[Output(cid, "value", allow_duplicate=True) for cid, _ in FILTER_IDS],
    Input("clients-reset", "n_clicks"), prevent_initial_call=True,
)
def reset_filters(_n):
    return [None if cid.startswith(("clients-age", "clients-income", "clients-score")) else ""
            for cid, _ in FILTER_IDS]

