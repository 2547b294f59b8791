"""Counterfactuals: the smallest change an advisor can offer that turns a "decline" or
"review" into "approve", searched on the client's whole file.

Only the levers of ``scoring.levers`` move, within the lender's bounds (``BOUNDS``): the loan
amount, the duration (cash loans), the goods price (kept: a down payment; or lowered with the
loan) and the declared income (a declaration to verify). Document flags, age, family status,
sex and every other field never move. Every candidate is rebuilt by the core exactly like a
simulation (``model_service.simulation.FileRebuilder``: application features recomputed, the
stored history kept) and all are scored in one vectorised pass. Amounts are rounded to the cent
before scoring, so the change reported is the change scored: simulating it gives the same score.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.levers import AMOUNT, ANNUITY, BOUNDS, GOODS, INCOME, LEVER_FIELDS, TERM_CONTRACTS, TO_VERIFY, LenderBounds

from .inputs import StoreInputs
from .scorer import Scorer
from .simulation import FileRebuilder, change_item

TERM = "APP_CREDIT_TERM"
DOWN_PAYMENT = "DOWN_PAYMENT"


@dataclass(frozen=True)
class Candidate:
    amount: float  # factor of the requested amount
    term: float  # monthly annuities (the current term when unchanged)
    income: float  # factor of the declared income
    keep_goods: bool  # the goods price stays (the client pays the difference)
    term_moved: bool

    def cost(self, bounds: LenderBounds, current_term: float) -> float:
        """How big the change is for the client (0 = unchanged); the search minimises it."""
        cost = 0.0
        if self.amount < 1:
            cost += 0.5 + (1 - self.amount) / (1 - bounds.amount_min_factor)
        if self.term_moved:
            cost += 0.5 + (self.term - current_term) / max(bounds.max_term_months - current_term, 1.0)
        if self.income > 1:
            cost += 0.8 + (self.income - 1) / (bounds.income_max_factor - 1)
        if self.keep_goods:
            cost += 0.2
        return cost


def _present(application: dict[str, Any], name: str) -> bool:
    value = application.get(name)
    return value is not None and value == value and (name != AMOUNT and name != ANNUITY or value > 0)


def current_term(application: dict[str, Any]) -> float | None:
    if _present(application, AMOUNT) and _present(application, ANNUITY):
        return float(application[AMOUNT]) / float(application[ANNUITY])
    return None


def candidates(application: dict[str, Any], bounds: LenderBounds = BOUNDS) -> list[Candidate]:
    """Every combination of the levers this client's application allows."""
    has_amount = _present(application, AMOUNT)
    term0 = current_term(application)
    terms = bounds.terms(term0) if term0 is not None and application.get("NAME_CONTRACT_TYPE") in TERM_CONTRACTS \
        else ((term0,) if term0 is not None else (0.0,))
    out = []
    for amount, term, income, keep in itertools.product(
            bounds.amount_factors() if has_amount else (1.0,), terms,
            bounds.income_factors() if _present(application, INCOME) else (1.0,),
            (False, True) if _present(application, GOODS) and has_amount else (False,)):
        if keep and amount == 1.0:
            continue
        out.append(Candidate(amount, float(term), income, keep, term_moved=term0 is not None and term != term0))
    return out


def apply(application: dict[str, Any], c: Candidate) -> dict[str, Any]:
    """The application with the candidate's changes (amounts to the cent; unchanged fields untouched)."""
    out = dict(application)
    if c.amount != 1.0:
        out[AMOUNT] = round(float(application[AMOUNT]) * c.amount, 2)
        if _present(application, GOODS) and not c.keep_goods:
            out[GOODS] = round(float(application[GOODS]) * c.amount, 2)
    if _present(application, ANNUITY) and (c.amount != 1.0 or c.term_moved):
        out[ANNUITY] = round(float(out[AMOUNT]) / c.term, 2)
    if c.income != 1.0:
        out[INCOME] = round(float(application[INCOME]) * c.income, 2)
    return out


