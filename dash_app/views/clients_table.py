"""The clients list's table: its columns and one row per client of ``GET /clients``."""

from __future__ import annotations

from dash import dash_table

from dash_app.formatting import decision_text, fmt_date, fmt_int, fmt_score
from dash_app.i18n import t, value_label
from dash_app.theme import COLOUR_OF_BAND, ICON_OF_DECISION, TABLE_STYLE
from scoring.contract import ClientSummary, LatestDecision


def table(sort_by: list) -> dash_table.DataTable:
    columns = [
        {"id": "link", "name": t("col.id"), "presentation": "markdown"},
        {"id": "age", "name": t("col.age")},
        {"id": "income", "name": t("col.income")},
        {"id": "credit", "name": t("col.credit")},
        {"id": "contract_type", "name": t("col.contract_type")},
        {"id": "score", "name": t("col.score")},
        {"id": "decision_text", "name": t("col.decision")},
        {"id": "advisor_text", "name": t("col.advisor_decision")},
    ]
    conditional = [{"if": {"filter_query": f'{{band}} = "{band}"', "column_id": "decision_text"},
                    "color": colour, "fontWeight": "600"} for band, colour in COLOUR_OF_BAND.items()]
    return dash_table.DataTable(
        id="clients-table", columns=columns, data=[], page_action="none", sort_action="custom", sort_mode="single",
        sort_by=sort_by, cell_selectable=False,
        markdown_options={"link_target": "_self"}, **TABLE_STYLE,
        style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "right"}
                                for c in ("age", "income", "credit", "score")],
        style_data_conditional=conditional,
    )


def row(item: ClientSummary) -> dict:
    return {
        "link": f"[{item.id}](/client/{item.id})",
        "id": item.id,
        "age": fmt_int(int(item.age)) if item.age is not None else "–",  # completed years
        "income": fmt_int(item.income),
        "credit": fmt_int(item.credit),
        "contract_type": value_label(item.contract_type),
        "score": fmt_score(item.score),
        "decision": item.decision,
        "band": item.band,
        "decision_text": f"{ICON_OF_DECISION[item.decision]} {decision_text(item.decision)}",
        "advisor_text": _advisor_text(item.advisor_decision),
    }


def _advisor_text(latest: LatestDecision | None) -> str:
    """"Refusé – a.martin, 02/12/2026": the advisor's latest decision, who and when ("–" before any)."""
    if latest is None:
        return "–"
    return t("clients.advisor_cell", decision=decision_text(latest.decision), advisor=latest.advisor,
             date=fmt_date(latest.created_at))
