"""Home Credit history: previous applications and their monthly/instalment tables.

``previous_application`` rows are drawn per client; approved cash and consumer loans get
``POS_CASH_balance`` months and ``installments_payments`` rows, the latest approved card
of a client gets ``credit_card_balance`` months (whose payments are also instalments).
"""

from __future__ import annotations

import numpy as np

from .application import SUITE, WEEKDAY, Clients
from .common import (
    DAYS_PER_MONTH,
    NO_DATE,
    Cat,
    CatBuilder,
    categorical,
    draw,
    expand,
    from_quantiles,
    group_cumsum,
    group_mean,
    rnd,
)

CONTRACT = ("Cash loans", "Consumer loans", "Revolving loans", "XNA")
STATUS = ("Approved", "Canceled", "Refused", "Unused offer")
DECISION_Q = (-2922, -2800, -2600, -2300, -1700, -1200, -850, -581, -430, -320, -220, -118, -60, -25, -1)
CONSUMER_Q = (2250, 9000, 15000, 22500, 31500, 40500, 50000, 61000, 75000, 95000, 125000, 180000, 260000, 450000,
              2250000)
CASH_Q = (18000, 45000, 67500, 90000, 135000, 180000, 225000, 270000, 315000, 450000, 585000, 787500, 1035000,
          1350000, 4050000)
CARD_LIMITS = np.array((45000, 67500, 90000, 112500, 135000, 180000, 225000, 270000, 450000, 675000.0))
REJECT = {"HC": .6, "LIMIT": .19, "SCO": .13, "SCOFR": .045, "XNA": .018, "VERIF": .012, "SYSTEM": .0004}
PURPOSE = {"Repairs": .21, "Other": .23, "Urgent needs": .12, "Buying a used car": .04, "Building a house or an annex":
           .04, "Everyday expenses": .03, "Medicine": .03, "Payments on other loans": .03, "Education": .02,
           "Journey": .02, "Purchase of electronic equipment": .02, "Buying a new car": .015, "Wedding / gift / holiday":
           .015, "Buying a home": .012, "Car repairs": .012, "Furniture": .01, "Buying a holiday home / land": .008,
           "Business development": .006, "Gasification / water supply": .004, "Buying a garage": .002, "Hobby": .001,
           "Money for a third person": .0004, "Refusal to name the goal": .0002}
GOODS = {"Mobile": .31, "Consumer Electronics": .17, "Computers": .145, "Audio/Video": .14, "Furniture": .075,
         "Photo / Cinema Equipment": .035, "Construction Materials": .035, "Clothing and Accessories": .032,
         "Auto Accessories": .01, "Jewelry": .009, "Homewares": .007, "Medical Supplies": .005, "Vehicles": .005,
         "Sport and Leisure": .004, "Gardening": .004, "Other": .004, "Office Appliances": .003, "Tourism": .002,
         "Medicine": .002, "Direct Sales": .001, "Fitness": .0003, "Additional Service": .0003, "Education": .0002,
         "Weapon": .0002, "Insurance": .0001, "House Construction": .00002, "Animals": .00001}
SELLER = {"Consumer electronics": .5, "Connectivity": .34, "Furniture": .07, "Construction": .036, "Clothing": .028,
          "Industry": .022, "Auto technology": .006, "Jewelry": .003, "MLM partners": .0015, "Tourism": .0006}
CHANNEL = {
    0: {"Credit and cash offices": .75, "Contact center": .1, "AP+ (Cash loan)": .12, "Channel of corporate sales": .03},
    1: {"Country-wide": .55, "Stone": .35, "Regional / Local": .095, "Car dealer": .005},
    2: {"Credit and cash offices": .6, "Country-wide": .2, "Stone": .15, "Regional / Local": .05},
}
POS_STATUS = ("Active", "Completed", "Signed", "Approved", "Returned to the store", "Demand")
CARD_STATUS = ("Active", "Completed", "Signed", "Demand", "Sent proposal")


def _annuity(credit, months, rate):
    months = np.maximum(months, 1.0)
    plain = credit / months
    with np.errstate(divide="ignore", invalid="ignore"):
        paid = credit * rate / (1.0 - (1.0 + rate) ** -months)
    return np.where(rate > 0, paid, plain)


