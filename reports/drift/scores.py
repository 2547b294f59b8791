"""Score PSI of the drift report: the model's calibrated probabilities, reference vs current.

The reference scores are the shipped model's probabilities of applicants it did not train on (the holdout
of a subsampled run, else the training out-of-fold probabilities, else the store's in-sample ones); the current scores are the prediction log's probabilities or the bundle
model applied to the current applicants. The PSI always uses every score (no sampling).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.monitoring.psi import PSI_ACT, PSI_WATCH, psi_status, psi_table
from scoring.monitoring.reference import reference_probability

PSI_BINS = 10


def reference_scores(bundle) -> tuple[np.ndarray | None, str]:
    """The shipped model's probabilities of applicants it did not train on (:mod:`scoring.monitoring.reference`)."""
    return reference_probability(bundle)


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
