"""Blueprints of the API, one module per area."""

from __future__ import annotations

import numpy as np

from ..errors import NotFound
from ..services import services

MAX_ID = int(np.iinfo(np.int64).max)


def client_position(client_id: int) -> int:
    """Store row of a known client, or 404."""
    i = services().clients.index_of(client_id) if 0 <= client_id <= MAX_ID else None
    if i is None:
        raise NotFound(f"no client with id {client_id}")
    return i