def make_previous(rng, cl: Clients, first_id: int) -> tuple[dict, dict, dict, dict, dict]:
    """previous_application, POS_CASH_balance, installments_payments, credit_card_balance, aggregates."""
    parent, _ = expand(cl.n_prev)
    m = parent.size
    ids = first_id + np.arange(m, dtype=np.int64)
    ctype = draw(rng, m, (.448, .437, .116, .0002))
    cash, consumer, card, xna = (ctype == k for k in range(4))
    refused = ~xna & (rng.random(m) < cl.p_refuse[parent] * np.array((1.35, 0.6, 1.3, 0))[ctype])
    after = rng.random(m)
    status = np.where(consumer, np.where(after < .95, 0, np.where(after < .97, 1, 3)),
                      np.where(after < np.where(cash, .58, .85), 0, np.where(after < .98, 1, 3)))
    status = np.where(refused, 2, np.where(xna, 1, status))
    approved, canceled = status == 0, (status == 1) & ~consumer
    decision = np.round(from_quantiles(rng.random(m), DECISION_Q))
    decision = np.where(card & (rng.random(m) < 0.65), -rng.integers(1, 2923, m), decision)

    scale = (cl.income[parent] / 170000.0) ** 0.35
    goods = np.where(consumer, from_quantiles(rng.random(m), CONSUMER_Q), from_quantiles(rng.random(m), CASH_Q))
    goods = np.where(consumer, np.round(goods * scale / 4.5) * 4.5, rnd(goods * scale, 4500))
    limit = CARD_LIMITS[draw(rng, m, (.2, .1, .15, .1, .15, .1, .08, .06, .04, .02))]
    has_down = consumer & (rng.random(m) < 0.95)
    down = np.where(has_down & (rng.random(m) < 0.55), rnd(goods * rng.beta(1.3, 8.0, m), 0.5), 0.0)
    markup = np.where(rng.random(m) < 0.55, 1.0, 1.0 + 0.0264 * rng.integers(1, 9, m))
    credit = np.where(consumer, goods - down, np.where(card, limit, rnd(goods * markup, 0.5)))
    credit = np.where(canceled | xna, 0.0, credit)
    terms = np.where(consumer, np.array((6, 10, 12, 18, 24, 36.0))[draw(rng, m, (.25, .2, .3, .08, .12, .05))],
                     np.array((12, 18, 24, 30, 36, 48, 60.0))[draw(rng, m, (.3, .08, .2, .05, .15, .08, .14))])
    terms = np.where(card, 0.0, np.where(canceled | xna, np.nan, terms))
    rate = np.where(consumer, np.where(rng.random(m) < 0.3, 0.0, rng.uniform(0.01, 0.03, m)),
                    rng.uniform(0.01, 0.04, m))
    annuity = np.where(card, np.where(rng.random(m) < 0.5, limit / 20.0, 0.0),
                       np.round(_annuity(credit, terms, rate), 3))
    annuity = np.where(canceled | xna, np.nan, annuity)
    application = np.where(card, np.where(rng.random(m) < 0.7, 0.0, limit), goods)
    application = np.where(canceled | xna, 0.0, application)
    primary = approved & cash & (rng.random(m) < 0.01)

    # dates of approved contracts (Kaggle's 365243 = "no date")
    first_due = decision + 30 + rng.integers(-5, 20, m)
    due_ok = approved & (first_due < -1) & ~(card & (rng.random(m) < 0.1))
    last_due_1st = first_due + 30.0 * (np.nan_to_num(terms) - 1)
    finished = due_ok & ~card & (last_due_1st < 0)
    prepaid = finished & (rng.random(m) < 0.3)
    last_due = np.where(prepaid, np.round(first_due + rng.random(m) * (last_due_1st - first_due)), last_due_1st)
    on = lambda mask, x: np.where(mask, x, NO_DATE)  # noqa: E731
    yield_group = CatBuilder(m).set(card | canceled | xna, "XNA").fill(rng, ~(card | canceled | xna), {
        "middle": .33, "high": .31, "low_normal": .28, "low_action": .08}).done()
    prev = {
        "SK_ID_PREV": ids, "SK_ID_CURR": cl.ids[parent], "NAME_CONTRACT_TYPE": Cat(ctype.astype(np.int16), CONTRACT),
        "AMT_ANNUITY": annuity, "AMT_APPLICATION": application, "AMT_CREDIT": credit,
        "AMT_DOWN_PAYMENT": np.where(has_down, down, np.nan),
        "AMT_GOODS_PRICE": np.where(card | canceled | xna, np.nan, goods),
        "WEEKDAY_APPR_PROCESS_START": categorical(rng, m, WEEKDAY),
        "HOUR_APPR_PROCESS_START": np.clip(np.round(rng.normal(12.5, 3.3, m)), 0, 23).astype(np.int64),
        "FLAG_LAST_APPL_PER_CONTRACT": categorical(rng, m, {"Y": .995, "N": .005}),
        "NFLAG_LAST_APPL_IN_DAY": (rng.random(m) < 0.996).astype(np.int8),
        "RATE_DOWN_PAYMENT": np.where(has_down, down / np.maximum(goods, 1.0), np.nan),
        "RATE_INTEREST_PRIMARY": np.where(primary, rng.uniform(0.03, 0.6, m), np.nan),
        "RATE_INTEREST_PRIVILEGED": np.where(primary, rng.uniform(0.37, 0.87, m), np.nan),
        "NAME_CASH_LOAN_PURPOSE": CatBuilder(m).set(~cash, "XAP").set(cash, "XNA")
        .fill(rng, cash & (rng.random(m) < 0.07), PURPOSE).done(),
        "NAME_CONTRACT_STATUS": Cat(status.astype(np.int16), STATUS),
        "DAYS_DECISION": decision.astype(np.int64),
        "NAME_PAYMENT_TYPE": CatBuilder(m).set(np.ones(m, bool), "XNA")
        .fill(rng, (status == 0) | (refused & (rng.random(m) < 0.6)), {
            "Cash through the bank": .985, "Non-cash from your account": .012,
            "Cashless from the account of the employer": .003}).done(),
        "CODE_REJECT_REASON": CatBuilder(m).set(np.ones(m, bool), "XAP").set(status == 3, "CLIENT")
        .fill(rng, refused, REJECT).done(),
        "NAME_TYPE_SUITE": CatBuilder(m).fill(rng, ~(canceled | xna) & (rng.random(m) < 0.72), {
            **SUITE, "Unaccompanied": .6, "Family": .25, "Spouse, partner": .08, "Children": .037}).done(),
        "NAME_CLIENT_TYPE": categorical(rng, m, {"Repeater": .737, "New": .18, "Refreshed": .081, "XNA": .001}),
        "NAME_GOODS_CATEGORY": CatBuilder(m).set(~consumer, "XNA").fill(rng, consumer, GOODS).done(),
        "NAME_PORTFOLIO": Cat(np.where(canceled | xna, 0, np.where(cash, 1, np.where(consumer, 2, 3))
                                       ).astype(np.int16), ("XNA", "Cash", "POS", "Cards")),
        "NAME_PRODUCT_TYPE": CatBuilder(m).set(~cash, "XNA").fill(rng, cash & ~canceled, {"x-sell": .73, "walk-in": .27})
        .set(canceled, "XNA").done(),
        "CHANNEL_TYPE": _by_type(rng, ctype, CHANNEL),
        "SELLERPLACE_AREA": np.where(consumer, np.round(rng.lognormal(3.8, 1.6, m)), -1).astype(np.int64),
        "NAME_SELLER_INDUSTRY": CatBuilder(m).set(~consumer, "XNA").fill(rng, consumer, SELLER).done(),
        "CNT_PAYMENT": terms,
        "NAME_YIELD_GROUP": yield_group,
        "PRODUCT_COMBINATION": _combination(rng, ctype, canceled, rate, yield_group),
        "DAYS_FIRST_DRAWING": np.where(approved, on(card & (rng.random(m) < 0.5), decision + rng.integers(0, 30, m)),
                                       np.nan),
        "DAYS_FIRST_DUE": np.where(approved, on(due_ok, first_due), np.nan),
        "DAYS_LAST_DUE_1ST_VERSION": np.where(approved, on(due_ok & ~card, last_due_1st), np.nan),
        "DAYS_LAST_DUE": np.where(approved, on(finished, last_due), np.nan),
        "DAYS_TERMINATION": np.where(approved, on(finished, np.minimum(last_due + rng.integers(0, 6, m), -1)), np.nan),
        "NFLAG_INSURED_ON_APPROVAL": np.where(approved, (rng.random(m) < 0.33).astype(float), np.nan),
    }
    loans = np.flatnonzero(due_ok & ~card)
    ends = np.where(prepaid, last_due, last_due_1st)
    pos, inst, owner, late = _instalments(rng, prev, loans, parent, ends, cl.p_late)
    cards = _latest_cards(parent, decision, approved & card, rng)
    cc, cc_inst, util = _cards(rng, prev, cards, parent, cl)
    inst = {k: np.concatenate([inst[k], cc_inst[k]]) for k in inst}
    aggregates = {"refused": np.bincount(parent, weights=refused, minlength=cl.n), "n_prev": cl.n_prev,
                  "late_share": group_mean(late.astype(float), owner, cl.n),
                  "card_utilisation": util}
    return prev, pos, inst, cc, aggregates


