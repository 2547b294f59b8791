"""``python -m scoring.synthetic --out DIR --clients N --seed S [--test-clients M] [--no-compress]``."""

from __future__ import annotations

import argparse
import sys
import time

from . import default_test_clients, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring.synthetic",
                                     description="Write synthetic Home Credit tables (Kaggle file layout).")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--clients", type=int, default=5000, help="training applicants (default 5000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--test-clients", type=int, default=None,
                        help="test applicants (default: clients * 48744 / 307511, rounded)")
    parser.add_argument("--no-compress", action="store_true", help="write .csv instead of .csv.gz")
    args = parser.parse_args(argv)
    n_test = default_test_clients(args.clients) if args.test_clients is None else args.test_clients
    started = time.perf_counter()
    paths = generate(args.out, n_clients=args.clients, seed=args.seed, n_test=n_test,
                     compress=not args.no_compress)
    for table, path in paths.items():
        print(f"{table:24s} {path}")
    print(f"{args.clients} train + {n_test} test applicants in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
