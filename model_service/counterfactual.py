"""Counterfactuals: the smallest realistic change to the credit request that turns a
"decline" or "review" into "approve".

Only actionable fields move, within bounds an advisor can offer:

- AMT_CREDIT down to 30 % of the request (steps of 10 %);
- the term (AMT_CREDIT / AMT_ANNUITY) up to 1.5 times longer, so the annuity falls;
- AMT_GOODS_PRICE follows the credit (cheaper project) or stays (personal contribution);
- AMT_INCOME_TOTAL up to +20 %, only as additional *documented* income;
- one more supporting document (a FLAG_DOCUMENT_k not yet provided).

Gender, age, family and every other field never move. All candidates are
scored in one vectorised pass: the raw fields are typed like
``features_from_records`` does (``scoring.data.to_frame``), the application
features recomputed by the same ``application_features`` code as training, and
the client's history features and categoricals kept as they are. Documents the
model ignores are represented by a single "any other document" option.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring import schema
from scoring.features.application import application_features

from . import text
from .inputs import StoreInputs
from .scorer import Scorer, Scores

CREDIT_FACTORS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)
TERM_FACTORS = (1.0, 1.1, 1.25, 1.5)
INCOME_FACTORS = (1.0, 1.1, 1.2)
DOCUMENTS = tuple(f"FLAG_DOCUMENT_{k}" for k in range(2, 22))
MAX_DOCUMENT_OPTIONS = 5
#: Never changed, whatever the model says (protected or immutable).
PROTECTED = ("CODE_GENDER", "DAYS_BIRTH", "NAME_FAMILY_STATUS", "CNT_CHILDREN", "CNT_FAM_MEMBERS")
BOUNDS = {"credit_min_factor": min(CREDIT_FACTORS), "term_max_factor": max(TERM_FACTORS),
          "income_max_factor": max(INCOME_FACTORS), "documents_added_max": 1}


@dataclass(frozen=True)
class Candidate:
    credit: float
    term: float
    income: float
    keep_goods: bool
    document: str | None

    @property
    def cost(self) -> float:
        """How big the change is for the client (0 = unchanged); the search minimises it."""
        cost = 0.0
        if self.credit < 1:
            cost += 0.5 + (1 - self.credit) / (1 - min(CREDIT_FACTORS))
        if self.term > 1:
            cost += 0.5 + (self.term - 1) / (max(TERM_FACTORS) - 1)
        if self.income > 1:
            cost += 0.8 + (self.income - 1) / (max(INCOME_FACTORS) - 1)
        if self.keep_goods:
            cost += 0.3
        if self.document:
            cost += 0.4
        return cost


def candidates(application: dict[str, Any], documents: list[str]) -> list[Candidate]:
    """Every combination of the levers (documents: only those the client has not provided yet)."""
    missing_docs = [d for d in documents if not application.get(d)]
    has_credit = application.get("AMT_CREDIT") is not None
    has_terms = has_credit and application.get("AMT_ANNUITY") is not None
    out = []
    for credit, term, income, keep, doc in itertools.product(
            CREDIT_FACTORS if has_credit else (1.0,), TERM_FACTORS if has_terms else (1.0,),
            INCOME_FACTORS if application.get("AMT_INCOME_TOTAL") is not None else (1.0,),
            (False, True) if application.get("AMT_GOODS_PRICE") is not None else (False,), (None, *missing_docs)):
        if keep and credit == 1.0:
            continue
        out.append(Candidate(credit, term, income, keep, doc))
    return out


def candidate_frame(application: dict[str, Any], grid: list[Candidate], kinds: dict[str, str]) -> pd.DataFrame:
    """Raw application rows of every candidate, typed as ``scoring.data.to_frame`` types them
    (float32 measures, categories), the levers changed."""
    n = len(grid)
    columns: dict[str, Any] = {}
    for name, value in application.items():
        if kinds.get(name) == "cat":
            codes = np.zeros(n, dtype=np.int8) if value is not None else np.full(n, -1, dtype=np.int8)
            columns[name] = pd.Categorical.from_codes(codes, categories=[value] if value is not None else [])
        else:
            columns[name] = np.full(n, np.nan if value is None else value, dtype=np.float32)
    credit_f = np.array([c.credit for c in grid])
    term_f = np.array([c.term for c in grid])

    def put(name: str, values: np.ndarray) -> None:
        columns[name] = values.astype(np.float32)

    if application.get("AMT_CREDIT") is not None:
        put("AMT_CREDIT", float(application["AMT_CREDIT"]) * credit_f)
        if application.get("AMT_GOODS_PRICE") is not None:
            goods = float(application["AMT_GOODS_PRICE"])
            put("AMT_GOODS_PRICE", np.where([c.keep_goods for c in grid], goods, goods * credit_f))
        if application.get("AMT_ANNUITY") is not None:
            put("AMT_ANNUITY", float(application["AMT_ANNUITY"]) * credit_f / term_f)
    if application.get("AMT_INCOME_TOTAL") is not None:
        put("AMT_INCOME_TOTAL", float(application["AMT_INCOME_TOTAL"]) * np.array([c.income for c in grid]))
    for doc in {c.document for c in grid if c.document}:
        current = float(application.get(doc) or 0)
        put(doc, np.where([c.document == doc for c in grid], 1.0, current))
    columns["SK_ID_CURR"] = np.arange(n, dtype=np.int64)
    return pd.DataFrame(columns, copy=False)


class CounterfactualSearch:
    def __init__(self, inputs: StoreInputs, scorer: Scorer):
        self.inputs = inputs
        self.scorer = scorer
        # thread_count=1: this runs in gunicorn's master before the fork, where no CatBoost worker
        # thread may be started (the forked workers abort at exit otherwise)
        values = np.asarray(scorer.model.get_feature_importance(thread_count=1), dtype=np.float64)
        importance = dict(zip(inputs.features, values, strict=False))
        present = [d for d in DOCUMENTS if d in inputs.position]
        used = sorted((d for d in present if importance.get(d, 0.0) > 0), key=lambda d: -importance[d])
        # the documents the model weighs most, plus one standing for "any other document"
        # (every document moves the document count the same way)
        others = [d for d in present if d not in used[:MAX_DOCUMENT_OPTIONS]]
        self.documents = used[:MAX_DOCUMENT_OPTIONS] + others[:1]
        self.any_document = {d for d in others if importance.get(d, 0.0) == 0}
        self.kinds = {**schema.kinds("application_test"), "SK_ID_CURR": "id"}
        categorical = set(inputs.categorical)
        self.numeric = [f for f in inputs.features if f not in categorical]

    def evaluate(self, application: dict[str, Any], row: list, grid: list[Candidate]) -> tuple[Scores, pd.DataFrame]:
        """Scores of every candidate in one vectorised pass (application features recomputed by
        ``application_features``, history features and categoricals kept from ``row``)."""
        features = application_features(candidate_frame(application, grid, self.kinds))
        n = len(grid)
        base = np.array([np.nan if isinstance(v, str) else v for v in row], dtype=np.float32)
        matrix = np.repeat(base[None, :], n, axis=0)
        recomputed = [name for name in self.numeric if name in features.columns]
        matrix[:, [self.inputs.position[name] for name in recomputed]] = \
            features[recomputed].to_numpy(dtype=np.float32)
        x = pd.DataFrame(matrix, columns=self.inputs.features, copy=False)
        for j in self.inputs.cat_index:
            x[self.inputs.features[j]] = pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[row[j]])
        return self.scorer.score_frame(x), x

    def search(self, application: dict[str, Any], row: list) -> dict[str, Any]:
        """``application``: raw fields; ``row``: the client's full model row (history taken from it)."""
        application = {k: v for k, v in application.items() if k != "SK_ID_CURR"}
        current = self.scorer.score_row(row)
        base = {"current": current.as_dict(), "bounds": BOUNDS, "protected": list(PROTECTED)}
        if current.decision == "approve":
            return {**base, "found": True, "changes": [], "new_score": current.as_dict(), "candidates": 0,
                    "message": "Le dossier est déjà proposé à l'accord : aucun changement nécessaire.",
                    "message_en": "The application is already proposed for approval: no change needed."}
        grid = candidates(application, self.documents)
        scores, x = self.evaluate(application, row, grid)
        costs = np.array([c.cost for c in grid])
        approved = np.flatnonzero(scores.decision == "approve")
        if approved.size == 0:
            best = int(np.argmin(scores.score))
            closest = {"changes": self.changes(application, grid[best], x.iloc[best]), "score": scores.item(best)}
            return {**base, "found": False, "changes": [], "new_score": None, "candidates": len(grid),
                    "closest": closest,
                    "message": ("Aucune modification réaliste (crédit réduit jusqu'à 30 %, durée allongée jusqu'à "
                                "×1,5, revenu justifié jusqu'à +20 %, un justificatif de plus) ne permet "
                                "d'atteindre l'accord."),
                    "message_en": ("No realistic change (credit down to 30%, term up to 1.5x, documented income up "
                                   "to +20%, one more document) reaches approval.")}
        pick = int(approved[np.lexsort((scores.score[approved], costs[approved]))[0]])
        changes = self.changes(application, grid[pick], x.iloc[pick])
        return {**base, "found": True, "changes": changes, "new_score": scores.item(pick),
                "candidates": len(grid),
                "message": "Modifications minimales pour obtenir l'accord : " + "; ".join(
                    f"{c['label']} : {c['display_old']} → {c['display_new']}" for c in changes) + ".",
                "message_en": "Smallest changes that reach approval: " + "; ".join(
                    f"{c['label_en']}: {c['display_old_en']} -> {c['display_new_en']}" for c in changes) + "."}

    def changes(self, application: dict[str, Any], candidate: Candidate, x: pd.Series) -> list[dict[str, Any]]:
        fields = ["AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "AMT_INCOME_TOTAL"]
        if candidate.document:
            fields.append(candidate.document)
        out = []
        for name in fields:
            old = application.get(name)
            new = float(x[name]) if name in x.index else None
            if old is None or new is None or abs(float(old) - new) < 0.5 * 10 ** -3 * max(1.0, abs(float(old))):
                continue
            item = {"field": name, "label": text.label(name, "fr"), "label_en": text.label(name, "en"),
                    "old": old, "new": round(new, 2) if not name.startswith("FLAG_") else int(new),
                    "display_old": text.format_value(name, old, "fr"),
                    "display_new": text.format_value(name, new, "fr"),
                    "display_old_en": text.format_value(name, old, "en"),
                    "display_new_en": text.format_value(name, new, "en")}
            if name in self.any_document:
                item["note"] = "tout autre justificatif non encore fourni a le même effet"
                item["note_en"] = "any other supporting document not provided yet has the same effect"
            if name == "AMT_INCOME_TOTAL":
                item["note"] = "revenu supplémentaire à justifier"
                item["note_en"] = "additional income to be documented"
            out.append(item)
        if candidate.term > 1 and application.get("AMT_CREDIT") and application.get("AMT_ANNUITY"):
            old = float(application["AMT_CREDIT"]) / float(application["AMT_ANNUITY"])
            new = old * candidate.term
            out.append({"field": "APP_CREDIT_TERM", "derived": True,
                        "label": text.label("APP_CREDIT_TERM", "fr"), "label_en": text.label("APP_CREDIT_TERM", "en"),
                        "old": round(old, 2), "new": round(new, 2),
                        "display_old": text.format_value("APP_CREDIT_TERM", old, "fr"),
                        "display_new": text.format_value("APP_CREDIT_TERM", new, "fr"),
                        "display_old_en": text.format_value("APP_CREDIT_TERM", old, "en"),
                        "display_new_en": text.format_value("APP_CREDIT_TERM", new, "en")})
        return out