def _by_type(rng, ctype, tables: dict) -> Cat:
    out = CatBuilder(ctype.size).set(ctype == 3, "XNA")
    for k, weights in tables.items():
        out.fill(rng, ctype == k, weights)
    return out.done()


def _combination(rng, ctype, canceled, rate, yield_group: Cat) -> Cat:
    out = CatBuilder(ctype.size)
    group = np.array(yield_group.levels)[yield_group.codes]
    for y, names in (("low", ("low_normal", "low_action")), ("middle", ("middle",)), ("high", ("high",))):
        out.fill(rng, (ctype == 0) & np.isin(group, names), {f"Cash X-Sell: {y}": .7, f"Cash Street: {y}": .3})
    out.set((ctype == 0) & canceled, "Cash")
    goods = ("household", "mobile", "industry", "other")
    for interest, mask in (("with", rate > 0), ("without", rate == 0)):
        out.fill(rng, (ctype == 1) & mask, {f"POS {g} {interest} interest": w
                                            for g, w in zip(goods, (.45, .33, .16, .06), strict=True)})
    out.fill(rng, ctype == 2, {"Card Street": .58, "Card X-Sell": .42})
    return out.done()


def _instalments(rng, prev, loans, parent, ends, p_late):
    """POS_CASH_balance months and installments_payments rows of the approved instalment loans."""
    first_due = prev["DAYS_FIRST_DUE"][loans]
    terms = prev["CNT_PAYMENT"][loans]
    annuity = prev["AMT_ANNUITY"][loans]
    late_p = p_late[parent[loans]]
    # POS: one row per month from the decision month to completion or month -1
    start = np.maximum(np.floor(prev["DAYS_DECISION"][loans] / DAYS_PER_MONTH), -96).astype(np.int64)
    stop = np.minimum(np.floor(ends[loans] / DAYS_PER_MONTH).astype(np.int64) + 1, -1)
    has_pos = rng.random(loans.size) < 0.8
    loan, k = expand(np.where(has_pos, np.maximum(stop - start + 1, 1), 0))
    month = start[loan] + k
    future = np.maximum(terms[loan] - k, 0.0)
    done = (month == stop[loan]) & (ends[loans][loan] < 0) & (stop[loan] < -1)
    future = np.where(done, 0.0, future)
    n = loan.size
    pstatus = np.where(done, 1, np.where((k == 0) & (rng.random(n) < 0.08), 2, 0))
    pstatus = np.where((k == 0) & (rng.random(n) < 0.005), 3, pstatus)
    late = rng.random(n) < 0.8 * late_p[loan]
    dpd = np.where(late, rng.geometric(0.06, n), 0)
    pstatus = np.where((dpd > 90) & (pstatus == 0), 5, np.where((rng.random(n) < 0.0006) & (pstatus == 0), 4, pstatus))
    no_count = rng.random(n) < 0.0026
    pos = {"SK_ID_PREV": prev["SK_ID_PREV"][loans][loan], "SK_ID_CURR": prev["SK_ID_CURR"][loans][loan],
           "MONTHS_BALANCE": month, "CNT_INSTALMENT": np.where(no_count, np.nan, terms[loan]),
           "CNT_INSTALMENT_FUTURE": np.where(no_count, np.nan, future),
           "NAME_CONTRACT_STATUS": Cat(pstatus.astype(np.int16), POS_STATUS),
           "SK_DPD": dpd.astype(np.int64), "SK_DPD_DEF": np.where(rng.random(n) < 0.7, dpd, 0).astype(np.int64)}

    # instalments: every due date up to today; a share is paid in two parts
    due_count = np.minimum(np.floor((np.minimum(ends[loans], -1) - first_due) / 30.0).astype(np.int64) + 1, terms)
    loan, k = expand(np.maximum(due_count, 0).astype(np.int64))
    split = rng.random(loan.size) < 0.1
    row = np.repeat(np.arange(loan.size), 1 + split)
    part = np.arange(row.size) - np.repeat(np.cumsum(1 + split) - 1 - split, 1 + split)
    loan, k, n = loan[row], k[row], row.size
    days = first_due[loan] + 30.0 * k
    late = rng.random(n) < late_p[loan]
    delay = np.where(late, rng.geometric(0.08, n), -np.where(rng.random(n) < 0.25, 0, rng.geometric(0.1, n) - 1))
    entry = days + delay + 3 * part
    amount = annuity[loan]
    share = np.where(split[row], np.where(part == 0, 0.5, 0.5), 1.0)
    paid = np.round(amount * share * np.where(late & (rng.random(n) < 0.3), rng.random(n), 1.0), 3)
    inst = {"SK_ID_PREV": prev["SK_ID_PREV"][loans][loan], "SK_ID_CURR": prev["SK_ID_CURR"][loans][loan],
            "NUM_INSTALMENT_VERSION": np.where((k > 0) & (rng.random(n) < 0.05), 2.0, 1.0),
            "NUM_INSTALMENT_NUMBER": (k + 1).astype(np.int64), "DAYS_INSTALMENT": days,
            "DAYS_ENTRY_PAYMENT": np.where(entry > -1, np.nan, entry), "AMT_INSTALMENT": amount,
            "AMT_PAYMENT": np.where(entry > -1, np.nan, paid)}
    return pos, inst, parent[loans][loan], late


