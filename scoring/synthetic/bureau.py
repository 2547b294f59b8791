"""Credit-bureau history: ``bureau`` (one row per external credit) and ``bureau_balance`` (months)."""

from __future__ import annotations

import numpy as np

from .application import Clients
from .common import DAYS_PER_MONTH, Cat, categorical, draw, expand, from_quantiles, group_mean, rnd, with_missing

CREDIT_TYPE = {"Consumer credit": .729, "Credit card": .235, "Car loan": .0162, "Mortgage": .0107,
               "Microloan": .0072, "Loan for business development": .0011, "Another type of loan": .0006,
               "Unknown type of loan": .0003, "Loan for working capital replenishment": .0003,
               "Cash loan (non-earmarked)": .00003, "Real estate loan": .00002,
               "Loan for the purchase of equipment": .00001, "Mobile operator loan": .000001,
               "Interbank credit": .000001, "Loan for purchase of shares (margin lending)": .000002}
DAYS_CREDIT_Q = (-2922, -2812, -2661, -2438, -1884, -1494, -1212, -980, -756, -555, -380, -212, -123, -64, -1)
# credit length in days by type index (consumer/other, card, car, mortgage, microloan)
LENGTH_Q = {
    0: (30, 61, 93, 152, 184, 251, 317, 365, 407, 730, 1096, 1826, 1826, 1827, 3653),
    1: (30, 90, 230, 366, 756, 1096, 1109, 1300, 1696, 1841, 3650, 7300, 10950, 28000, 31000),
    2: (28, 358, 411, 730, 1095, 1096, 1111, 1823, 1826, 1826, 1826, 1827, 1827, 1858, 2558),
    3: (48, 153, 1824, 2922, 3652, 3665, 5465, 5481, 5540, 7304, 7305, 7928, 9193, 10957, 11019),
    4: (1, 3, 4, 5, 8, 11, 14, 16, 20, 30, 62, 252, 705, 730, 735),
}
SUM_Q = {
    0: (0, 16110, 21165, 27779, 44796, 63947, 89355, 118704, 162370, 238500, 438212, 742185, 1205174, 1800000, 9000000),
    1: (0, 0, 0, 0, 13500, 51750, 90000, 112500, 144000, 202500, 270000, 405000, 540000, 675000, 2250000),
    2: (1611, 362413, 533742, 676800, 980366, 1146150, 1312878, 1500422, 1739130, 2030893, 2375659, 3143681, 3808455,
        5450759, 13156263),
    3: (567000, 900000, 1359450, 1717875, 2250000, 3150000, 3855600, 4504500, 5315400, 6300000, 7683941, 9900000,
        11817000, 15604650, 39060000),
    4: (4500, 4500, 6750, 9000, 13500, 13500, 18000, 22500, 22500, 27000, 36900, 67500, 202500, 395325, 675000),
}
OVERDUE_DAYS_Q = (4, 5, 6, 8, 13, 18, 30, 38, 55, 97, 557, 1636, 2077, 2495, 2679)
MAX_OVERDUE_Q = (0.14, 35, 149, 778, 2732, 4140, 5562, 7128, 9056, 11770, 15850, 25213, 39849, 65840, 1000000)
LATE = ("1", "2", "3", "4", "5")
STATUS = ("0", "C", "X") + LATE
HAS_BALANCE = 0.52  # share of bureau credits with a monthly bureau_balance history


