"""``python -m reports.challenger``: champion against challenger on the same production requests.

Reads the shadow records of the prediction log (role ``challenger``, written when the
service runs a ``CHALLENGER_BUNDLE``), pairs each with the champion's record of the same
request, and prints the agreement of the decisions, the decisions that would flip (by the
champion's band) and, for clients whose outcome is known, both models' realised AUC and
business cost (:mod:`scoring.monitoring.challenger`).

Usage::

    python -m reports.challenger [--version CHALLENGER_VERSION] [--database-url URL] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from reports.production_db import DatabaseInputError, engine_for, read_outcomes, read_predictions, shadow_pairs
from scoring.monitoring.challenger import compare_models

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = f"sqlite:///{REPO_ROOT / 'var' / 'decisions.db'}"
BAND_WORDS = {"approve": "approve", "review": "review (orange band)", "decline": "decline"}


def comparison(engine, version: str | None = None, since=None, until=None) -> dict:
    pairs = shadow_pairs(read_predictions(engine, since, until, role=None), version)
    result = compare_models(pairs, read_outcomes(engine))
    result["versions"] = sorted(pairs["challenger_version"].dropna().unique().tolist()) if len(pairs) else []
    return result


def format_comparison(r: dict) -> str:
    if not r["n"]:
        return "challenger: no shadow record in the prediction log (run the service with CHALLENGER_BUNDLE first)"
    lines = [f"challenger {', '.join(r['versions'])}: {r['n']:,} requests scored by both; "
             f"same decision {100 * r['agreement']:.1f}%, mean |score difference| {r['mean_abs_score_diff']:.2f} points"]
    for f in r["flips"]:
        to = ", ".join(f"{n:,} to {k}" for k, n in f["to"].items()) or "none"
        lines.append(f"  champion {BAND_WORDS[f['band']]:<22} {f['n']:>7,} requests, {f['flipped']:>6,} would flip ({to})")
    o = r["outcomes"]
    if o:
        def fmt(v):
            return "-" if v is None else f"{v:.3f}"
        lines.append(f"  on {o['n']:,} clients with a known outcome: AUC champion {fmt(o['champion']['auc'])}, "
                     f"challenger {fmt(o['challenger']['auc'])}; cost per client champion {fmt(o['champion']['cost'])}, "
                     f"challenger {fmt(o['challenger']['cost'])}")
    else:
        lines.append("  no outcome known yet for these clients: realised AUC and cost not available")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reports.challenger", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", help="challenger model version (default: every challenger in the log)")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE)
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("--json", type=Path)
    a = p.parse_args(argv)
    from sqlalchemy.exc import SQLAlchemyError

    try:
        result = comparison(engine_for(a.database_url), a.version, a.since, a.until)
    except (DatabaseInputError, SQLAlchemyError) as exc:
        print(f"challenger: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    print(format_comparison(result))
    if a.json:
        a.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