def _latest_cards(parent, decision, eligible, rng) -> np.ndarray:
    """Row index of each client's most recent approved card (90% of them keep a balance history)."""
    rows = np.flatnonzero(eligible)
    rows = rows[np.lexsort((-decision[rows], parent[rows]))]
    first = np.ones(rows.size, bool)
    first[1:] = parent[rows][1:] != parent[rows][:-1]
    return rows[first]


def _cards(rng, prev, cards, parent, cl: Clients):
    """credit_card_balance months of the chosen cards, their instalment rows, per-client utilisation."""
    start = np.maximum(np.floor(prev["DAYS_DECISION"][cards] / DAYS_PER_MONTH), -96).astype(np.int64)
    card, k = expand(-start)
    n = card.size
    month = start[card] + k
    owner = parent[cards][card]
    limit = prev["AMT_CREDIT"][cards][card].astype(np.int64)
    limit = np.where((k > 6) & (rng.random(cards.size) < 0.3)[card], limit * 3 // 2, limit)
    dormant = (rng.random(cards.size) < 0.3)[card]
    level = np.clip(cl.utilisation[owner] + rng.normal(0, 0.25, cards.size)[card] + rng.normal(0, 0.08, n), 0, 1.1)
    balance = np.where(dormant | (k == 0), 0.0, np.round(limit * level, 2))
    draws = ~dormant & (rng.random(n) < 0.25)
    amount = np.where(draws, np.round(np.maximum(balance, 0.1 * limit) * rng.uniform(0.05, 0.5, n), 2), 0.0)
    atm_share = np.where(rng.random(n) < 0.55, 1.0, np.where(rng.random(n) < 0.9, 0.0, 0.5))
    atm = rnd(amount * atm_share, 4500) * (amount > 0)
    other = np.where(rng.random(n) < 0.005, np.round(amount * 0.3, 2), 0.0)
    pos = np.maximum(np.round(amount - atm - other, 2), 0.0)
    cnt_atm = (atm > 0) * (1 + rng.poisson(1.0, n))
    cnt_pos = (pos > 0) * (1 + rng.poisson(2.0, n))
    minimum = np.round(0.05 * balance, 3)
    late = rng.random(n) < 0.7 * cl.p_late[owner]
    payment = np.where((balance > 0) & ~late, np.round(minimum * rng.uniform(1.0, 4.0, n), 2), 0.0)
    no_split = (amount == 0) & (rng.random(n) < 0.3)
    no_min = rng.random(n) < 0.08
    matured = group_cumsum(minimum > 0, -start)
    dpd = np.where(late & (balance > 0), rng.geometric(0.2, n) - 1, 0)
    status = np.where((k == 0) & (rng.random(n) < 0.1), 2, np.where(dpd > 60, 3, 0))
    status = np.where((k == -start[card] - 1) & dormant & (rng.random(cards.size) < 0.3)[card], 1, status)
    nan_if = lambda mask, x: np.where(mask, np.nan, x)  # noqa: E731
    cc = {"SK_ID_PREV": prev["SK_ID_PREV"][cards][card], "SK_ID_CURR": cl.ids[owner], "MONTHS_BALANCE": month,
          "AMT_BALANCE": balance, "AMT_CREDIT_LIMIT_ACTUAL": limit,
          "AMT_DRAWINGS_ATM_CURRENT": nan_if(no_split, atm), "AMT_DRAWINGS_CURRENT": amount,
          "AMT_DRAWINGS_OTHER_CURRENT": nan_if(no_split, other), "AMT_DRAWINGS_POS_CURRENT": nan_if(no_split, pos),
          "AMT_INST_MIN_REGULARITY": nan_if(no_min, minimum),
          "AMT_PAYMENT_CURRENT": nan_if((payment == 0) & (rng.random(n) < 0.4), payment),
          "AMT_PAYMENT_TOTAL_CURRENT": payment,
          "AMT_RECEIVABLE_PRINCIPAL": np.round(balance * 0.96, 2), "AMT_RECIVABLE": balance,
          "AMT_TOTAL_RECEIVABLE": balance, "CNT_DRAWINGS_ATM_CURRENT": nan_if(no_split, cnt_atm.astype(float)),
          "CNT_DRAWINGS_CURRENT": (cnt_atm + cnt_pos + (other > 0)).astype(np.int64),
          "CNT_DRAWINGS_OTHER_CURRENT": nan_if(no_split, (other > 0).astype(float)),
          "CNT_DRAWINGS_POS_CURRENT": nan_if(no_split, cnt_pos.astype(float)),
          "CNT_INSTALMENT_MATURE_CUM": nan_if(no_min, matured.astype(float)),
          "NAME_CONTRACT_STATUS": Cat(status.astype(np.int16), CARD_STATUS),
          "SK_DPD": dpd.astype(np.int64), "SK_DPD_DEF": np.where(dpd > 30, 1, 0).astype(np.int64)}
    paid = payment > 0
    inst = {"SK_ID_PREV": cc["SK_ID_PREV"][paid], "SK_ID_CURR": cc["SK_ID_CURR"][paid],
            "NUM_INSTALMENT_VERSION": np.zeros(paid.sum()),
            "NUM_INSTALMENT_NUMBER": group_cumsum(paid, -start)[paid].astype(np.int64),
            "DAYS_INSTALMENT": np.round(month[paid] * DAYS_PER_MONTH) + 10.0,
            "DAYS_ENTRY_PAYMENT": np.minimum(np.round(month[paid] * DAYS_PER_MONTH) + rng.integers(0, 12, paid.sum()), -1.0),
            "AMT_INSTALMENT": minimum[paid], "AMT_PAYMENT": payment[paid]}
    util = group_mean(np.where(limit > 0, balance / np.maximum(limit, 1), 0.0), owner, cl.n)
    return cc, inst, util
