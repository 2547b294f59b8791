"""Client (/client/<id>): score, reasons, comparison, what-if, counterfactual, advisor's decision."""

import dash

from dash_app.components import safe_layout
from dash_app.i18n import t
from dash_app.views import client_callbacks  # noqa: F401 - registers the page's callbacks
from dash_app.views.client import build

dash.register_page(__name__, path_template="/client/<client_id>", order=3,
                   title=lambda client_id=None, **_: t("client.title", id=client_id) + " – " + t("app.brand"))


@safe_layout
def layout(client_id=None, **_query):
    return build(client_id)
