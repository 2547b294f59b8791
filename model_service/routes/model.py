"""The model: description, fairness, model card and population distributions."""

from __future__ import annotations

from ..api import Routes, operation
from ..errors import Invalid, NotFound
from ..schemas import CardOut, CardQuery, FairnessOut, ModelOut, PopulationOut, PopulationQuery
from ..services import services

bp = Routes("model")


@operation(bp, "/model", summary="Model version, threshold, costs, metrics, curves, importance, features",
           tags="model", response=ModelOut)
def model_info():
    s = services()
    return s.stamp({**s.model_info, "oversight": s.oversight.state()})


@operation(bp, "/model/fairness", summary="Fairness table computed at training time", tags="model",
           response=FairnessOut, errors=(404,))
def fairness():
    s = services()
    data = s.bundle.extra("fairness")
    if data is None:
        raise NotFound("this model bundle has no fairness analysis")
    return s.stamp(dict(data) if isinstance(data, dict) else {"fairness": data})


@operation(bp, "/model/card", summary="The model card (markdown generated from the bundle)", tags="model",
           query=CardQuery, response=CardOut, errors=(422,))
def card(query: CardQuery):
    s = services()
    return s.stamp({"markdown": s.card(query.lang), "lang": query.lang})


@operation(bp, "/population", summary="Distribution of features among repaid and defaulted clients",
           tags="model", query=PopulationQuery, response=PopulationOut, errors=(422,))
def population(query: PopulationQuery):
    s = services()
    names = [n.strip() for n in (query.features or "").split(",") if n.strip()] or s.population.default_features()
    unknown = [n for n in names if not s.population.known(n)]
    problems = [{"field": "features", "problem": f"unknown feature {n!r}", "value": n} for n in unknown]
    if len(names) > 20:
        problems.append({"field": "features", "problem": "at most 20 features per request", "value": len(names)})
    if problems:
        raise Invalid(problems)
    return s.stamp({"features": {n: s.population.feature(n, query.bins) for n in dict.fromkeys(names)}})
