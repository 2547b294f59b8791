"""Clients (/): search and filter, server-side paging through ``GET /clients``."""

from __future__ import annotations

import math

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dash_table, dcc, html

from dash_app.api_client import get_client
from dash_app.components import error_alert, labelled_input, labelled_select, safe_layout
from dash_app.formatting import decision_text, fmt_int, fmt_score
from dash_app.i18n import t, value_label
from dash_app.theme import GREEN, ICON_OF_DECISION, ORANGE, RED

dash.register_page(__name__, path="/", order=0, title=t("clients.title") + " – " + t("app.brand"))

FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
PER_PAGE = 20
ALL = "*"  # the "all" option of the selects (an empty value would show an empty select)
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
    return [{"label": t("clients.all"), "value": ALL}] + [{"label": label(v), "value": v} for v in values]


def _filters() -> html.Div:
    numeric = [dbc.Col(labelled_input(cid, t(label), type="number", min=lo, max=hi, debounce=0.4, inputMode="numeric"),
                       md=2, sm=4, xs=6) for cid, _, label, lo, hi in NUMERIC]
    selects = [dbc.Col(labelled_select(cid, t(label), _options(values, key), value=ALL), md=2, sm=4, xs=6)
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
        id="clients-table", columns=columns, data=[], page_action="none", sort_action="custom", sort_mode="single",
        sort_by=[], cell_selectable=False,
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        style_header={"backgroundColor": "#e9ecef", "color": "#1a1a1a", "fontWeight": "700"},
        style_cell={"fontFamily": FONT_STACK, "fontSize": "0.95rem", "padding": "6px 10px", "color": "#1a1a1a",
                    "textAlign": "left"},
        style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "right"}
                                for c in ("age", "income", "credit", "score")],
        style_data_conditional=conditional,
    )


@safe_layout
def layout(**_query):
    return html.Div([
        html.H1(t("clients.title"), className="h3 mb-3"),
        _filters(),
        html.Div(id="clients-message"),
        html.P(id="clients-count", className="mb-2", role="status", **{"aria-live": "polite"}),
        html.P(t("clients.table"), id="clients-table-caption", className="small text-muted-strong mb-1"),
        _table(),
        dcc.Store(id="clients-page", data={"page": 0, "pages": 1}),
        html.Nav([
            dbc.Button("← " + t("clients.prev"), id="clients-prev", color="secondary", outline=True, disabled=True),
            dbc.Button(t("clients.next") + " →", id="clients-next", color="secondary", outline=True, disabled=True),
        ], className="d-flex gap-2 mt-2", **{"aria-label": t("clients.pages")}),
    ])


def _row(item: dict) -> dict:
    decision = item.get("decision")
    return {
        "link": f"[{item.get('id')}](/client/{item.get('id')})",
        "id": item.get("id"),
        "age": fmt_int(int(item["age"])) if isinstance(item.get("age"), (int, float)) else "–",  # completed years
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
        if value is None or value == "" or value == ALL:
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


SELECT_IDS = {cid for cid, *_ in SELECTS}
FILTER_IDS = [("clients-q", "q")] + [(cid, key) for cid, key, *_ in NUMERIC] + [(cid, key) for cid, key, *_ in SELECTS]


@callback(
    Output("clients-table", "data"), Output("clients-page", "data"), Output("clients-count", "children"),
    Output("clients-message", "children"), Output("clients-prev", "disabled"), Output("clients-next", "disabled"),
    *[Input(cid, "value") for cid, _ in FILTER_IDS],
    Input("clients-table", "sort_by"), Input("clients-prev", "n_clicks"), Input("clients-next", "n_clicks"),
    State("clients-page", "data"),
)
def update_table(*args):
    values = dict(zip([key for _, key in FILTER_IDS], args[:len(FILTER_IDS)], strict=True))
    sort_by, state = args[len(FILTER_IDS)], args[-1] or {"page": 0, "pages": 1}
    page = int(state.get("page") or 0)
    if ctx.triggered_id == "clients-next":
        page = min(page + 1, int(state.get("pages") or 1) - 1)
    elif ctx.triggered_id == "clients-prev":
        page = max(page - 1, 0)
    else:
        page = 0
    q = values.get("q")
    if q and not str(q).strip().isdigit():
        return [], {"page": 0, "pages": 1}, "", dbc.Alert(t("clients.q_invalid"), color="warning"), True, True
    try:
        answer = get_client().clients(**query_params(values, page, sort_by))
    except Exception as exc:  # noqa: BLE001 - turned into words, the filters stay usable
        return [], {"page": 0, "pages": 1}, "", error_alert(exc), True, True
    total = int(answer.get("total") or 0)
    pages = max(1, math.ceil(total / PER_PAGE))
    rows = [_row(item) for item in answer.get("items") or []]
    count = t("clients.count", n=fmt_int(total), page=page + 1, pages=fmt_int(pages)) if total else t("clients.none")
    return rows, {"page": page, "pages": pages}, count, None, page <= 0, page >= pages - 1


@callback(
    *[Output(cid, "value", allow_duplicate=True) for cid, _ in FILTER_IDS],
    Input("clients-reset", "n_clicks"), prevent_initial_call=True,
)
def reset_filters(_n):
    return [ALL if cid in SELECT_IDS else None for cid, _ in FILTER_IDS]

