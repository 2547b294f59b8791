"""Any unknown address."""

import dash
from dash import dcc, html

from dash_app.components import safe_layout
from dash_app.i18n import t

dash.register_page(__name__, path="/404", title=t("notfound.title"))


@safe_layout
def layout(**_query):
    return html.Div([html.H1(t("notfound.title"), className="h3"), html.P(t("notfound.body")),
                     dcc.Link(t("back.clients"), href="/")])
