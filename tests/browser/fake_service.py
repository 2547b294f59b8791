"""A small fake of the scoring service (docs/api.md shapes) for developing the dashboard without a model.

Development aid only: the browser tests run against the REAL service. Run with
``python -m tests.browser.fake_service PORT``.
"""

from __future__ import annotations

import json
import math
import random
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

THRESHOLD = 0.12
rng = random.Random(3)
CLIENTS = []
for i in range(300):
    p = min(0.95, max(0.005, rng.betavariate(1.2, 9)))
    s = 50 * p / THRESHOLD if p <= THRESHOLD else 50 + 50 * (p - THRESHOLD) / (1 - THRESHOLD)
    CLIENTS.append({"id": 100000 + i * 7, "age": rng.randint(21, 68), "income": rng.choice([90000.0, 135000.0, 202500.0]),
                    "credit": float(rng.randint(5, 120) * 5000), "annuity": float(rng.randint(5, 60) * 500),
                    "contract_type": rng.choice(["Cash loans", "Revolving loans"]), "gender": rng.choice(["F", "M"]),
                    "score": round(s, 2), "probability": p,
                    "decision": "approve" if s < 45 else "review" if s <= 55 else "decline"})
BY_ID = {c["id"]: c for c in CLIENTS}
DECISIONS: dict[int, list] = {}
FEATURES = [("EXT_SOURCE_2", "Score externe 2", "numeric"), ("EXT_SOURCE_3", "Score externe 3", "numeric"),
            ("AMT_CREDIT", "Montant du crédit", "numeric"), ("DAYS_BIRTH", "Âge (jours)", "numeric"),
            ("NAME_CONTRACT_TYPE", "Type de contrat", "categorical")]


def band(d):
    return {"approve": "green", "review": "orange", "decline": "red"}[d]


def scored(c):
    return {"id": c["id"], "probability": c["probability"], "score": c["score"], "decision": c["decision"],
            "band": band(c["decision"]), "model_version": "fake-1", "threshold": THRESHOLD}


