"""Client view (/client/<id>/share): what the client may read and keep (no other client, no internals)."""

import dash

from dash_app.components import safe_layout
from dash_app.i18n import t
from dash_app.views.share import build

# Before the /client/<client_id> template, which would otherwise match ".../share" too.
dash.register_page(__name__, path_template="/client/<client_id>/share", order=2,
                   title=t("share.title") + " – " + t("app.brand"))


@safe_layout
def layout(client_id=None, **_query):
    return build(client_id)
