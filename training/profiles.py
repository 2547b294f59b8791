"""Training profiles: how much search and validation a run does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scipy.stats import loguniform, randint, uniform


@dataclass(frozen=True)
class Profile:
    name: str
    folds: int
    n_iter: int  # random-search candidates
    #: sklearn parameter distributions on the imblearn pipeline (``smote__``/``model__`` prefixes)
    distributions: dict[str, Any] = field(default_factory=dict)
    #: CatBoost settings used by every candidate unless searched
    base_params: dict[str, Any] = field(default_factory=dict)
    #: default SMOTE ratio (minority / majority after resampling) unless searched
    ratio: float = 0.25
    gender_variant: bool = True
    #: inner folds of the honest estimate (threshold chosen without the evaluated fold)
    inner_folds: int = 3
    shap_sample: int = 2000
    fairness_bootstrap: int = 200


def _full() -> Profile:
    return Profile(
        name="full",
        folds=5,
        n_iter=10,
        distributions={
            # minority/majority ratio after SMOTE, 0.1 .. 1.0 (log scale: as many candidates below 0.32 as above)
            "smote__sampling_strategy": loguniform(0.1, 1.0),
            "model__depth": randint(4, 7),  # 4, 5, 6
            "model__learning_rate": uniform(0.03, 0.05),  # 0.03 .. 0.08
            # strong regularisation: l2 < 5 lost 0.01-0.03 CV AUC in a first 10-candidate search (1-30)
            "model__l2_leaf_reg": loguniform(5.0, 100.0),
            "model__iterations": randint(300, 801),
            "model__rsm": uniform(0.3, 0.7),  # share of features per split 0.3 .. 1.0
        },
        base_params={"max_ctr_complexity": 1},
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
        base_params={"iterations": 200, "learning_rate": 0.08, "l2_leaf_reg": 10.0, "max_ctr_complexity": 1},
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
                   base_params=fast.base_params, ratio=fast.ratio, gender_variant=True, inner_folds=3,
                   shap_sample=fast.shap_sample, fairness_bootstrap=200)


def _smoke() -> Profile:
    """Every step of the full profile (gender variant included) with tiny models: a quick end-to-end check."""
    return Profile(
        name="smoke", folds=2, n_iter=1, distributions={"smote__sampling_strategy": uniform(0.2, 0.1)},
        base_params={"iterations": 20, "depth": 3, "max_ctr_complexity": 1}, inner_folds=2, shap_sample=200, fairness_bootstrap=20,
    )


PROFILES = {"full": _full, "fast": _fast, "compact": _compact, "smoke": _smoke}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]()
    except KeyError:
        raise ValueError(f"unknown profile {name!r} (choose from {sorted(PROFILES)})") from None
