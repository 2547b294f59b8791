"""Renderers of the client page's sections from service answers (used by the layout and the callbacks)."""

from __future__ import annotations

from dash import dash_table, html

from dash_app.components import decision_badge, graph
from dash_app.figures import population_figure
from dash_app.formatting import decision_text, fmt_date, fmt_float, fmt_int, fmt_score, outcome_text
from dash_app.i18n import t, value_label
from dash_app.units import suffix, to_human
from dash_app.views.client_data import counterfactual_text

FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def counterfactual_children(cf: dict):
    """The service's sentence, each proposed change of a lever (income flagged as a declaration to verify) and
    the lender's bounds the search stayed within."""
    children = [html.P(counterfactual_text(cf), id="client-counterfactual-text", className="mb-1 fw-semibold")]
    shown = cf.get("changes") if cf.get("found") else (cf.get("closest") or {}).get("changes")
    items = [html.Li([f"{c.get('label')} : {c.get('display_old')} → {c.get('display_new')}",
                      html.Span(" " + t("client.cf_to_verify"), className="fw-semibold") if c.get("to_verify") else None])
             for c in shown or [] if c.get("label") and not c.get("derived")]
    if items:
        if not cf.get("found"):
            children.append(html.P(t("client.cf_closest"), className="small mb-1"))
        children.append(html.Ul(items, id="client-counterfactual-changes", className="mb-1"))
    if cf.get("bounds_text"):
        children.append(html.P([html.Strong(t("client.cf_bounds")), " ", cf["bounds_text"]],
                               id="client-counterfactual-bounds", className="small text-muted-strong mb-0"))
    return html.Div(children)


def neighbour_value(neighbour: dict, feature: str):
    """A neighbour's value of a model feature: top level or under ``features``."""
    if feature in neighbour and not isinstance(neighbour[feature], (dict, list)):
        return neighbour[feature]
    inner = neighbour.get("features")
    return inner.get(feature) if isinstance(inner, dict) else None


def similar_rate_text(neighbours: list[dict]) -> str:
    """"2 sur 7 clients dont l'issue est connue": the count and its base, never a bare percentage."""
    known = [n for n in neighbours if n.get("outcome") in (0, 1)]
    if not known:
        return t("client.similar_unknown", k=fmt_int(len(neighbours)))
    defaults = sum(1 for n in known if n.get("outcome") == 1)
    return t("client.similar_rate", k=fmt_int(len(neighbours)), d=fmt_int(defaults), n=fmt_int(len(known)))


def similar_children(answer: dict, labels: dict):
    """(children, neighbours): the default rate among the nearest clients and their table."""
    neighbours = answer.get("neighbours") or []
    described = [f if isinstance(f, dict) else {"name": f} for f in answer.get("features") or []]
    labels = {**labels, **{f["name"]: f.get("label") for f in described if f.get("label")}}
    keys = [f["name"] for f in described if any(neighbour_value(n, f["name"]) is not None for n in neighbours)][:2]
    columns = [{"id": "link", "name": t("col.id"), "presentation": "markdown"},
               {"id": "score", "name": t("col.score")}, {"id": "decision", "name": t("col.decision")},
               {"id": "outcome", "name": t("col.outcome")}]
    columns += [{"id": k, "name": t(f"col.{k}")} for k in ("age", "income", "credit")
                if any(n.get(k) is not None for n in neighbours)]
    columns += [{"id": k, "name": labels.get(k) or k} for k in keys]
    rows = []
    for n in neighbours:
        row = {"link": f"[{n.get('id')}](/client/{n.get('id')})", "score": fmt_score(n.get("score")),
               "decision": decision_text(n.get("decision")), "outcome": outcome_text(n.get("outcome")),
               "age": fmt_int(int(n["age"])) if isinstance(n.get("age"), (int, float)) else "–",
               "income": fmt_int(n.get("income")), "credit": fmt_int(n.get("credit"))}
        for k in keys:
            v = neighbour_value(n, k)
            row[k] = fmt_float(v, 2) if isinstance(v, float) else value_label(v)
        rows.append(row)
    text = similar_rate_text(neighbours) if neighbours else ""
    table = dash_table.DataTable(id="client-similar-table", columns=columns, data=rows, cell_selectable=False,
                                 markdown_options={"link_target": "_self"}, style_table={"overflowX": "auto"},
                                 style_header={"backgroundColor": "#e9ecef", "color": "#1a1a1a", "fontWeight": "700"},
                                 style_cell={"fontFamily": FONT_STACK, "color": "#1a1a1a", "textAlign": "left",
                                             "padding": "4px 8px"})
    return html.Div([html.P(text, id="client-similar-rate"), table]), neighbours


def comparison_children(feature: str, answer: dict, data: dict, neighbours: list | None):
    info = (answer.get("features") or {}).get(feature)
    if not info:
        return html.P(t("client.compare_missing"))
    label = (data.get("labels") or {}).get(feature) or info.get("label") or feature
    value = (data.get("values") or {}).get(feature)
    if value is None and info.get("type") == "categorical":  # a missing category is a level of its own
        value = next((m for m in ("NA", "XNA", "missing", "__missing__") if m in (info.get("levels") or [])), None)
    marks = [{"value": neighbour_value(n, feature)} for n in neighbours or []
             if neighbour_value(n, feature) is not None]
    human = to_human(feature, info.get("unit"), value)
    shown = value_label(value) if not isinstance(human, (int, float)) else \
        fmt_float(human, 1) + ("\u202f" + suffix(info.get("unit")) if suffix(info.get("unit")) else "")
    alt = t("client.compare_alt", label=label, value=shown if value is not None else "–")
    children = [graph("client-compare-graph", population_figure(info, value, label, marks, name=feature), alt=alt)]
    if value is None:
        children.append(html.P(t("client.compare_missing"), className="small"))
    return html.Div(children)


def history_children(decisions: list[dict]):
    if not decisions:
        return html.P(t("client.history_none"), id="client-history-empty")
    items = [html.Li([decision_badge(d.get("decision")), " ",
                      t("client.history_item", date=fmt_date(d.get("created_at")), advisor=d.get("advisor") or "–",
                        decision=decision_text(d.get("decision")), model_decision=decision_text(d.get("model_decision")),
                        score=fmt_score(d.get("model_score")), reason=d.get("reason") or "–")],
                     className="history-item") for d in decisions]
    return html.Ol(items, className="history list-unstyled mb-0", id="client-history-list",
                   **{"data-count": fmt_int(len(decisions))})
