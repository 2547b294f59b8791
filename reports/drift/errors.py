"""The error of the drift report for bad or empty input (the CLI exits with status 2).
"""

from __future__ import annotations

from pathlib import Path


class DriftInputError(Exception):
    """Bad or empty input; ``file`` names the culprit. The CLI exits with status 2."""

    def __init__(self, message: str, file: str | Path | None = None):
        super().__init__(message)
        self.file = str(file) if file is not None else None
