"""Applicants: latent risk, propensities that drive the history tables, application columns.

Marginals (quantile knots, level weights, missing rates) are calibrated on summary
statistics of the real sample; no row is copied. Every applicant has a latent risk
``r ~ N(0, 1)``; EXT_SOURCE_*, age, employment, education, region and the history
propensities are drawn correlated with it, and TARGET is a logistic function of the
*generated* features (see :func:`draw_target`), so models can learn it from the files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..schema import DAYS_EMPLOYED_SENTINEL
from .common import (
    P15,
    Cat,
    CatBuilder,
    categorical,
    corr_u,
    corr_z,
    draw,
    from_quantiles,
    nb_counts,
    normal_u,
    rnd,
    sigmoid,
)

BIRTH_Q = (-25200, -23965, -23250, -22290, -20540, -18960, -17205, -15740, -14375, -13060, -11655, -10270,
           -9485, -8610, -7490)
EMPLOYED_Q = (1, 138, 215, 340, 629, 928, 1246, 1654, 2177, 2793, 3663, 5396, 7450, 9922, 17900)
REGISTRATION_Q = (-22000, -13096, -11525, -9967, -8205, -6806, -5355, -4428, -3459, -2489, -1457, -692, -334, -123, 0)
ID_PUBLISH_Q = (-7190, -5266, -4947, -4729, -4431, -4177, -3900, -3274, -2688, -2090, -1393, -747, -374, -152, 0)
PHONE_Q = (-4290, -2832, -2515, -2169, -1731, -1423, -1072, -754, -540, -364, -160, 0, 0, 0, 0)
EXT_Q = (
    (0.0146, 0.1123, 0.1622, 0.2147, 0.3012, 0.3755, 0.4397, 0.5082, 0.5813, 0.6428, 0.7055, 0.7879, 0.8302, 0.8682, 0.9627),
    (0.0001, 0.0654, 0.1346, 0.2186, 0.3395, 0.4413, 0.5114, 0.5692, 0.6119, 0.6482, 0.6823, 0.7205, 0.7475, 0.7682, 0.855),
    (0.0005, 0.0997, 0.1612, 0.234, 0.3345, 0.4084, 0.4776, 0.5362, 0.5937, 0.643, 0.6941, 0.749, 0.7863, 0.8182, 0.896),
)
INCOME_P = P15[:-1] + (0.995, 0.999, 1.0)
INCOME_Q = (25650, 54000, 67500, 81000, 99000, 112500, 135000, 144000, 157500, 184500, 225000, 270000, 337500,
            405000, 540000, 900000, 3150000)
GOODS_P = P15[:-1] + (0.995, 1.0)
GOODS_Q = (40500, 90000, 135000, 180000, 225000, 270000, 382500, 450000, 526500, 675000, 832500, 1125000, 1328625,
           1575000, 2250000, 4050000)
CAR_AGE_Q = (0, 0, 1, 2, 4, 6, 8, 9, 12, 14, 17, 23, 31, 64, 65)

SUITE = {"Unaccompanied": .811, "Family": .131, "Spouse, partner": .037, "Children": .0106, "Other_B": .0058,
         "Other_A": .0028, "Group of people": .0009}
WORKING = {"Working": .632, "Commercial associate": .284, "State servant": .0865, "Unemployed": .0001,
           "Student": .00007, "Businessman": .00004, "Maternity leave": .00002}
EDUCATION = {"Academic degree": .0005, "Higher education": .243, "Incomplete higher": .033,
             "Secondary / secondary special": .711, "Lower secondary": .0124}  # ordered safe -> risky
FAMILY = {"Married": .655, "Single / not married": .165, "Civil marriage": .107, "Separated": .064, "Widow": .009,
          "Unknown": .00001}
FAMILY_OLD = {"Married": .56, "Widow": .24, "Separated": .07, "Civil marriage": .07, "Single / not married": .06}
HOUSING = {"House / apartment": .887, "With parents": .048, "Municipal apartment": .036, "Rented apartment": .016,
           "Office apartment": .0085, "Co-op apartment": .0036}
OCCUPATION = {"Accountants": .047, "High skill tech staff": .054, "Managers": .102, "Core staff": .131,
              "HR staff": .0027, "IT staff": .0025, "Private service staff": .013, "Medicine staff": .04,
              "Secretaries": .0062, "Realty agents": .0035, "Cleaning staff": .022, "Sales staff": .153,
              "Cooking staff": .028, "Laborers": .261, "Security staff": .032, "Waiters/barmen staff": .0064,
              "Drivers": .089, "Low-skill Laborers": .0101}  # ordered safe -> risky
ORGANIZATION = dict(zip(
    ("Business Entity Type 3,Self-employed,Other,Medicine,Business Entity Type 2,Government,School,"
     "Trade: type 7,Kindergarten,Construction,Business Entity Type 1,Transport: type 4,Trade: type 3,"
     "Industry: type 9,Industry: type 3,Security,Housing,Industry: type 11,Military,Bank,Agriculture,Police,"
     "Transport: type 2,Postal,Security Ministries,Trade: type 2,Restaurant,Services,University,Industry: type 7,"
     "Transport: type 3,Industry: type 1,Hotel,Electricity,Industry: type 4,Trade: type 6,Industry: type 5,"
     "Insurance,Telecom,Emergency,Industry: type 2,Advertising,Realtor,Culture,Industry: type 12,Trade: type 1,"
     "Mobile,Legal Services,Cleaning,Transport: type 1,Industry: type 6,Industry: type 10,Religion,"
     "Industry: type 13,Trade: type 4,Trade: type 5,Industry: type 8").split(","),
    (270, 154, 67, 45, 42, 42, 36, 31, 27, 27, 24, 21, 14, 14, 13, 13, 12, 13, 11, 10, 10, 9, 9, 9, 8, 7, 7, 6,
     5, 5, 4, 4, 4, 3, 3, 3, 2.4, 2.4, 2.3, 2.1, 1.3, 1.7, 1.6, 1.5, 1.5, 1.5, 1.3, 1.2, .8, .8, .5, .4, .3, .3,
     .3, .2, .2), strict=True))
WEEKDAY = {"MONDAY": .165, "TUESDAY": .175, "WEDNESDAY": .169, "THURSDAY": .165, "FRIDAY": .164, "SATURDAY": .11,
           "SUNDAY": .052}
FONDKAPREMONT = {"reg oper account": .767, "reg oper spec account": .124, "org spec account": .058,
                 "not specified": .051}
HOUSETYPE = {"block of flats": .982, "specific housing": .01, "terraced house": .008}
WALLS = {"Panel": .43, "Stone, brick": .425, "Block": .061, "Wooden": .035, "Mixed": .015, "Monolithic": .012,
         "Others": .021}
# Building statistics: name -> (missing rate, knots at P9, grid step or 0)
P9 = (0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0)
BUILDING = {
    "APARTMENTS": (.507, (0, .0021, .0165, .0567, .0866, .1443, .232, .5144, 1), 0),
    "BASEMENTAREA": (.585, (0, 0, 0, .0451, .0755, .1083, .1588, .3566, 1), 0),
    "YEARS_BEGINEXPLUATATION": (.488, (0, .9513, .9727, .9767, .9821, .9871, .9911, .999, 1), 0),
    "YEARS_BUILD": (.665, (0, .3472, .6328, .694, .762, .8232, .8912, .9864, 1), 0),
    "COMMONAREA": (.699, (0, 0, .0006, .0078, .0211, .0487, .1015, .2973, 1), 0),
    "ELEVATORS": (.533, (0, 0, 0, 0, 0, .12, .24, .6, 1), 1 / 25),
    "ENTRANCES": (.503, (0, .0345, .0345, .069, .1379, .2069, .2759, .4828, 1), 1 / 29),
    "FLOORSMAX": (.498, (0, 0, .0417, .1667, .1667, .3333, .375, .6667, 1), 1 / 24),
    "FLOORSMIN": (.678, (0, 0, .0417, .125, .2083, .375, .4167, .7083, 1), 1 / 24),
    "LANDAREA": (.594, (0, 0, 0, .0179, .0481, .082, .131, .3615, 1), 0),
    "LIVINGAPARTMENTS": (.684, (0, .0029, .0202, .0504, .0756, .121, .195, .4505, 1), 0),
    "LIVINGAREA": (.502, (0, .0029, .0148, .0452, .0746, .1272, .2247, .5455, 1), 0),
    "NONLIVINGAPARTMENTS": (.694, (0, 0, 0, 0, 0, .0039, .0154, .1042, .9344), 0),
    "NONLIVINGAREA": (.552, (0, 0, 0, 0, .0034, .0259, .0768, .3165, 1), 0),
}
HAS_BUILDING = 0.535  # share of applicants with any building information
OTHER_DOCS = {5: .015, 7: .0002, 9: .004, 11: .004, 13: .0035, 14: .003, 15: .0012, 16: .01, 17: .0003,
              18: .008, 19: .0006, 20: .0005, 21: .0003, 2: .00004, 4: .0001, 10: .00002, 12: .00001}
REQ_MEANS = {"HOUR": .0064, "DAY": .007, "WEEK": .034, "MON": .27, "QRT": .265, "YEAR": 1.9}


@dataclass
class Clients:
    """Latent quantities of one block of applicants that the history tables are drawn from."""

    n: int
    ids: np.ndarray
    r: np.ndarray            # latent risk, N(0, 1)
    income: np.ndarray
    n_bureau: np.ndarray     # bureau credits per client
    n_prev: np.ndarray       # previous applications per client
    p_bureau_late: np.ndarray
    p_refuse: np.ndarray
    p_late: np.ndarray       # late instalment / DPD propensity
    utilisation: np.ndarray  # credit-card utilisation level
    card_share: np.ndarray   # probability that a previous application is a card


def _regions():
    """Fixed table of 80 regions: relative population, rating, sampling weight (seed-independent)."""
    g = np.random.default_rng(20180517)
    pop = np.r_[0.072508, 0.04622, np.round(np.exp(g.uniform(np.log(0.0008), np.log(0.036), 78)), 6)]
    rating = np.where(pop > 0.04, 1, np.where((g.random(80) < 0.3) & (pop < 0.02), 3, 2))
    rating[pop < 0.0015] = 3
    weight = pop * np.r_[0.55, 0.55, np.ones(78)]  # applicants in proportion to the population
    order = np.argsort(rating, kind="stable")
    return pop[order], rating[order], weight[order] / weight.sum()


REGION_POP, REGION_RATING, REGION_WEIGHT = _regions()


def _flag(rng, n, p):
    return (rng.random(n) < p).astype(np.int8)


def make_applications(rng, ids: np.ndarray) -> tuple[dict, Clients, dict]:
    """Application columns (no TARGET), the latent :class:`Clients` and inputs of the target."""
    n = ids.size
    r = rng.standard_normal(n)
    c: dict = {"SK_ID_CURR": ids}
    c["NAME_CONTRACT_TYPE"] = categorical(rng, n, {"Cash loans": .905, "Revolving loans": .095})
    revolving = c["NAME_CONTRACT_TYPE"].codes == 1
    u_sex = corr_u(rng, r, 0.12)
    sex = np.where(u_sex > 0.658, 1, 0).astype(np.int16)
    sex[rng.random(n) < 1.3e-5] = 2
    c["CODE_GENDER"] = Cat(sex, ("F", "M", "XNA"))
    male = sex == 1

    z_age = corr_z(rng, r, 0.25)
    days_birth = np.round(from_quantiles(normal_u(z_age), BIRTH_Q)).astype(np.int64)
    age = -days_birth / 365.25
    pensioner = rng.random(n) < 0.012 + 0.93 * sigmoid((age - 57.6) / 1.6)
    income_type = CatBuilder(n).set(pensioner, "Pensioner").fill(rng, ~pensioner, WORKING)
    no_job = pensioner | (np.array(income_type.levels)[income_type.codes] == "Unemployed")
    z_inc = corr_z(rng, r, -0.1) + 0.35 * male - 0.45 * pensioner
    income = from_quantiles(normal_u(z_inc), INCOME_Q, INCOME_P)
    income = np.where(rng.random(n) < 0.97, rnd(income, 4500), rnd(income, 2250))
    income = np.maximum(income, 25650.0)

    car = corr_u(rng, z_inc, 0.3) < 0.26 + 0.22 * male - 0.12 * pensioner
    c["FLAG_OWN_CAR"] = Cat(car.astype(np.int16), ("N", "Y"))
    c["FLAG_OWN_REALTY"] = categorical(rng, n, {"Y": .693, "N": .307})
    kids = np.where(pensioner & (rng.random(n) < 0.97), 0,
                    draw(rng, n, (.64, .235, .105, .016, .002, .0004, .0001)))
    c["CNT_CHILDREN"] = kids.astype(np.int64)

    # loan: goods price, credit (insurance markup), annuity (term and monthly rate)
    z_goods = corr_z(rng, z_inc, 0.45)
    goods = from_quantiles(normal_u(z_goods), GOODS_Q, GOODS_P)
    goods = np.minimum(goods, income * rng.uniform(6.0, 14.0, n))  # lenders cap the loan by income
    goods = np.maximum(np.where(rng.random(n) < 0.7, rnd(goods, 22500), rnd(goods, 4500)), 40500.0)
    markup = 1.0 + 0.0264 * draw(rng, n, (30, 1, 10, 2, 8, 5, 7, 9, 10, 2, 1, 2, 6, 1, 1, 3, 2))
    credit = rnd(goods * markup, 0.5)
    term = np.array((12, 18, 24, 30, 36, 48, 60))[draw(rng, n, (.2, .07, .17, .06, .22, .11, .17),
                                                       corr_u(rng, z_goods, 0.75))]
    rate = rng.uniform(0.006, 0.024, n)
    annuity = credit * rate / (1.0 - (1.0 + rate) ** -term)
    limit = np.array((135000, 180000, 225000, 270000, 315000, 405000, 450000, 675000, 900000, 1350000.0))
    limit = limit[draw(rng, n, (.22, .18, .12, .14, .07, .08, .07, .06, .04, .02), corr_u(rng, z_inc, 0.5))]
    credit = np.where(revolving, limit, credit)
    goods = np.where(revolving, np.where(rng.random(n) < 0.01, np.nan, limit), goods)
    annuity = np.where(revolving, limit / 20.0, rnd(annuity, 0.5))
    c.update(AMT_INCOME_TOTAL=income, AMT_CREDIT=credit, AMT_ANNUITY=annuity, AMT_GOODS_PRICE=goods)

    c["NAME_TYPE_SUITE"] = categorical(rng, n, SUITE, missing=0.0042)
    c["NAME_INCOME_TYPE"] = income_type.done()
    c["NAME_EDUCATION_TYPE"] = categorical(rng, n, EDUCATION, u=corr_u(rng, r, 0.2))
    old = age > 58
    family = CatBuilder(n).fill(rng, ~old, FAMILY).fill(rng, old, FAMILY_OLD).done()
    c["NAME_FAMILY_STATUS"] = family
    couple = np.isin(np.array(family.levels)[family.codes], ["Married", "Civil marriage"])
    c["NAME_HOUSING_TYPE"] = categorical(rng, n, HOUSING, u=np.where(age < 27, rng.uniform(0.7, 1, n), rng.random(n)))

    region = draw(rng, n, REGION_WEIGHT, corr_u(rng, r, 0.15))
    c["REGION_POPULATION_RELATIVE"] = REGION_POP[region]
    c["DAYS_BIRTH"] = days_birth
    employed = np.minimum(from_quantiles(corr_u(rng, r, -0.2), EMPLOYED_Q), -days_birth - 16 * 365)
    c["DAYS_EMPLOYED"] = np.where(no_job, DAYS_EMPLOYED_SENTINEL, -np.maximum(np.round(employed), 1)).astype(np.int64)
    c["DAYS_REGISTRATION"] = np.maximum(np.round(from_quantiles(rng.random(n), REGISTRATION_Q)), days_birth + 5000.0)
    c["DAYS_ID_PUBLISH"] = np.maximum(np.round(from_quantiles(rng.random(n), ID_PUBLISH_Q)),
                                      days_birth + 14 * 365).astype(np.int64)
    c["OWN_CAR_AGE"] = np.where(car, np.round(from_quantiles(rng.random(n), CAR_AGE_Q)), np.nan)
    c["FLAG_MOBIL"] = np.ones(n, np.int8)
    c["FLAG_EMP_PHONE"] = (~no_job).astype(np.int8)
    c["FLAG_WORK_PHONE"] = _flag(rng, n, 0.247) * ~no_job
    c["FLAG_CONT_MOBILE"] = _flag(rng, n, 0.998)
    c["FLAG_PHONE"] = _flag(rng, n, 0.28)
    c["FLAG_EMAIL"] = _flag(rng, n, np.where(no_job, 0.02, 0.062))
    occupation = categorical(rng, n, OCCUPATION, u=corr_u(rng, r, 0.2))
    c["OCCUPATION_TYPE"] = Cat(np.where(no_job | (rng.random(n) < 0.162), -1, occupation.codes).astype(np.int16),
                               occupation.levels)
    c["CNT_FAM_MEMBERS"] = (kids + 1 + couple).astype(np.float64)
    rating = REGION_RATING[region]
    c["REGION_RATING_CLIENT"] = rating.astype(np.int64)
    shift = rng.random(n)
    c["REGION_RATING_CLIENT_W_CITY"] = (rating - ((rating == 2) & (shift < 0.007)) - ((rating == 3) & (shift < 0.1))
                                        - ((rating == 3) & (shift < 0.02))).astype(np.int64)
    c["WEEKDAY_APPR_PROCESS_START"] = categorical(rng, n, WEEKDAY)
    c["HOUR_APPR_PROCESS_START"] = np.clip(np.round(rng.normal(12.1 - 0.8 * (rating - 2), 3.2, n)), 0, 23
                                           ).astype(np.int64)
    u_move = corr_u(rng, r, -0.15)
    for name, p, job in (("REG_REGION_NOT_LIVE_REGION", .016, False), ("REG_REGION_NOT_WORK_REGION", .062, True),
                         ("LIVE_REGION_NOT_WORK_REGION", .049, True), ("REG_CITY_NOT_LIVE_CITY", .095, False),
                         ("REG_CITY_NOT_WORK_CITY", .277, True), ("LIVE_CITY_NOT_WORK_CITY", .21, True)):
        flag = (np.where(rng.random(n) < 0.5, u_move, rng.random(n)) < p) & ~(job & no_job)
        c[name] = flag.astype(np.int8)
    org = categorical(rng, n, ORGANIZATION)
    c["ORGANIZATION_TYPE"] = Cat(np.where(no_job, len(org.levels), org.codes).astype(np.int16), org.levels + ("XNA",))

    age_z = (age - 43.5) / 12.0
    ext = []
    for k, (rho_r, rho_age, missing) in enumerate(((0.3, 0.6, 0.564), (0.45, 0.05, 0.0021), (0.45, 0.2, 0.198))):
        z = -rho_r * r + rho_age * age_z + np.sqrt(1 - rho_r ** 2 - rho_age ** 2) * rng.standard_normal(n)
        value = from_quantiles(normal_u(z), EXT_Q[k])
        ext.append(value)
        hide = corr_u(rng, r, 0.15 if k == 0 else 0.05) < missing
        c[f"EXT_SOURCE_{k + 1}"] = np.where(hide, np.nan, value)
    c["EXT_SOURCE_3"] = np.where(np.isnan(c["EXT_SOURCE_3"]), np.nan, np.round(c["EXT_SOURCE_3"], 6))

    _building(rng, n, c, corr_u(rng, r, -0.1) < HAS_BUILDING)
    circle = np.where(rng.random(n) < 0.0033, np.nan, nb_counts(rng, np.full(n, 1.42), 0.5))
    defaults = rng.binomial(np.nan_to_num(circle).astype(np.int64), np.clip(0.07 + 0.035 * r, 0.0, 1.0))
    c["OBS_30_CNT_SOCIAL_CIRCLE"] = circle
    c["DEF_30_CNT_SOCIAL_CIRCLE"] = np.where(np.isnan(circle), np.nan, defaults)
    c["OBS_60_CNT_SOCIAL_CIRCLE"] = np.where(rng.random(n) < 0.97, circle, np.maximum(circle - 1, 0))
    c["DEF_60_CNT_SOCIAL_CIRCLE"] = np.where(np.isnan(circle), np.nan, rng.binomial(defaults, 0.7))
    c["DAYS_LAST_PHONE_CHANGE"] = np.round(from_quantiles(rng.random(n), PHONE_Q))
    main_doc = draw(rng, n, (.71, .088, .081, .121))
    for k in range(2, 22):
        c[f"FLAG_DOCUMENT_{k}"] = (main_doc == {3: 0, 6: 1, 8: 2}[k] if k in (3, 6, 8)
                                   else rng.random(n) < OTHER_DOCS[k]).astype(np.int8)

    has_bureau = corr_u(rng, r, -0.12) < 0.858
    for name, mean in REQ_MEANS.items():
        req = nb_counts(rng, np.full(n, mean), 1.2 if name == "YEAR" else 0.3).astype(np.float64)
        c[f"AMT_REQ_CREDIT_BUREAU_{name}"] = np.where(has_bureau, req, np.nan)

    clients = Clients(
        n=n, ids=ids, r=r, income=income,
        n_bureau=np.where(has_bureau, 1 + nb_counts(rng, np.full(n, 4.62), 1.1), 0),
        n_prev=np.where(rng.random(n) < 0.95, 1 + nb_counts(rng, np.full(n, 3.95) * np.exp(0.1 * r), 1.3), 0),
        p_bureau_late=sigmoid(-4.0 + 1.0 * corr_z(rng, r, 0.8)),
        p_refuse=sigmoid(-1.9 + 0.8 * corr_z(rng, r, 0.8)),
        p_late=sigmoid(-3.2 + 1.0 * corr_z(rng, r, 0.8)),
        utilisation=sigmoid(-0.9 + 1.1 * corr_z(rng, r, 0.7)),
        card_share=rng.beta(1.2, 8.0, n),
    )
    drivers = {"ext": np.stack(ext), "annuity_income": annuity / income, "age": age, "male": male,
               "education": c["NAME_EDUCATION_TYPE"].codes, "no_job": no_job,
               "employed_years": np.where(no_job, 0.0, employed / 365.25), "region_rating": rating,
               "social_defaults": np.nan_to_num(c["DEF_30_CNT_SOCIAL_CIRCLE"]), "credit_goods": markup}
    return c, clients, drivers


def _building(rng, n: int, c: dict, has: np.ndarray) -> None:
    """The 47 building statistics (AVG/MODE/MEDI) and the 4 building categoricals."""
    size = rng.standard_normal(n)
    cols = {}
    for base, (missing, knots, step) in BUILDING.items():
        keep = has & (rng.random(n) < (1.0 - missing) / HAS_BUILDING)
        rho = 0.85 if "AREA" in base or "APARTMENTS" in base else 0.3
        avg = from_quantiles(corr_u(rng, size, rho), knots, P9)
        avg = np.round(rnd(avg, step) if step else avg, 4)
        spread = 0.0 if step else (0.1 if base.startswith("YEARS") else 1.0)
        for suffix, sd in (("AVG", 0.0), ("MODE", 0.06), ("MEDI", 0.02)):
            value = np.round(np.clip(avg * np.exp(rng.normal(0, sd * spread, n)), 0, 1), 4) if sd * spread else avg
            cols[f"{base}_{suffix}"] = np.where(keep, value, np.nan)
    c.update(cols)
    total = np.round(np.clip(from_quantiles(corr_u(rng, size, 0.9), (0, .0019, .0129, .0417, .0691, .1279, .2266,
                                                                     .5222, 1), P9), 0, 1), 4)
    c["TOTALAREA_MODE"] = np.where(has & (rng.random(n) < 0.517 / HAS_BUILDING), total, np.nan)
    for name, weights, missing in (("FONDKAPREMONT_MODE", FONDKAPREMONT, .684), ("HOUSETYPE_MODE", HOUSETYPE, .502),
                                   ("WALLSMATERIAL_MODE", WALLS, .508),
                                   ("EMERGENCYSTATE_MODE", {"No": .985, "Yes": .015}, .474)):
        cat = categorical(rng, n, weights)
        keep = has & (rng.random(n) < (1.0 - missing) / HAS_BUILDING)
        c[name] = Cat(np.where(keep, cat.codes, -1).astype(np.int16), cat.levels)


def draw_target(rng, drivers: dict, history: dict) -> np.ndarray:
    """TARGET ~ Bernoulli(sigmoid(logit)) with a logit built from generated application and history features."""
    ext = drivers["ext"]
    logit = (
        -3.8
        - 2.0 * (ext[0] - 0.5) - 2.4 * (ext[1] - 0.51) - 2.6 * (ext[2] - 0.51)
        + 2.5 * (np.minimum(drivers["annuity_income"], 0.6) - 0.18)
        + 0.9 * (drivers["credit_goods"] - 1.12)
        - 0.008 * (drivers["age"] - 43.0)
        + 0.25 * drivers["male"]
        + 0.12 * (drivers["education"] >= 3)
        - 0.03 * np.minimum(drivers["employed_years"], 15.0) - 0.15 * drivers["no_job"]
        + 0.12 * (drivers["region_rating"] - 2)
        + 0.15 * np.minimum(drivers["social_defaults"], 4)
        + 0.7 * history["bureau_overdue"] + 0.5 * (history["bureau_active_share"] - 0.35)
        + 4.0 * history["bureau_late_share"]
        + 0.2 * np.minimum(history["refused"], 6) - 0.2 * (history["n_prev"] == 0)
        + 3.0 * history["late_share"]
        + 1.0 * history["card_utilisation"]
        + 0.9 * rng.standard_normal(ext.shape[1])
    )
    return (rng.random(logit.size) < sigmoid(logit)).astype(np.int8)
