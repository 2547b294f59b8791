"""Observed loan outcomes into the service database: ``python -m reports.outcomes load FILE.csv``.

The CSV has a header and the columns ``client_id`` (SK_ID_CURR), ``defaulted`` (1/0, true/false,
yes/no) and ``observed_on`` (YYYY-MM-DD); other columns are ignored. Every row is checked with the
API's own rules (``scoring.contract_decisions.OutcomeIn``) before anything is written: one bad row
and nothing is stored, and every problem is listed with its line number. The database is
``--database-url``, else ``DATABASE_URL``, else the embedded ``var/decisions.db``; it is migrated
first. Loading the same file twice adds nothing (a client and date already recorded is updated
only when its value changed). Exit status: 0 stored, 2 bad input, 3 database unavailable.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from scoring.contract_decisions import OutcomeIn

TRUE = {"1", "true", "yes", "y", "oui"}
FALSE = {"0", "false", "no", "n", "non"}
REQUIRED = ("client_id", "defaulted", "observed_on")


class OutcomeFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_csv(path: Path) -> list[OutcomeIn]:
    """Every row validated; :class:`OutcomeFileError` lists each problem (``line N: ...``)."""
    try:
        handle = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise OutcomeFileError([f"{path}: cannot be read ({exc.strerror})"]) from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise OutcomeFileError([f"{path}: missing column(s) {', '.join(missing)} "
                                    f"(the header must name {', '.join(REQUIRED)})"])
        rows, problems = [], []
        for line, raw in enumerate(reader, start=2):
            flag = (raw.get("defaulted") or "").strip().lower()
            if flag not in TRUE | FALSE:
                problems.append(f"line {line}: defaulted must be 1/0, true/false or yes/no, got {raw.get('defaulted')!r}")
                continue
            try:
                text = (raw.get("client_id") or "").strip()  # the model takes a JSON integer, not text
                rows.append(OutcomeIn(client_id=int(text) if text.isdigit() else text, defaulted=flag in TRUE,
                                      observed_on=(raw.get("observed_on") or "").strip()))
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    field = ".".join(str(p) for p in err["loc"])
                    problems.append(f"line {line}: {field}: {err['msg']} (got {raw.get(field)!r})")
    if problems:
        raise OutcomeFileError(problems)
    if not rows:
        raise OutcomeFileError([f"{path}: no outcome rows"])
    return rows


def load(path: Path, database_url: str) -> dict[str, int]:
    from model_service.outcomes import record
    from model_service.storage.database import Database

    rows = read_csv(path)
    db = Database(database_url, create_parent=True)
    return record(db, [(r.client_id, r.defaulted, r.observed_on) for r in rows], source=f"csv:{path.name}")


def main(argv: list[str] | None = None) -> int:
    from model_service.config import DEFAULT_DATABASE
    from model_service.storage.database import DatabaseUnavailable

    parser = argparse.ArgumentParser(prog="python -m reports.outcomes", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    loader = sub.add_parser("load", help="record the outcomes of a CSV file")
    loader.add_argument("file", type=Path)
    loader.add_argument("--database-url", default=None)
    opts = parser.parse_args(argv)
    url = opts.database_url or os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{DEFAULT_DATABASE}"
    try:
        counts = load(opts.file, url)
    except OutcomeFileError as exc:
        print(f"nothing stored, {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems[:50]:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        print(f"database unavailable: {exc}", file=sys.stderr)
        return 3
    print(f"{opts.file.name}: {counts['received']} row(s): {counts['inserted']} new, {counts['updated']} updated, "
          f"{counts['unchanged']} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