class CounterfactualSearch:
    def __init__(self, inputs: StoreInputs, scorer: Scorer, bounds: LenderBounds = BOUNDS):
        self.inputs = inputs
        self.scorer = scorer
        self.bounds = bounds
        self.rebuilder = FileRebuilder(inputs)

    def describe(self) -> dict[str, Any]:
        return {"levers": list(LEVER_FIELDS), "bounds": self.bounds.as_dict(),
                "bounds_text": self.bounds.text("fr"), "bounds_text_en": self.bounds.text("en")}

    def search(self, application: dict[str, Any], row: list, current: dict[str, Any] | None = None
               ) -> dict[str, Any]:
        """``application``: raw fields; ``row``: the client's full model row (history taken from it);
        ``current``: the client's score as served (scored from ``row`` when not given)."""
        application = {k: v for k, v in application.items() if k != "SK_ID_CURR"}
        current = current or self.scorer.score_row(row).as_dict()
        base = {"current": current, **self.describe(), "closest": None}
        if current["decision"] == "approve":
            return {**base, "found": True, "changes": [], "new_score": current, "candidates": 0,
                    "message": "Le dossier est déjà proposé à l'accord : aucun changement nécessaire.",
                    "message_en": "The application is already proposed for approval: no change needed."}
        grid = [c for c in candidates(application, self.bounds) if c != Candidate(1.0, c.term, 1.0, False, False)]
        variants = [apply(application, c) for c in grid]
        scores = self.scorer.score_frame(self.rebuilder.frame(row, variants)) if grid else None
        if scores is None or not (scores.decision == "approve").any():
            closest = None
            if scores is not None:
                best = int(np.argmin(scores.score))
                closest = {"changes": self.changes(application, grid[best], variants[best]),
                           "score": scores.item(best)}
            return {**base, "found": False, "changes": [], "new_score": None, "candidates": len(grid),
                    "closest": closest,
                    "message": "Aucune modification dans les limites du prêteur ne permet d'atteindre l'accord. "
                               "Limites : " + self.bounds.text("fr"),
                    "message_en": "No change within the lender's bounds reaches approval. Bounds: "
                                  + self.bounds.text("en")}
        term0 = current_term(application) or 0.0
        costs = np.array([c.cost(self.bounds, term0) for c in grid])
        approved = np.flatnonzero(scores.decision == "approve")
        pick = int(approved[np.lexsort((scores.score[approved], costs[approved]))[0]])
        changes = self.changes(application, grid[pick], variants[pick])
        return {**base, "found": True, "changes": changes, "new_score": scores.item(pick), "candidates": len(grid),
                "message": "Modifications minimales pour obtenir l'accord : " + "; ".join(
                    f"{c['label']} : {c['display_old']} → {c['display_new']}" for c in changes) + ".",
                "message_en": "Smallest changes that reach approval: " + "; ".join(
                    f"{c['label_en']}: {c['display_old_en']} -> {c['display_new_en']}" for c in changes) + "."}

    def changes(self, application: dict[str, Any], candidate: Candidate, variant: dict[str, Any]
                ) -> list[dict[str, Any]]:
        out = []
        for name in LEVER_FIELDS:
            old, new = application.get(name), variant.get(name)
            if old is None or new is None or old == new:
                continue
            extra: dict[str, Any] = {}
            if name in TO_VERIFY:
                extra = {"to_verify": True, "note": "déclaration à vérifier (justificatif de revenu)",
                         "note_en": "a declaration to verify (proof of income)"}
            out.append(change_item(name, old, new, **extra))
        if candidate.keep_goods and _present(application, GOODS):
            # the goods price stays: the part of the loan given up is the client's own contribution
            down = round(float(application[AMOUNT]) - float(variant[AMOUNT]), 2)
            item = change_item(AMOUNT, 0.0, down, derived=True)
            out.append({**item, "field": DOWN_PAYMENT, "label": "Apport personnel", "label_en": "Down payment",
                        "note": "prix du bien conservé", "note_en": "goods price kept"})
        if candidate.term_moved:
            old = current_term(application)
            out.append(change_item(TERM, round(old, 2), round(candidate.term, 2), derived=True))
        return out
