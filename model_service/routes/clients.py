"""Known clients: listing with filters, and readable details."""

from __future__ import annotations

from flask import Blueprint

from ..api import operation
from ..details import readable
from ..schemas import ClientOut, ClientsOut, ClientsQuery
from ..services import services
from . import client_position

bp = Blueprint("clients", __name__)


@operation(bp, "/clients", summary="Known clients, paginated, filtered and sorted", tags="clients",
           query=ClientsQuery, response=ClientsOut, errors=(422,))
def list_clients(query: ClientsQuery):
    s = services()
    items, total = s.clients.search(query)
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
