from __future__ import annotations

from ..api import Routes, operation
from ..schemas import HealthOut
from ..security import public_detail
from ..services import services

bp = Routes("health")


@operation(bp, "/health", summary="Liveness, model identity, database and prediction-log state (no API key needed)", tags="service",
           response=HealthOut, auth=False)
def health():
    s = services()
    database = s.decisions.db.health()
    if "detail" in database:  # public: never a host, port or path, whatever the driver said
        database = {**database, "detail": public_detail(database["detail"])}
    log_state = s.predictions.health()
    ok = database["status"] == "ok" and log_state["lost"] == 0
    return s.stamp({"status": "ok" if ok else "degraded", "clients": len(s.clients), "synthetic": s.synthetic,
                    "database": database, "prediction_log": log_state, "oversight": s.oversight.state()})
