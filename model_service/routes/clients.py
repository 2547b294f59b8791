"""Known clients: listing with filters, and readable details."""

from __future__ import annotations

import numpy as np

from ..api import Routes, operation
from ..decisions import DatabaseUnavailable
from ..details import readable
from ..schemas import ClientOut, ClientsOut, ClientsQuery
from ..services import services
from . import client_position

bp = Routes("clients")


@operation(bp, "/clients", summary="Known clients, paginated, filtered and sorted", tags="clients",
           query=ClientsQuery, response=ClientsOut, errors=(422,))
def list_clients(query: ClientsQuery):
    s = services()
    only = None
    if query.advisor_decision is not None:  # decisions are few next to clients: one query over all of them
        latest = s.decisions.latest()
        decided = np.fromiter((cid for cid, row in latest.items() if row["decision"] == query.advisor_decision)
                              if query.advisor_decision != "none" else latest, dtype=np.int64)
        only = np.isin(s.clients.ids, decided)
        if query.advisor_decision == "none":
            only = ~only
    items, total = s.clients.search(query, only)
    try:
        latest = s.decisions.latest([item["id"] for item in items]) if items else {}
    except DatabaseUnavailable:  # the list stays usable without its decision column
        latest = {}
    for item in items:
        row = latest.get(item["id"])
        item["advisor_decision"] = {k: row[k] for k in ("decision", "advisor", "created_at")} if row else None
    return s.stamp({"items": items, "total": total, "page": query.page, "per_page": query.per_page})


@operation(bp, "/clients/<int:client_id>", summary="Readable information about one client", tags="clients",
           response=ClientOut, errors=(404,))
def client(client_id: int):
    s = services()
    i = client_position(client_id)
    application = s.inputs.raw_application(s.inputs.row(i))
    info, display = readable(application)
    return s.stamp({"id": client_id, "info": info, "display": display,
                    "known_outcome": s.clients.known_outcome(i), "application": application})
