"""``python -m training [--data DIR] [--out models] [--fast] [--fn-cost 10] [--fp-cost 1]``."""

from __future__ import annotations

import argparse
import logging
import sys
import warnings

from scoring.cost import FN_COST, FP_COST


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    parser.add_argument("--data", default=None,
                        help="data directory in Kaggle layout (default: HOME_CREDIT_DATA, then synthetic data)")
    parser.add_argument("--out", default="models", help="models root; the bundle goes to OUT/<version>/ (default models)")
    parser.add_argument("--fast", action="store_true", help="small profile (3 folds, 2 candidates, ~1-2 min)")
    parser.add_argument("--profile", choices=("fast", "full", "compact", "smoke"), default=None, help="explicit profile (overrides --fast)")
    parser.add_argument("--fn-cost", type=float, default=FN_COST, help="cost of accepting a defaulter (default 10)")
    parser.add_argument("--fp-cost", type=float, default=FP_COST, help="cost of refusing a good client (default 1)")
    parser.add_argument("--n-iter", type=int, default=None, help="random-search candidates (profile default)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tracking-uri", default=None,
                        help="MLflow tracking URI (default MLFLOW_TRACKING_URI, then sqlite:///mlflow.db)")
    parser.add_argument("--budget-seconds", type=float, default=None,
                        help="wall-time target of the run on a large data set (default 3000, for a 1-hour goal)")
    parser.add_argument("--subsample-above", type=int, default=None,
                        help="labelled rows above which the cross-validated steps use a stratified subsample "
                             "sized by the time budget (default 20000); the final refit always uses every row")
    parser.add_argument("--cv-rows", type=int, default=None,
                        help="fixed size of that subsample (skips the timing pilot)")
    promote = parser.add_mutually_exclusive_group()
    promote.add_argument("--promote", dest="promote", action="store_true", default=None,
                         help="make the new bundle the champion at once (default: only when OUT has none yet; "
                              "otherwise python -m training.promote VERSION, after its check)")
    promote.add_argument("--no-promote", dest="promote", action="store_false", help="never make it the champion")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings only")
    return parser.parse_args(argv)


def setup_logging(quiet: bool = False) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    for noisy in ("mlflow", "alembic", "urllib3", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="mlflow")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_logging(args.quiet)
    if args.fn_cost <= 0 or args.fp_cost <= 0:
        print("error: --fn-cost and --fp-cost must be positive", file=sys.stderr)
        return 2
    from scoring.data import DataError
    from training.budget import Budget
    from training.pipeline import train

    profile = args.profile or ("fast" if args.fast else "full")
    options = {"seconds": args.budget_seconds, "subsample_above": args.subsample_above, "rows": args.cv_rows}
    time_budget = Budget(**{k: v for k, v in options.items() if v is not None})
    try:
        result = train(args.data, args.out, profile=profile, tracking_uri=args.tracking_uri, seed=args.seed,
                       fn_cost=args.fn_cost, fp_cost=args.fp_cost, n_iter=args.n_iter, promote=args.promote,
                       time_budget=time_budget)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    m = result.metrics
    print(f"bundle {result.bundle_path} (version {result.version}) in {result.seconds:.0f}s: "
          f"CV AUC {m['cv_auc']:.4f}, threshold {m['threshold']:.3f}, cost/client {m['business_cost']:.4f} "
          f"(accept-all {m['accept_all_cost']:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
