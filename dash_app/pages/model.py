"""Model (/model): how the model performs, what it relies on, what its threshold costs, fairness."""

import dash

from dash_app.components import safe_layout
from dash_app.i18n import t
from dash_app.views.model import build

dash.register_page(__name__, path="/model", order=4, nav=t("nav.model"), title=t("model.title") + " – " + t("app.brand"))


@safe_layout
def layout(**_query):
    return build()
