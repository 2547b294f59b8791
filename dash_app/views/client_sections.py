"""Renderers of the client page's sections from service answers (used by the layout and the callbacks)."""

from __future__ import annotations

from dash import dash_table, html

from dash_app.components import decision_badge, graph
from dash_app.figures import population_figure
from dash_app.formatting import decision_text, fmt_date, fmt_float, fmt_int, fmt_score, outcome_text
from dash_app.i18n import t, value_label
from dash_app.theme import TABLE_STYLE
from dash_app.units import suffix, to_human
from dash_app.views.client_data import counterfactual_text
from scoring.contract import Counterfactual, Neighbour, PopulationOut, SimilarOut
from scoring.contract_decisions import DecisionOut


def counterfactual_children(cf: Counterfactual):
    """The service's sentence, each proposed change of a lever (income flagged as a declaration to verify) and
    the lender's bounds the search stayed within."""
    children = [html.P(counterfactual_text(cf), id="client-counterfactual-text", className="mb-1 fw-semibold")]
    shown = cf.changes if cf.found else cf.closest.changes if cf.closest else []
    items = [html.Li([f"{c.label} : {c.display_old} → {c.display_new}",
                      html.Span(" " + t("client.cf_to_verify"), className="fw-semibold") if c.to_verify else None])
             for c in shown if not c.derived]
    if items:
        if not cf.found:
            children.append(html.P(t("client.cf_closest"), className="small mb-1"))
        children.append(html.Ul(items, id="client-counterfactual-changes", className="mb-1"))
    if cf.bounds_text:
        children.append(html.P([html.Strong(t("client.cf_bounds")), " ", cf.bounds_text],
                               id="client-counterfactual-bounds", className="small text-muted-strong mb-0"))
    return html.Div(children)


def similar_rate_text(neighbours: list[Neighbour]) -> str:
    """"2 sur 7 clients dont l'issue est connue": the count and its base, never a bare percentage."""
    known = [n for n in neighbours if n.outcome is not None]
    if not known:
        return t("client.similar_unknown", k=fmt_int(len(neighbours)))
    defaults = sum(1 for n in known if n.outcome == 1)
    return t("client.similar_rate", k=fmt_int(len(neighbours)), d=fmt_int(defaults), n=fmt_int(len(known)))


def similar_children(answer: SimilarOut, labels: dict):
    """(children, the neighbours' feature values for the comparison chart): the default rate among the
    nearest clients and their table."""
    neighbours = answer.neighbours
    labels = {**labels, **{f.name: f.label for f in answer.features}}
    keys = [f.name for f in answer.features if any(n.features.get(f.name) is not None for n in neighbours)][:2]
    columns = [{"id": "link", "name": t("col.id"), "presentation": "markdown"},
               {"id": "score", "name": t("col.score")}, {"id": "decision", "name": t("col.decision")},
               {"id": "outcome", "name": t("col.outcome")},
               {"id": "age", "name": t("col.age")}, {"id": "income", "name": t("col.income")},
               {"id": "credit", "name": t("col.credit")}]
    columns += [{"id": k, "name": labels.get(k) or k} for k in keys]
    rows = []
    for n in neighbours:
        row = {"link": f"[{n.id}](/client/{n.id})", "score": fmt_score(n.score),
               "decision": decision_text(n.decision), "outcome": outcome_text(n.outcome),
               "age": fmt_int(int(n.age)) if n.age is not None else "–",
               "income": fmt_int(n.income), "credit": fmt_int(n.credit)}
        for k in keys:
            v = n.features.get(k)
            row[k] = fmt_float(v, 2) if isinstance(v, float) else value_label(v)
        rows.append(row)
    text = similar_rate_text(neighbours) if neighbours else ""
    table = dash_table.DataTable(id="client-similar-table", columns=columns, data=rows, cell_selectable=False,
                                 markdown_options={"link_target": "_self"}, **TABLE_STYLE)
    return html.Div([html.P(text, id="client-similar-rate"), table]), [n.features for n in neighbours]


#: a missing category is a level of its own in the population counts
MISSING_LEVELS = ("NA", "XNA", "missing", "__missing__")


def comparison_children(feature: str, answer: PopulationOut, data: dict, neighbours: list[dict] | None):
    """``data``: the page's store (the client's ``values`` and the features' ``labels``); ``neighbours``: the
    nearest clients' feature values."""
    info = answer.features.get(feature)
    if info is None:
        return html.P(t("client.compare_missing"))
    label = data["labels"].get(feature) or info.label
    value = data["values"].get(feature)
    if value is None and info.type == "categorical":
        value = next((m for m in MISSING_LEVELS if m in (info.levels or [])), None)
    marks = [{"value": n[feature]} for n in neighbours or [] if n.get(feature) is not None]
    human = to_human(feature, info.unit, value)
    shown = value_label(value) if not isinstance(human, (int, float)) else \
        fmt_float(human, 1) + ("\u202f" + suffix(info.unit) if suffix(info.unit) else "")
    alt = t("client.compare_alt", label=label, value=shown if value is not None else "–")
    children = [graph("client-compare-graph", population_figure(info, value, label, marks, name=feature), alt=alt)]
    if value is None:
        children.append(html.P(t("client.compare_missing"), className="small"))
    return html.Div(children)


def history_children(decisions: list[DecisionOut]):
    if not decisions:
        return html.P(t("client.history_none"), id="client-history-empty")
    items = [html.Li([decision_badge(d.decision), " ",
                      t("client.history_item", date=fmt_date(d.created_at), advisor=d.advisor,
                        decision=decision_text(d.decision), model_decision=decision_text(d.model_decision),
                        score=fmt_score(d.model_score), reason=d.reason)],
                     className="history-item") for d in decisions]
    return html.Ol(items, className="history list-unstyled mb-0", id="client-history-list",
                   **{"data-count": fmt_int(len(decisions))})
