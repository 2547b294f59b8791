"""``python -m training.promote VERSION``: make a trained bundle the champion, after a check.

Shows, for the candidate and the current champion, the honest cross-validated estimate
(AUC and business cost with thresholds chosen inside the folds, :mod:`training.honest`),
and the shadow comparison on production requests when the candidate ran as challenger
(:mod:`reports.challenger`); then asks to confirm by typing the version (``--yes`` skips the
question). On confirmation: the MLflow alias ``champion`` moves to the candidate's registered
model version, and the models root's ``CURRENT`` pointer names the candidate (the service
loads it at its next start); a ``CHALLENGER`` pointer naming it is removed.

Usage::

    python -m training.promote VERSION [--models models] [--database-url URL] [--tracking-uri URI] [--yes]
    python -m training.promote VERSION --challenger     # run VERSION in shadow first (alias "challenger")

``--challenger`` only points the MLflow alias ``challenger`` and the models root's ``CHALLENGER``
pointer at the version: the service scores it in shadow from its next start
(:mod:`model_service.shadow`), so the comparison exists when the promotion is decided.

Exit status: 0 promoted; 1 not confirmed; 2 bad input (unknown version, unreadable bundle, already champion).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scoring.bundle import CURRENT_POINTER, BundleError, load_bundle

REPO_ROOT = Path(__file__).resolve().parents[1]
CHALLENGER_POINTER = "CHALLENGER"  # the name model_service/shadow.py reads
CHALLENGER_ALIAS = "challenger"
EXIT_OK, EXIT_DECLINED, EXIT_INPUT = 0, 1, 2


def honest_line(metadata: dict) -> str:
    m = metadata.get("metrics") or {}
    if m.get("honest_auc") is None:
        return "no honest estimate in this bundle (trained before nested cross-validation): CV AUC " + (
            f"{m['cv_auc']:.3f} ± {m.get('cv_auc_std', 0):.3f}" if m.get("cv_auc") is not None else "unknown")
    return (f"honest AUC {m['honest_auc']:.3f} ± {m.get('honest_auc_std', 0):.3f}, business cost per client "
            f"{m['honest_business_cost']:.3f} ± {m.get('honest_business_cost_std', 0):.3f}")


def write_pointer(root: Path, name: str, version: str) -> None:
    tmp = root / f".{name}.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, root / name)


def move_alias(metadata: dict, tracking_uri: str | None, alias: str | None = None) -> str:
    """Point MLflow's ``champion`` (or ``alias``) alias at the bundle's registered model version;
    a sentence saying what was done."""
    info = metadata.get("mlflow") or {}
    version = info.get("model_version")
    if version is None:
        return "MLflow: the bundle names no registered model version; alias left unchanged"
    from training import tracking

    try:
        tracking.setup(tracking_uri or info.get("tracking_uri"))
        from mlflow import MlflowClient

        alias = alias or tracking.ALIAS
        MlflowClient().set_registered_model_alias(info.get("registered_model") or tracking.REGISTERED_MODEL,
                                                  alias, str(version))
    except Exception as exc:  # noqa: BLE001 - the registry is optional: the bundle pointer is what the service loads
        return f"MLflow: alias not moved ({str(exc).splitlines()[0][:160]})"
    return f"MLflow: alias {alias} -> {info.get('registered_model') or tracking.REGISTERED_MODEL} version {version}"


def shadow_text(database_url: str | None, version: str) -> str:
    if not database_url:
        return "shadow comparison: no database given (DATABASE_URL or --database-url)"
    from reports.challenger import comparison, format_comparison
    from reports.production_db import engine_for

    try:
        return format_comparison(comparison(engine_for(database_url), version))
    except Exception as exc:  # noqa: BLE001 - shown, the decision stays the operator's
        return f"shadow comparison unavailable: {str(exc).splitlines()[0][:200]}"


def main(argv: list[str] | None = None, stdin=None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.promote", description=__doc__.split("\n\n")[0])
    p.add_argument("version", help="bundle version (a directory of the models root)")
    p.add_argument("--models", type=Path, default=Path(os.environ.get("MODEL_BUNDLE") or REPO_ROOT / "models"))
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument("--tracking-uri", default=os.environ.get("MLFLOW_TRACKING_URI"))
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--challenger", action="store_true", help="run VERSION in shadow (alias challenger), no promotion")
    a = p.parse_args(argv)
    root: Path = a.models
    if not (root / a.version).is_dir():
        print(f"promote: error: no bundle {a.version} under {root}", file=sys.stderr)
        return EXIT_INPUT
    try:
        candidate = load_bundle(root / a.version)
        candidate.model  # noqa: B018 - the model must load, not only the metadata
    except BundleError as exc:
        print(f"promote: error: bundle {a.version} cannot be used: {exc}", file=sys.stderr)
        return EXIT_INPUT
    current = (root / CURRENT_POINTER).read_text().strip() if (root / CURRENT_POINTER).exists() else None
    if current == a.version:
        print(f"promote: error: {a.version} is already the champion", file=sys.stderr)
        return EXIT_INPUT
    print(f"candidate {a.version}: {honest_line(candidate.metadata)}")
    if a.challenger:
        print(move_alias(candidate.metadata, a.tracking_uri, alias=CHALLENGER_ALIAS))
        write_pointer(root, CHALLENGER_POINTER, a.version)
        print(f"challenger pointer: {root / CHALLENGER_POINTER} -> {a.version} "
              f"(scored in shadow from the service's next start)")
        return EXIT_OK
    if current:
        try:
            print(f"champion  {current}: {honest_line(load_bundle(root / current, load_model=False).metadata)}")
        except BundleError as exc:
            print(f"champion  {current}: unreadable ({exc})")
    print(shadow_text(a.database_url, a.version))
    if not a.yes:
        stream = stdin or sys.stdin
        print(f"Type {a.version} to make it the champion: ", end="", flush=True)
        if stream.readline().strip() != a.version:
            print("not confirmed: nothing changed")
            return EXIT_DECLINED
    print(move_alias(candidate.metadata, a.tracking_uri))
    write_pointer(root, CURRENT_POINTER, a.version)
    challenger = root / CHALLENGER_POINTER
    if challenger.exists() and challenger.read_text().strip() == a.version:
        challenger.unlink()
    print(f"bundle pointer: {root / CURRENT_POINTER} -> {a.version} (the service loads it at its next start)")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
