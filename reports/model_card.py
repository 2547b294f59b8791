"""Write the model card of a trained bundle (Markdown).

    python -m reports.model_card [--bundle PATH] [--out reports/model_card.md]
                                 [--drift reports/drift_summary.json] [--lang en|fr]

This module only reads the inputs (the bundle's ``metadata.json``, ``extras/fairness.json``
and store outcomes, and the drift summary written by ``python -m reports.drift``); the card
itself is rendered by :func:`scoring.model_card.render`, the renderer the scoring service
serves at ``GET /model/card``, so both give the same text for the same bundle, drift
summary and language.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from scoring.bundle import BundleError, resolve
from scoring.model_card import render
from scoring.model_card_text import LANGS

DEFAULT_OUT = Path("reports") / "model_card.md"
DEFAULT_BUNDLE = Path(__file__).resolve().parent.parent / "models"
DEFAULT_DRIFT = Path("reports") / "drift_summary.json"


def load_inputs(bundle: Path, drift_path: Path | None) -> tuple[dict, object, dict | None, np.ndarray | None]:
    """(metadata, fairness or None, drift summary or None, store outcomes or None) of a bundle."""
    bundle_dir = resolve(bundle)
    meta_path = bundle_dir / "metadata.json"
    if not meta_path.exists():
        raise FileNotFoundError(f"{meta_path} does not exist (train a bundle with `python -m training`)")
    metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    fairness_path = bundle_dir / "extras" / "fairness.json"
    fairness = json.loads(fairness_path.read_text(encoding="utf-8")) if fairness_path.exists() else None
    target_path = bundle_dir / "store" / "target.npy"
    target = np.load(target_path, mmap_mode="r") if target_path.exists() else None
    drift = None
    if drift_path is not None and drift_path.exists():
        drift = json.loads(drift_path.read_text(encoding="utf-8"))
    return metadata, fairness, drift, target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reports.model_card", description="Write the model card (Markdown).")
    p.add_argument("--bundle", type=Path,
                   default=Path(os.environ.get("MODEL_BUNDLE", "").strip() or DEFAULT_BUNDLE),
                   help="bundle directory or models root (default MODEL_BUNDLE, else models/)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output Markdown file")
    p.add_argument("--drift", type=Path,
                   default=Path(os.environ.get("DRIFT_SUMMARY", "").strip() or DEFAULT_DRIFT),
                   help="drift summary JSON (default DRIFT_SUMMARY, else reports/drift_summary.json)")
    p.add_argument("--lang", choices=LANGS, default="en", help="language of the card (default en)")
    a = p.parse_args(argv)
    try:
        metadata, fairness, drift, target = load_inputs(a.bundle, a.drift)
        text = render(metadata, fairness, drift, lang=a.lang, target=target)
    except (OSError, ValueError, BundleError) as exc:  # ValueError: bad JSON or text, corrupt target.npy, metadata
        print(f"model_card: error: {exc}", file=sys.stderr)  # that is no BundleMetadata (MetadataError)
        return 2
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text, encoding="utf-8")
    print(f"model card: {a.out} (model {metadata.get('version')}, {a.lang}; drift summary "
          f"{'included' if drift else 'absent'}; fairness {'included' if fairness else 'absent'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