def explanation(c):
    contributions = []
    for j, (f, label, kind) in enumerate(FEATURES):
        v = 0.5 - j * 0.2 + (c["score"] - 50) / 100
        value = "Cash loans" if kind == "categorical" else round(0.1 + 0.15 * j, 3)
        contributions.append({"feature": f, "label": label, "value": value, "display_value": str(value),
                              "contribution": v, "direction": "raises" if v > 0 else "lowers",
                              "sentence": f"{label} : {'augmente' if v > 0 else 'diminue'} le risque."})
    return {"id": c["id"], "base_value": -2.2, "raw_score": -2.2 + sum(x["contribution"] for x in contributions),
            "contributions": contributions, "other_contribution": 0.1, "model_version": "fake-1",
            "threshold": THRESHOLD}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):  # noqa: C901 - a fake, one branch per route
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")
        if url.path == "/health":
            return self.send(200, {"status": "ok", "model_version": "fake-1", "threshold": THRESHOLD,
                                   "clients": len(CLIENTS), "synthetic": True})
        if url.path == "/model":
            thresholds = [i / 100 for i in range(101)]
            return self.send(200, {
                "model_version": "fake-1", "threshold": THRESHOLD, "costs": {"fn": 10, "fp": 1},
                "metrics": {"auc": 0.76, "brier": 0.067, "default_rate": 0.08, "business_cost": 0.49},
                "cost_curve": {"thresholds": thresholds,
                               "fn_rate": [0.08 * (1 - math.exp(-8 * t)) for t in thresholds],
                               "fp_rate": [0.92 * math.exp(-12 * t) for t in thresholds],
                               "cost": [0.0] * 101},
                "importance": [{"feature": f, "label": lab, "importance": 30 - 5 * j}
                               for j, (f, lab, _) in enumerate(FEATURES)],
                "features": [{"name": f, "type": k, "label": lab, "label_en": f} for f, lab, k in FEATURES],
                "roc": {"fpr": [0, 0.1, 0.3, 0.6, 1], "tpr": [0, 0.4, 0.7, 0.9, 1]},
                "calibration": {"predicted": [0.02, 0.05, 0.1, 0.2, 0.4], "observed": [0.025, 0.05, 0.09, 0.22, 0.38],
                                "count": [500, 400, 300, 100, 30], "brier": 0.067},
                "synthetic": True, "created": "2025-01-01T10:00:00", "data_fingerprint": "x"})
        if url.path == "/model/fairness":
            return self.send(200, {"groups": [{"attribute": "gender", "group": "F", "approval_rate": 0.71, "count": 150},
                                              {"attribute": "gender", "group": "M", "approval_rate": 0.64, "count": 150}]})
        if url.path == "/model/card":
            return self.send(200, {"markdown": "# Fiche du modèle\n\nModèle **factice**.\n\n| a | b |\n|---|---|\n| 1 | 2 |"})
        if url.path == "/monitoring/summary":
            return self.send(404, {"error": "not_found", "detail": "no drift report"})
        if url.path == "/population":
            out = {}
            for f in q.get("features", "").split(","):
                kind = next((k for n, _, k in FEATURES if n == f), "numeric")
                if kind == "categorical":
                    out[f] = {"label": f, "type": "categorical", "levels": ["Cash loans", "Revolving loans"],
                              "repaid": [800, 100], "default": [80, 5]}
                else:
                    out[f] = {"label": f, "type": "numeric", "edges": [i / 10 for i in range(11)],
                              "repaid": [5, 10, 30, 60, 90, 100, 80, 50, 20, 5], "default": [5, 8, 9, 8, 6, 4, 3, 2, 1, 1]}
            return self.send(200, {"features": out, "model_version": "fake-1", "threshold": THRESHOLD})
        if url.path == "/clients":
            items = CLIENTS
            if q.get("decision"):
                items = [c for c in items if c["decision"] == q["decision"]]
            if q.get("q"):
                items = [c for c in items if str(c["id"]).startswith(q["q"])]
            page, per = int(q.get("page", 1)), int(q.get("per_page", 20))
            return self.send(200, {"items": items[(page - 1) * per: page * per], "total": len(items), "page": page,
                                   "per_page": per, "model_version": "fake-1", "threshold": THRESHOLD})
        if parts[0] == "clients" and len(parts) >= 2:
            c = BY_ID.get(int(parts[1])) if parts[1].isdigit() else None
            if c is None:
                return self.send(404, {"error": "not_found", "detail": "unknown client"})
            tail = parts[2] if len(parts) > 2 else ""
            if tail == "":
                info = {"age": c["age"], "gender": c["gender"], "income": c["income"], "credit": c["credit"],
                        "annuity": c["annuity"], "goods_price": c["credit"] * 0.9, "contract_type": c["contract_type"],
                        "own_car": False, "children": 1}
                return self.send(200, {"id": c["id"], "info": info, "known_outcome": 0, "model_version": "fake-1",
                                       "threshold": THRESHOLD})
            if tail == "score":
                return self.send(200, scored(c))
            if tail == "explanation":
                return self.send(200, explanation(c))
            if tail == "similar":
                n = [dict(scored(x), distance=0.1 * i, outcome=i % 2, EXT_SOURCE_2=0.3 + i / 50)
                     for i, x in enumerate(CLIENTS[:10])]
                return self.send(200, {"id": c["id"], "k": 10, "neighbours": n, "default_rate": 0.2,
                                       "features": ["EXT_SOURCE_2"]})
            if tail == "counterfactual":
                found = c["decision"] != "approve"
                return self.send(200, {"id": c["id"], "current": scored(c), "found": found,
                                       "changes": [{"field": "AMT_CREDIT", "label": "Montant du crédit",
                                                    "old": c["credit"], "new": c["credit"] * 0.6}] if found else [],
                                       "new_score": {"score": 43.0}})
            if tail == "decisions":
                return self.send(200, {"client_id": c["id"], "decisions": DECISIONS.get(c["id"], [])})
        return self.send(404, {"error": "not_found", "detail": url.path})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        parts = urlsplit(self.path).path.strip("/").split("/")
        if parts == ["predict"]:
            credit = float(body["application"].get("AMT_CREDIT", 100000))
            s = min(100, credit / 8000)
            d = "approve" if s < 45 else "review" if s <= 55 else "decline"
            return self.send(200, {"probability": s / 500, "score": s, "decision": d, "band": band(d),
                                   "model_version": "fake-1", "threshold": THRESHOLD})
        if len(parts) == 3 and parts[2] == "decision":
            cid = int(parts[1])
            row = {"id": len(DECISIONS.get(cid, [])) + 1, "client_id": cid, **body, "created_at": "2025-01-02T10:00:00",
                   "model_score": BY_ID[cid]["score"], "model_decision": BY_ID[cid]["decision"],
                   "model_version": "fake-1"}
            DECISIONS.setdefault(cid, []).insert(0, row)
            return self.send(201, row)
        return self.send(404, {"error": "not_found", "detail": self.path})


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
