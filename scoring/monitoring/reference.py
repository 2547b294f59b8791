"""Which calibrated probabilities stand for "the applicants the model was built on" in drift and monitoring.

The shipped model's own probabilities of applicants it never trained on, in this order:

1. the ``holdout`` extra of a subsampled run: the shipped model (refit without the holdout) on the held-out
   applicants, with its own calibrator;
2. the ``oof`` extra: out-of-fold probabilities of the cross-validated rows (every labelled row when the run
   was not subsampled; for a subsampled run they come from models trained on the small subsample, under
   its calibrator, which is why the holdout comes first);
3. the client store's probabilities of the labelled clients (in-sample: the model saw them).
"""

from __future__ import annotations

import numpy as np


def reference_probability(bundle) -> tuple[np.ndarray | None, str]:
    """(calibrated probabilities, where they come from); None when the bundle has no labelled client."""
    for name, source in (("holdout", "bundle extra holdout (the shipped model on the applicants held out from "
                                     "its training)"),
                         ("oof", "bundle extra oof (training out-of-fold probabilities)")):
        extra = bundle.extra(name)
        if isinstance(extra, dict) and extra.get("probability") is not None and len(extra["probability"]):
            return np.asarray(extra["probability"], dtype=np.float64), source
    store = bundle.store
    labelled = np.asarray(store.target) >= 0
    if not labelled.any():
        return None, "no labelled client in the bundle"
    return (np.asarray(store.probability, dtype=np.float64)[labelled],
            "bundle store probabilities of labelled (training) clients -- in-sample: no oof extra in the bundle")
