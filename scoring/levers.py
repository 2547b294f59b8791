"""The levers an advisor can actually offer a client, and the lender's bounds on them.

One place for the rules the counterfactual search applies and the screens state:

- the loan amount, down to ``amount_min_factor`` of the request;
- the duration (a longer term lowers the annuity), up to the product's maximum number of
  monthly annuities (cash loans only: a revolving line's annuity is a fixed share of its limit);
- the goods price: it follows a smaller loan (a cheaper project) or stays, the client then
  paying the difference as a down payment (at most half the goods price, implied by the amount bound);
- the declared income, up to ``income_max_factor``, flagged as a declaration to verify.

Nothing else moves: document flags and other fields whose label means nothing to a client
are not levers, and protected or personal attributes (``scoring.protected``) never are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from scoring.protected import never_changed

AMOUNT, ANNUITY, GOODS, INCOME = "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "AMT_INCOME_TOTAL"
#: Raw application fields a counterfactual may change.
LEVER_FIELDS: tuple[str, ...] = (AMOUNT, ANNUITY, GOODS, INCOME)
#: Changes that are the client's word until a document proves them.
TO_VERIFY: frozenset[str] = frozenset({INCOME})
#: Contract types whose duration can be lengthened.
TERM_CONTRACTS: frozenset[str] = frozenset({"Cash loans"})


@dataclass(frozen=True)
class LenderBounds:
    amount_min_factor: float = 0.5
    amount_step: float = 0.05
    max_term_months: int = 48
    term_step_months: int = 6
    income_max_factor: float = 1.2
    income_step: float = 0.1

    def amount_factors(self) -> tuple[float, ...]:
        """1.0, 0.95, ... down to ``amount_min_factor``."""
        n = round((1.0 - self.amount_min_factor) / self.amount_step)
        return tuple(round(1.0 - k * self.amount_step, 10) for k in range(n + 1))

    def income_factors(self) -> tuple[float, ...]:
        n = round((self.income_max_factor - 1.0) / self.income_step)
        return tuple(round(1.0 + k * self.income_step, 10) for k in range(n + 1))

    def terms(self, current: float) -> tuple[float, ...]:
        """The current term (in monthly annuities), then every step of the product above it, up to the maximum."""
        longer = range(self.term_step_months, self.max_term_months + 1, self.term_step_months)
        return (current, *(float(t) for t in longer if t > current + 0.5))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self, lang: str = "fr") -> str:
        """The bounds as the screen states them."""
        amount = round(self.amount_min_factor * 100)
        income = round((self.income_max_factor - 1) * 100)
        if lang == "en":
            return (f"Loan amount down to {amount}% of the request; duration up to {self.max_term_months} monthly "
                    f"payments (cash loans); goods price kept (down payment) or lowered with the loan; declared "
                    f"income up to +{income}%, to be verified. Age, family status and sex are never changed.")
        return (f"Montant du crédit jusqu'à {amount} % de la demande ; durée jusqu'à {self.max_term_months} "
                f"mensualités (prêts personnels) ; prix du bien conservé (apport personnel) ou réduit avec le "
                f"crédit ; revenu déclaré jusqu'à +{income} %, à vérifier. L'âge, la situation familiale et le "
                f"sexe ne sont jamais modifiés.")


BOUNDS = LenderBounds()

assert not set(LEVER_FIELDS) & never_changed(), "a protected or personal attribute may never be a lever"
