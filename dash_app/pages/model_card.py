"""Model card (/model/card): the service's markdown, rendered (raw HTML disabled)."""

import dash
from dash import dcc, html

from dash_app.api_client import ServiceError, get_client
from dash_app.components import error_alert, safe_layout
from dash_app.i18n import t

dash.register_page(__name__, path="/model/card", order=5, title=t("card.title") + " – " + t("app.brand"))


@safe_layout
def layout(**_query):
    back = dcc.Link("← " + t("card.back"), href="/model", className="d-inline-block mb-2")
    try:
        markdown = get_client().model_card().get("markdown") or ""
    except ServiceError as exc:
        return html.Div([back, html.H1(t("card.title"), className="h3"), error_alert(exc)])
    body = dcc.Markdown(markdown, dangerously_allow_html=False, link_target="_blank", id="model-card-body",
                        className="card card-body model-card")
    # The card brings its own title (# ...): only add one when it has none.
    heading = [] if markdown.lstrip().startswith("# ") else [html.H1(t("card.title"), className="h3")]
    return html.Div([back, *heading, body])
