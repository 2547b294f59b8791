"""Score PSI of the drift report: the model's calibrated probabilities, reference vs current.

The reference scores are the bundle's training out-of-fold probabilities (else the store's
in-sample ones); the current scores are the prediction log's probabilities or the bundle
model applied to the current applicants. The PSI always uses every score (no sampling).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.monitoring.psi import PSI_ACT, PSI_WATCH, psi_status, psi_table

PSI_BINS = 10


def reference_scores(bundle) -> tuple[np.ndarray, str]:
    """Training out-of-fold calibrated probabilities, else the store's labelled clients'."""
    oof = bundle.extra("oof")
    if isinstance(oof, dict) and oof.get("probability") is not None and len(oof["probability"]):
        return np.asarray(oof["probability"], dtype=np.float64), "bundle extra oof (training out-of-fold probabilities)"
    store = bundle.store
    labelled = np.asarray(store.target) >= 0
    return (np.asarray(store.probability, dtype=np.float64)[labelled],
            "bundle store probabilities of labelled (training) clients -- in-sample: no oof extra in the bundle")


def model_scores(bundle, frame: pd.DataFrame) -> np.ndarray:
    """Calibrated P(default) of ``frame``'s rows with the bundle's model."""
    from scoring.features import model_input

    X = model_input(frame, bundle.feature_names, bundle.categorical)
    raw = bundle.model.predict_proba(X)[:, 1]
    return np.asarray(bundle.calibrator.apply(raw), dtype=np.float64)


def score_psi(reference: np.ndarray | None, current: np.ndarray | None, ref_source: str, cur_source: str,
              reason: str | None = None, bins: int = PSI_BINS) -> dict:
    if reference is None or current is None:
        return {"value": None, "status": None, "reason": reason or "scores unavailable"}
    ref = reference[np.isfinite(reference)]
    cur = current[np.isfinite(current)]
    if not len(ref) or not len(cur):
        return {"value": None, "status": None, "reason": "no finite scores on one side"}
    table = psi_table(ref, cur, bins=bins)
    value = round(table["psi"], 6)
    return {
        "value": value, "status": psi_status(value), "bins": bins,
        "thresholds": {"watch": PSI_WATCH, "act": PSI_ACT},
        "of": "calibrated probability of default (quantile bins, so identical for the 0-100 score)",
        "reference": {"source": ref_source, "n": table["reference_n"]},
        "current": {"source": cur_source, "n": table["current_n"]},
        "table": {k: table[k] for k in ("edges", "reference_share", "current_share", "contribution")},
    }
