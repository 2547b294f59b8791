"""Model card (/model/card): the service's markdown, rendered (raw HTML disabled)."""

import dash
from dash import dcc, html

from dash_app.api_client import ServiceError, get_client
from dash_app.components import error_alert, safe_layout
from dash_app.i18n import t

dash.register_page(__name__, path="/model/card", order=5, title=t("card.title") + " – " + t("app.brand"))


LANGS = ("fr", "en")


@safe_layout
def layout(lang=None, **_query):
    lang = lang if lang in LANGS else "fr"  # French; the English version on request (?lang=en)
    other = "en" if lang == "fr" else "fr"
    back = html.Div([dcc.Link("← " + t("card.back"), href="/model", className="d-inline-block mb-2"),
                     html.Span(dcc.Link(t(f"card.lang_{other}"), href=f"/model/card?lang={other}",
                                        id="model-card-lang"), className="ms-3 d-inline-block mb-2", lang=other)])
    try:
        markdown = get_client().model_card(lang).markdown
    except ServiceError as exc:
        return html.Div([back, html.H1(t("card.title"), className="h3"), error_alert(exc)])
    body = dcc.Markdown(markdown, dangerously_allow_html=False, link_target="_blank", id="model-card-body",
                        className="card card-body model-card")
    # The card brings its own title (# ...): only add one when it has none.
    heading = [] if markdown.lstrip().startswith("# ") else [html.H1(t("card.title"), className="h3")]
    return html.Div([back, *heading, html.Div(body, lang=lang)])