def make_bureau(rng, cl: Clients, first_id: int) -> tuple[dict, dict, dict]:
    """``bureau`` and ``bureau_balance`` columns for the clients, plus per-client aggregates."""
    parent, _ = expand(cl.n_bureau)
    m = parent.size
    p_late = cl.p_bureau_late[parent]
    ctype = categorical(rng, m, CREDIT_TYPE)
    kind = np.minimum(ctype.codes, 5)
    kind[kind == 5] = 0
    # risky clients hold more microloans
    micro = rng.random(m) < 0.25 * p_late
    kind[micro] = 4
    ctype.codes[micro] = 4
    days_credit = np.round(from_quantiles(rng.random(m), DAYS_CREDIT_Q))
    length = np.empty(m)
    amount = np.empty(m)
    for k in range(5):
        sel = kind == k
        length[sel] = np.round(from_quantiles(rng.random(sel.sum()), LENGTH_Q[k]))
        amount[sel] = from_quantiles(rng.random(sel.sum()), SUM_Q[k])
    scale = (cl.income[parent] / 170000.0) ** 0.3
    amount = np.where(rng.random(m) < 0.4, rnd(amount * scale, 4500), np.round(amount * scale, 2))
    end = days_credit + length
    card = kind == 1
    end_missing = rng.random(m) < np.where(card, 0.2, 0.03)

    # status: past-due credits are mostly closed, running ones mostly active
    p_active = np.where(end > 0, 0.8, 0.11) + 0.06 * cl.r[parent]
    p_active = np.where(end_missing, 0.5, p_active)
    active = rng.random(m) < p_active
    sold = ~active & (rng.random(m) < 0.004 + 0.1 * p_late)
    bad = ~active & ~sold & (rng.random(m) < 0.02 * p_late)
    status = np.where(active, 0, np.where(sold, 2, np.where(bad, 3, 1))).astype(np.int16)
    closed = status != 0

    early = np.where(rng.random(m) < 0.45, 0.0, np.round(rng.exponential(200.0, m)))
    fact = np.where(end <= 0, end - early, np.round(days_credit + rng.random(m) * -days_credit))
    fact = np.clip(fact, days_credit, 0.0)
    fact = np.where(closed & ~(sold & (rng.random(m) < 0.75)), fact, np.nan)

    overdue = active & (rng.random(m) < 0.3 * p_late)
    overdue_days = np.where(overdue, np.round(from_quantiles(rng.random(m), OVERDUE_DAYS_Q)), 0).astype(np.int64)
    remaining = np.sqrt(np.clip(end / np.maximum(length, 1.0) + rng.normal(0, 0.1, m), 0.0, 1.0))
    card_use = np.clip(cl.utilisation[parent] + rng.normal(0, 0.2, m), 0.0, 1.05)
    debt = np.where(active, np.round(amount * np.where(card, card_use, remaining), 2), 0.0)
    debt = np.where(rng.random(m) < np.where(active, 0.12, 0.165), np.nan, debt)
    limit = np.where(card & active & (rng.random(m) < 0.6), np.round(amount - np.nan_to_num(debt), 2), 0.0)
    limit = np.where(rng.random(m) < 0.33, np.nan, limit)
    sum_overdue = np.where(overdue, np.round(np.minimum(amount, np.nan_to_num(debt) + 1.0) *
                                             rng.uniform(0.001, 0.2, m), 2), 0.0)
    max_overdue = np.where(rng.random(m) < 0.12 + 3.0 * p_late + overdue,
                           np.round(from_quantiles(rng.random(m), MAX_OVERDUE_Q), 2), 0.0)
    max_overdue = np.where(rng.random(m) < np.where(days_credit < -1200, 0.67, 0.62) * (1 - overdue), np.nan,
                           max_overdue)
    update = np.where(active, -np.round(rng.exponential(np.where(rng.random(m) < 0.85, 25.0, 600.0), m)),
                      np.nan_to_num(fact, nan=end) + np.round(rng.exponential(60.0, m)))
    update = np.clip(update, days_credit, 0.0).astype(np.int64)
    annuity = np.where(rng.random(m) < 0.5, 0.0, np.round(amount * rng.uniform(0.01, 0.12, m), 2))

    ids = first_id + np.arange(m, dtype=np.int64)
    cols = {
        "SK_ID_CURR": cl.ids[parent], "SK_ID_BUREAU": ids,
        "CREDIT_ACTIVE": Cat(status, ("Active", "Closed", "Sold", "Bad debt")),
        "CREDIT_CURRENCY": categorical(rng, m, {"currency 1": .99918, "currency 2": .00073, "currency 3": .00009}),
        "DAYS_CREDIT": days_credit.astype(np.int64), "CREDIT_DAY_OVERDUE": overdue_days,
        "DAYS_CREDIT_ENDDATE": np.where(end_missing, np.nan, end), "DAYS_ENDDATE_FACT": fact,
        "AMT_CREDIT_MAX_OVERDUE": max_overdue,
        "CNT_CREDIT_PROLONG": np.where(rng.random(m) < 0.006, rng.geometric(0.7, m), 0).astype(np.int64),
        "AMT_CREDIT_SUM": with_missing(rng, amount, 0.00001), "AMT_CREDIT_SUM_DEBT": debt,
        "AMT_CREDIT_SUM_LIMIT": limit, "AMT_CREDIT_SUM_OVERDUE": sum_overdue, "CREDIT_TYPE": ctype,
        "DAYS_CREDIT_UPDATE": update,
        "AMT_ANNUITY": np.where(rng.random(m) < np.where(days_credit > -1000, 0.68, 0.76), np.nan, annuity),
    }
    balance, months, late_rows = _balance(rng, ids, days_credit, fact, p_late)
    n_rows = np.bincount(parent, weights=months, minlength=cl.n)
    late_share = np.zeros(cl.n)
    np.divide(np.bincount(parent, weights=late_rows, minlength=cl.n), n_rows, out=late_share, where=n_rows > 0)
    aggregates = {
        "bureau_overdue": np.bincount(parent, weights=overdue, minlength=cl.n) > 0,
        "bureau_active_share": group_mean(active.astype(float), parent, cl.n, fill=0.35),
        "bureau_late_share": late_share,
    }
    return cols, balance, aggregates


def _balance(rng, ids, days_credit, fact, p_late) -> tuple[dict, np.ndarray, np.ndarray]:
    """Monthly statuses (months 0, -1, ... back to the opening month) for a share of the credits."""
    m = ids.size
    months = np.minimum(np.floor(-days_credit / DAYS_PER_MONTH).astype(np.int64) + 1, 97)
    months = np.where(rng.random(m) < 0.6, months, np.ceil(months * rng.uniform(0.05, 1.0, m)).astype(np.int64))
    months = np.where(rng.random(m) < HAS_BALANCE, months, 0)
    credit, back = expand(months)
    closed_back = np.where(np.isnan(fact), -1, np.floor(-np.nan_to_num(fact) / DAYS_PER_MONTH)).astype(np.int64)
    unknown = np.where(rng.random(m) < 0.6, rng.uniform(0.2, 1.0, m), 0.0)
    k = credit.size
    late = rng.random(k) < 1.2 * p_late[credit]
    severity = draw(rng, k, (.8, .07, .025, .015, .09))
    code = np.where(back < closed_back[credit], 1, np.where(rng.random(k) < unknown[credit], 2, 0))
    code = np.where((code == 0) & late, 3 + severity, code).astype(np.int16)
    cols = {"SK_ID_BUREAU": ids[credit], "MONTHS_BALANCE": -back, "STATUS": Cat(code, STATUS)}
    return cols, months, np.bincount(credit, weights=code >= 3, minlength=m)
