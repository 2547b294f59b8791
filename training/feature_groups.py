"""Feature groups chosen by CV: drop-one ablation on the same folds, and the gate training applies.

``python -m training.feature_groups [--data DIR] [--folds 3] [--out training/feature_groups.json]`` trains
the SMOTE + CatBoost pipeline (early-stopped, the centre of the full profile's search space) with every
model feature, then without each group in turn, on the same stratified folds, and prints CV AUC and the
best business cost per client for each. A group is kept when removing it lowers the AUC or raises the cost
(:func:`helps`). The committed table (:data:`MEASURED`) is what training reads: :func:`gate` leaves out the
groups it did not keep, and the bundle's metadata carries the table for the methodology note.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from scoring.cost import FN_COST, FP_COST
from scoring.features import history

log = logging.getLogger(__name__)

_RATIO = re.compile(r"^APP_.*(_RATIO|_TERM|_PER_PERSON|_GOODS_DIFF)$")


def _names(aggs) -> frozenset[str]:
    return frozenset(name for name, _ in aggs)


#: group name -> which model features belong to it
GROUPS: dict[str, Callable[[str], bool]] = {
    "EXT_SOURCE combinations": lambda f: f.startswith("APP_EXT_SOURCE_"),
    "application ratios": lambda f: bool(_RATIO.match(f)),
    "bureau aggregates (all credits)": _names(history.BUREAU_AGGS).__contains__,
    "bureau by status (active / closed)": _names(history.BUREAU_STATUS_AGGS).__contains__,
    "bureau by credit type": _names(history.BUREAU_TYPE_AGGS).__contains__,
    "bureau_balance (all months)": _names(history.BUREAU_BALANCE_AGGS).__contains__,
    "bureau_balance status counts and recent DPD": _names(history.BUREAU_BALANCE_STATUS_AGGS).__contains__,
    "credit-card aggregates (all months)": _names(history.CREDIT_CARD_AGGS).__contains__,
    "credit-card recent windows (3 / 12 months)": _names(history.CREDIT_CARD_RECENT_AGGS).__contains__,
    "previous applications / POS / instalments": lambda f: f.startswith(("PREV_", "POS_", "INSTAL_")),
}

#: The drop-one ablation measured on the real sample (``python -m training.feature_groups --out``): the
#: table the methodology note shows and the decision training applies (:func:`gate`).
MEASURED = Path(__file__).with_name("feature_groups.json")


def members(features: list[str]) -> dict[str, list[str]]:
    return {name: [f for f in features if test(f)] for name, test in GROUPS.items()}


def helps(auc_gain: float, cost_gain: float) -> bool:
    """A group is kept when removing it lowers the CV AUC or raises the CV cost (on the same folds)."""
    return bool(auc_gain > 0 or cost_gain > 0)


def measured(path: str | Path | None = None) -> dict:
    """The committed ablation (``{"rows": [...], ...}``), or ``{}`` when none was measured yet."""
    path = Path(path or MEASURED)
    return json.loads(path.read_text()) if path.exists() else {}


def dropped_groups(table: dict | None = None) -> list[str]:
    """Groups the measured ablation did not keep (a group never measured, or without data, stays)."""
    table = measured() if table is None else table
    out = []
    for row in table.get("rows", []):
        name = row["variant"].removeprefix("without ")
        if row.get("auc") is not None and name in GROUPS and not helps(row["auc_gain_of_group"],
                                                                        row["cost_gain_of_group"]):
            out.append(name)
    return out


def gate(features: list[str], table: dict | None = None) -> list[str]:
    """``features`` without the members of the groups the CV ablation dropped."""
    drop = [GROUPS[g] for g in dropped_groups(table)]
    return [f for f in features if not any(test(f) for test in drop)]


def group_ablation(data, folds: list, params: dict, ratio: float, seed: int = 42, fn_cost: float = FN_COST,
                   fp_cost: float = FP_COST) -> list[dict]:
    """One row for all features, then one per non-empty group without it (same folds, same parameters)."""
    from training.compare import oof_predictions, summarise
    from training.models import build_pipeline
    from training.search import early_stopped

    def measure(name: str, features: list[str], n_removed: int) -> dict:
        categorical = [c for c in data.categorical if c in set(features)]
        est = early_stopped(build_pipeline(features, categorical, variant="smote", ratio=ratio, params=params,
                                           seed=seed), seed=seed)
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
        row["kept"] = helps(row["auc_gain_of_group"], row["cost_gain_of_group"])
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

    prof = get_profile("full")
    # the reference setting: the centre of the full profile's search space, early-stopped like every CV fit
    params = {**prof.base_params, "depth": 6, "learning_rate": 0.05, "l2_leaf_reg": 10.0, "rsm": 0.5}
    ratio = 0.15
    data = load_training_data(resolve_data_dir(args.data), gated=False)
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(data.X, data.y))
    rows = group_ablation(data, folds, params, ratio, args.seed)
    for r in rows:
        print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}))
    if args.out:
        table = {"rows": rows, "folds": args.folds, "seed": args.seed, "params": params, "smote_ratio": ratio,
                 "data_fingerprint": data.fingerprint, "n_labelled": int(len(data.y)),
                 "rule": "kept when removing the group lowers the CV AUC or raises the CV cost per client"}
        with open(args.out, "w") as handle:
            json.dump(table, handle, indent=2, default=lambda v: v.item() if isinstance(v, np.generic) else str(v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
