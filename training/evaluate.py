"""``python -m training.evaluate --data DIR [--bundle PATH] [--out predictions.csv]``

Scores every applicant of a data directory (Kaggle layout) with a bundle:
features from :func:`scoring.features.build_features`, then the bundle's
CatBoost model, calibrator and threshold, exactly as the service does.
Labelled applicants: the last output line is one JSON object with n, auc,
accuracy, business_cost (per client), threshold and confusion_matrix.
Unlabelled applicants: predictions (SK_ID_CURR, probability, score,
decision) are written to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.bundle import Bundle, load_bundle
from scoring.decision import decide, to_score
from scoring.features import build_features, model_input

log = logging.getLogger(__name__)


def score_frame(bundle: Bundle, frame: pd.DataFrame) -> np.ndarray:
    """Calibrated P(default) for a feature frame (index SK_ID_CURR)."""
    X = model_input(frame, bundle.feature_names, bundle.categorical)
    raw = bundle.model.predict_proba(X)[:, 1]
    return np.asarray(bundle.calibrator.apply(raw), dtype=np.float64)


def evaluate(data_dir: str | Path, bundle_path: str | Path = "models", fn_cost: float | None = None,
             fp_cost: float | None = None) -> tuple[dict | None, pd.DataFrame]:
    """(metrics of the labelled applicants or None, predictions of every applicant)."""
    from training.metrics import classification_metrics

    bundle = load_bundle(bundle_path)
    fs = build_features(data_dir, progress=lambda m: log.info("features: %s", m))
    probability = score_frame(bundle, fs.frame)
    threshold = bundle.threshold
    scores = to_score(probability, threshold)
    predictions = pd.DataFrame({
        "SK_ID_CURR": fs.frame.index.to_numpy(dtype=np.int64), "probability": probability,
        "score": np.round(scores, 2), "decision": decide(scores),
    })
    labelled = fs.labelled.to_numpy()
    metrics = None
    if labelled.any():
        fn = float(fn_cost if fn_cost is not None else bundle.meta.costs.fn)
        fp = float(fp_cost if fp_cost is not None else bundle.meta.costs.fp)
        y = fs.target.to_numpy()[labelled]
        full = classification_metrics(y, probability[labelled], threshold, fn, fp)
        keys = ("n", "auc", "accuracy", "precision", "recall", "f1", "business_cost", "accept_all_cost",
                "threshold", "confusion_matrix")
        metrics = {k: full[k] for k in keys} | {"model_version": bundle.version, "costs": {"fn": fn, "fp": fp}}
    return metrics, predictions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="data directory (default: HOME_CREDIT_DATA, then synthetic)")
    parser.add_argument("--bundle", default="models", help="bundle directory or models root with CURRENT")
    parser.add_argument("--out", default="predictions.csv", help="predictions CSV for unlabelled applicants")
    parser.add_argument("--fn-cost", type=float, default=None, help="default: the bundle's")
    parser.add_argument("--fp-cost", type=float, default=None, help="default: the bundle's")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        datefmt="%H:%M:%S", stream=sys.stderr)
    from scoring.bundle import BundleError
    from scoring.config import resolve_data_dir
    from scoring.data import DataError

    try:
        metrics, predictions = evaluate(resolve_data_dir(args.data), args.bundle, args.fn_cost, args.fp_cost)
    except (BundleError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    unlabelled = len(predictions) - (metrics["n"] if metrics else 0)
    if unlabelled or metrics is None:
        out = Path(args.out)
        predictions.to_csv(out, index=False)
        print(f"predictions for {len(predictions):,} applicants written to {out.resolve()}")
    if metrics is not None:
        print(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
