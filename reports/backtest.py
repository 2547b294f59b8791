"""``python -m reports.backtest``: expected against observed default rates, from the service's database.

Joins each recorded outcome with the model's scoring of that client (the prediction log;
the latest scoring before the outcome) and prints, per score band and per scoring month,
the expected default rate with the model's 95 % interval, the observed rate, the realised
AUC and business cost, and a flag where the observed rate leaves the interval
(:mod:`scoring.monitoring.backtest`).

Usage::

    python -m reports.backtest [--database-url URL] [--since DATE] [--until DATE] [--json PATH]
                               [--demo-outcomes [--bundle models]] [--fail-on-flag]

``--database-url`` defaults to ``DATABASE_URL``, else ``var/decisions.db``. ``--demo-outcomes``
first records plausible outcomes for the logged clients (synthetic data only,
:mod:`reports.demo_outcomes`). Exit status: 0; 2 bad input; 3 with ``--fail-on-flag`` when a
group is flagged.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from reports.production_db import DatabaseInputError, engine_for, read_outcomes, read_predictions
from scoring.monitoring.backtest import backtest, format_table, join_outcomes

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = f"sqlite:///{REPO_ROOT / 'var' / 'decisions.db'}"
EXIT_OK, EXIT_INPUT, EXIT_FLAGGED = 0, 2, 3


def run_backtest(engine, since=None, until=None) -> dict:
    joined = join_outcomes(read_predictions(engine, since, until), read_outcomes(engine))
    return backtest(joined)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reports.backtest", description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE)
    p.add_argument("--since", help="first scoring date included (YYYY-MM-DD)")
    p.add_argument("--until", help="scorings before this date (YYYY-MM-DD)")
    p.add_argument("--json", type=Path, help="also write the backtest as JSON here")
    p.add_argument("--demo-outcomes", action="store_true", help="first record demo outcomes (synthetic data only)")
    p.add_argument("--bundle", default=os.environ.get("MODEL_BUNDLE") or str(REPO_ROOT / "models"))
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--fail-on-flag", action="store_true", help="exit 3 when a group is flagged")
    a = p.parse_args(argv)
    from sqlalchemy.exc import SQLAlchemyError

    try:
        engine = engine_for(a.database_url)
        if a.demo_outcomes:
            from reports.demo_outcomes import record_demo_outcomes
            from scoring.bundle import load_bundle

            done = record_demo_outcomes(engine, load_bundle(a.bundle, load_model=False), a.seed)
            print(f"demo outcomes: {done['recorded']:,} recorded ({done['from_label']:,} from the synthetic labels)")
        result = run_backtest(engine, a.since, a.until)
    except (DatabaseInputError, SQLAlchemyError, ValueError) as exc:
        print(f"backtest: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_INPUT
    print(format_table(result))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return EXIT_FLAGGED if a.fail_on_flag and result["flagged"] else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
