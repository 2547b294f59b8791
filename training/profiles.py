"""Training profiles: how much search and validation a run does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scipy.stats import loguniform, randint, uniform

#: CatBoost settings that make each fit several times cheaper on small data at (measured) no cost in AUC:
#: plain boosting (CatBoost picks the slower "ordered" scheme below 50k rows), 64 borders per feature, no
#: categorical combinations. Checked again on 2026-12-03 at the full bundle's searched parameters (depth 6,
#: lr 0.0467, l2 8.17, rsm 0.30, SMOTE 0.104; same 5 folds, early-stopped): CV AUC 0.7280 +- 0.0199 with these
#: settings, 0.7303 +- 0.0188 with CatBoost's defaults (fold differences -0.006 .. +0.012), 19 s vs 31 s.
_SPEED = {"max_ctr_complexity": 1, "boosting_type": "Plain", "border_count": 64}

#: Bagged profiles one-hot encode every categorical (the sample's largest has 56 levels): members then hold no
#: categorical target statistics, which differ from member to member and which ``catboost.sum_models`` cannot
#: merge exactly (measured: up to 0.027 of probability off), so the shipped model is one exact CatBoost model.
#: Same 5 folds, full profile's parameters (2026-12-03): one model 0.7255 +- 0.0163 one-hot vs 0.7280 +- 0.0199
#: with statistics; 3 seeds 0.7329 +- 0.0183 one-hot vs 0.7350 +- 0.0183 (which would need three models served).
_ONE_HOT = {"one_hot_max_size": 255}


@dataclass(frozen=True)
class Profile:
    name: str
    folds: int
    n_iter: int  # candidates sampled for the first rung of successive halving
    #: sklearn parameter distributions on the imblearn pipeline (``smote__``/``model__`` prefixes)
    distributions: dict[str, Any] = field(default_factory=dict)
    #: CatBoost settings used by every candidate unless searched
    base_params: dict[str, Any] = field(default_factory=dict)
    #: default SMOTE ratio (minority / majority after resampling) unless searched
    ratio: float = 0.25
    #: successive halving: share of each training fold's rows per rung (the last is 1.0: all rows), and the
    #: factor by which the candidates are cut between rungs
    shares: tuple[float, ...] = (1.0,)
    factor: int = 3
    gender_variant: bool = True
    #: inner folds of the honest estimate (threshold chosen without the evaluated fold)
    inner_folds: int = 3
    shap_sample: int = 2000
    fairness_bootstrap: int = 200
    #: members of the shipped model (seed bagging, :mod:`training.bagging`): the searched pipeline fitted with
    #: ``bags`` seeds and averaged; the budget may lower it on large data (:func:`training.budget.make_plan`)
    bags: int = 1


def _full() -> Profile:
    """Successive halving: 9 candidates on a third of each training fold, the best 3 on all of it; every fit
    early-stopped (the iteration cap is never the binding choice)."""
    return Profile(
        name="full",
        folds=5,
        n_iter=9,
        shares=(1 / 3, 1.0),
        factor=3,
        distributions={
            # minority/majority ratio after SMOTE (log scale); ratios above 0.5 lost AUC in earlier searches
            "smote__sampling_strategy": loguniform(0.1, 0.5),
            "model__depth": randint(6, 9),  # 6, 7, 8
            "model__learning_rate": loguniform(0.02, 0.08),
            "model__l2_leaf_reg": loguniform(1.0, 30.0),
            "model__rsm": uniform(0.3, 0.5),  # share of features per split 0.3 .. 0.8 (also faster)
        },
        base_params=dict(_SPEED, **_ONE_HOT, iterations=3000),
        bags=3,
    )


def _fast() -> Profile:
    return Profile(
        name="fast",
        folds=3,
        n_iter=2,
        distributions={
            "smote__sampling_strategy": uniform(0.1, 0.1),  # 0.1 .. 0.2: low ratios cost the least AUC
            "model__depth": randint(4, 6),
        },
        base_params=dict(_SPEED, iterations=600, learning_rate=0.08, l2_leaf_reg=10.0),
        ratio=0.15,
        gender_variant=False,
        inner_folds=2,
        shap_sample=1000,
        fairness_bootstrap=100,
    )


def _compact() -> Profile:
    """The fast profile's search with every step of the full one (protected-attribute variant, 3 inner folds):
    what fits in ~15 minutes on a busy 2-core machine."""
    fast = _fast()
    return Profile(name="compact", folds=fast.folds, n_iter=fast.n_iter, distributions=fast.distributions,
                   shares=fast.shares, factor=fast.factor,
                   base_params=fast.base_params, ratio=fast.ratio, gender_variant=True, inner_folds=3,
                   shap_sample=fast.shap_sample, fairness_bootstrap=200)


def _smoke() -> Profile:
    """Every step of the full profile (gender variant included) with tiny models: a quick end-to-end check."""
    return Profile(
        name="smoke", folds=2, n_iter=1, distributions={"smote__sampling_strategy": uniform(0.2, 0.1)},
        base_params=dict(_SPEED, **_ONE_HOT, iterations=20, depth=3), inner_folds=2, shap_sample=200,
        fairness_bootstrap=20, bags=2,
    )


PROFILES = {"full": _full, "fast": _fast, "compact": _compact, "smoke": _smoke}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]()
    except KeyError:
        raise ValueError(f"unknown profile {name!r} (choose from {sorted(PROFILES)})") from None
