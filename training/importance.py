"""Global importance (CatBoost PredictionValuesChange, mean |SHAP|) and a local example."""

from __future__ import annotations

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, Pool


def shap_values(model: CatBoostClassifier, X: pd.DataFrame, categorical: list[str]) -> np.ndarray:
    """[n, n_features + 1] SHAP values in log-odds (last column: expected value)."""
    pool = Pool(X, cat_features=list(categorical))
    return np.asarray(model.get_feature_importance(pool, type="ShapValues"))


def global_importance(model: CatBoostClassifier, X: pd.DataFrame, categorical: list[str], labels: dict[str, str],
                      sample: int = 2000, seed: int = 42) -> list[dict]:
    """Every feature with PredictionValuesChange importance and mean |SHAP| on a sample, most important first."""
    features = list(X.columns)
    pvc = np.asarray(model.get_feature_importance(type="PredictionValuesChange"), dtype=float)
    rows = X if len(X) <= sample else X.sample(sample, random_state=seed)
    shap = shap_values(model, rows, categorical)[:, :-1]
    mean_abs = np.abs(shap).mean(axis=0)
    out = [{"feature": f, "label": labels.get(f, f), "importance": float(pvc[j]), "mean_abs_shap": float(mean_abs[j])}
           for j, f in enumerate(features)]
    return sorted(out, key=lambda r: (-r["importance"], -r["mean_abs_shap"]))


def local_explanation(model: CatBoostClassifier, row: pd.DataFrame, categorical: list[str], labels: dict[str, str],
                      top: int = 8) -> dict:
    """Top SHAP contributions (log-odds) of one client; base + sum(all) = raw log-odds."""
    values = shap_values(model, row, categorical)[0]
    contributions, base = values[:-1], float(values[-1])
    order = np.argsort(-np.abs(contributions))
    items = []
    for j in order[:top]:
        name = row.columns[j]
        value = row.iloc[0, j]
        items.append({
            "feature": name, "label": labels.get(name, name),
            "value": None if (isinstance(value, float) and np.isnan(value)) else (value if isinstance(value, str) else float(value)),
            "contribution": float(contributions[j]),
            "direction": "raises" if contributions[j] > 0 else "lowers",
        })
    return {"base_value": base, "raw_score": float(base + contributions.sum()),
            "other_contribution": float(contributions[order[top:]].sum()), "contributions": items}
