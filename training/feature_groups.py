"""Feature groups measured by drop-one ablation on the same folds: is each group worth keeping?

``python -m training.feature_groups [--data DIR] [--folds 3] [--out groups.json]`` trains the SMOTE +
CatBoost pipeline (the fast profile's settings) with every model feature, then without each group in turn,
on the same stratified folds, and prints CV AUC and the best business cost per client for each. A group
helps when removing it lowers the AUC or raises the cost.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable

import numpy as np
from sklearn.model_selection import StratifiedKFold

from scoring.cost import FN_COST, FP_COST

log = logging.getLogger(__name__)

_RATIO = re.compile(r"^APP_.*(_RATIO|_TERM|_PER_PERSON|_GOODS_DIFF)$")
#: group name -> which model features belong to it
GROUPS: dict[str, Callable[[str], bool]] = {
    "EXT_SOURCE combinations": lambda f: f.startswith("APP_EXT_SOURCE_"),
    "application ratios": lambda f: bool(_RATIO.match(f)),
    "bureau aggregates (by status/type)": lambda f: f.startswith("BURO_"),
    "bureau_balance status counts and recent DPD": lambda f: f.startswith("BB_"),
    "credit-card aggregates (recent windows)": lambda f: f.startswith("CC_"),
    "previous applications / POS / instalments": lambda f: f.startswith(("PREV_", "POS_", "INST_")),
}


def members(features: list[str]) -> dict[str, list[str]]:
    return {name: [f for f in features if test(f)] for name, test in GROUPS.items()}


def group_ablation(data, folds: list, params: dict, ratio: float, seed: int = 42, fn_cost: float = FN_COST,
                   fp_cost: float = FP_COST) -> list[dict]:
    """One row for all features, then one per non-empty group without it (same folds, same parameters)."""
    from training.compare import oof_predictions, summarise
    from training.models import build_pipeline

    def measure(name: str, features: list[str], n_removed: int) -> dict:
        categorical = [c for c in data.categorical if c in set(features)]
        est = build_pipeline(features, categorical, variant="smote", ratio=ratio, params=params, seed=seed)
        oof = oof_predictions(est, data.X[features], data.y, folds, name=name)
        row = summarise(name, data.y, oof, folds, fn_cost, fp_cost)
        return {"variant": name, "features_removed": n_removed, "auc": row["auc"], "auc_std": row["auc_std"],
                "business_cost": row["business_cost"]}

    rows = [measure("all features", data.features, 0)]
    for name, group in members(data.features).items():
        informative = [f for f in group if data.X[f].notna().any()]
        if not informative:
            rows.append({"variant": f"without {name}", "features_removed": len(group), "auc": None, "auc_std": None,
                         "business_cost": None, "note": "no observed value in this data (kept: tested on synthetic data)"})
            continue
        row = measure(f"without {name}", [f for f in data.features if f not in set(group)], len(group))
        row["auc_gain_of_group"] = rows[0]["auc"] - row["auc"]
        row["cost_gain_of_group"] = row["business_cost"] - rows[0]["business_cost"]
        row["kept"] = bool(row["auc_gain_of_group"] > 0 or row["cost_gain_of_group"] > 0)
        rows.append(row)
        log.info("%s: AUC %.4f (group adds %+.4f), cost %.4f (group saves %+.4f)", row["variant"], row["auc"],
                 row["auc_gain_of_group"], row["business_cost"], row["cost_gain_of_group"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.feature_groups", description=__doc__)
    parser.add_argument("--data", default=None)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", default=None, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from scoring.config import resolve_data_dir
    from training.dataset import load_training_data
    from training.profiles import get_profile

    prof = get_profile("fast")
    data = load_training_data(resolve_data_dir(args.data))
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(data.X, data.y))
    rows = group_ablation(data, folds, {**prof.base_params, "depth": 5}, prof.ratio, args.seed)
    for r in rows:
        print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}))
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(rows, handle, indent=2, default=lambda v: v.item() if isinstance(v, np.generic) else str(v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
