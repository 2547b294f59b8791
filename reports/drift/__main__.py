"""``python -m reports.drift``: the drift report's command line (:func:`reports.drift.cli.main`)."""

from __future__ import annotations

import sys

from reports.drift.cli import main

if __name__ == "__main__":
    sys.exit(main())
