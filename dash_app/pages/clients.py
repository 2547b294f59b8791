"""Clients (/): search and filter, server-side paging through ``GET /clients``."""

from __future__ import annotations

import math

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from dash_app.api_client import get_client
from dash_app.components import error_alert, labelled_input, labelled_select, safe_layout
from dash_app.formatting import decision_text, fmt_int
from dash_app.i18n import t, value_label
from dash_app.views.clients_state import (
    ALL,
    DECISION_KEYS,
    NUMERIC,
    PER_PAGE,
    SELECTS,
    filter_errors,
    query_params,
    query_string,
    state_from_query,
)
from dash_app.views.clients_table import row, table

dash.register_page(__name__, path="/", order=0, nav=t("nav.clients"), title=t("clients.title") + " – " + t("app.brand"))



def _decision_word(value):
    return t("clients.undecided") if value == "none" else decision_text(value)


def _options(values, key):
    label = _decision_word if key in DECISION_KEYS else value_label
    return [{"label": t("clients.all"), "value": ALL}] + [{"label": label(v), "value": v} for v in values]


def _filters(initial: dict) -> html.Div:
    # No min/max on the inputs: the browser would turn an out-of-range number into "no value" and the filter
    # would be silently dropped; filter_errors says in French what is wrong instead.
    numeric = [dbc.Col(labelled_input(cid, t(label), type="number", debounce=0.4, inputMode="numeric",
                                      value=initial.get(key)),
                       md=2, sm=4, xs=6) for cid, key, label, _lo, _hi in NUMERIC]
    selects = [dbc.Col(labelled_select(cid, t(label), _options(values, key), value=initial.get(key) or ALL),
                       md=2, sm=4, xs=6)
               for cid, key, label, values in SELECTS]
    search = dbc.Col(labelled_input("clients-q", t("clients.q"), type="search", debounce=0.4, autoComplete="off",
                                    value=initial.get("q")),
                     md=4, sm=8)
    reset = dbc.Col(html.Div(dbc.Button(t("clients.reset"), id="clients-reset", color="secondary", outline=True),
                             className="mb-2"), md=2, sm=4, className="d-flex align-items-end")
    return html.Section(
        [html.H2(t("clients.filters"), className="h5", id="clients-filters-title"),
         dbc.Row([search, *selects[:2], reset]), dbc.Row([*numeric, *selects[2:]])],
        className="card card-body mb-3", **{"aria-labelledby": "clients-filters-title"},
    )


@safe_layout
def layout(**query):
    state = state_from_query(query)  # Back returns to the same filters, page and sort
    return html.Div([
        html.H1(t("clients.title"), className="h3 mb-3"),
        _filters(state["values"]),
        html.Div(id="clients-message"),
        html.P(id="clients-count", className="mb-2", role="status", **{"aria-live": "polite"}),
        html.P(t("clients.table"), id="clients-table-caption", className="small text-muted-strong mb-1"),
        table(state["sort_by"]),
        dcc.Store(id="clients-page", data={"page": state["page"], "pages": state["page"] + 1, "initial": True}),
        html.Span(id="clients-url", hidden=True),
        html.Nav([
            dbc.Button("← " + t("clients.prev"), id="clients-prev", color="secondary", outline=True, disabled=True),
            dbc.Button(t("clients.next") + " →", id="clients-next", color="secondary", outline=True, disabled=True),
        ], className="d-flex gap-2 mt-2", **{"aria-label": t("clients.pages")}),
    ])


SELECT_IDS = {cid for cid, *_ in SELECTS}
FILTER_IDS = [("clients-q", "q")] + [(cid, key) for cid, key, *_ in NUMERIC] + [(cid, key) for cid, key, *_ in SELECTS]


@callback(
    Output("clients-table", "data"), Output("clients-page", "data"), Output("clients-count", "children"),
    Output("clients-message", "children"), Output("clients-prev", "disabled"), Output("clients-next", "disabled"),
    Output("clients-url", "children"),
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
    elif not state.get("initial"):  # a filter or the sort changed: back to the first page
        page = 0
    url = query_string(values, page, sort_by)
    errors = filter_errors(values)
    if errors:
        message = dbc.Alert(html.Ul([html.Li(e) for e in errors], className="mb-0"), color="warning",
                            id="clients-invalid")
        return [], {"page": 0, "pages": 1}, "", message, True, True, url
    try:
        answer = get_client().clients(**query_params(values, page, sort_by))
    except Exception as exc:  # noqa: BLE001 - turned into words, the filters stay usable
        return [], {"page": 0, "pages": 1}, "", error_alert(exc), True, True, url
    total = answer.total
    pages = max(1, math.ceil(total / PER_PAGE))
    rows = [row(item) for item in answer.items]
    count = t("clients.count", n=fmt_int(total), page=page + 1, pages=fmt_int(pages)) if total else t("clients.none")
    return rows, {"page": page, "pages": pages}, count, None, page <= 0, page >= pages - 1, url


# The list's state goes into the address bar (history.replaceState, no reload): Back from a client returns to it.
clientside_callback(ClientsideFunction(namespace="ui", function_name="replace_query"),
                    Output("clients-url", "title"), Input("clients-url", "children"), prevent_initial_call=True)


@callback(
    *[Output(cid, "value", allow_duplicate=True) for cid, _ in FILTER_IDS],
    Input("clients-reset", "n_clicks"), prevent_initial_call=True,
)
def reset_filters(_n):
    return [ALL if cid in SELECT_IDS else None for cid, _ in FILTER_IDS]

