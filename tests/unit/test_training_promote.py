"""training.promote: the check is shown, confirmation is required, then the pointer moves (real bundles)."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from scoring.bundle import resolve
from training import promote


@pytest.fixture
def models(fast_bundle, tmp_path):
    src = resolve(fast_bundle)
    root = tmp_path / "models"
    root.mkdir()
    shutil.copytree(src, root / src.name)
    meta = json.loads((src / "metadata.json").read_text())
    meta["version"] = "candidate-2"
    meta.setdefault("metrics", {}).update({"honest_auc": 0.731, "honest_auc_std": 0.012,
                                           "honest_business_cost": 0.55, "honest_business_cost_std": 0.02})
    meta["mlflow"] = {**(meta.get("mlflow") or {}), "tracking_uri": f"sqlite:///{tmp_path / 'none.db'}"}
    shutil.copytree(src, root / "candidate-2")
    (root / "candidate-2" / "metadata.json").write_text(json.dumps(meta))
    (root / "CURRENT").write_text(src.name + "\n")
    (root / "CHALLENGER").write_text("candidate-2\n")
    return root, src.name


def test_promotion_needs_the_typed_version(models, capsys, tmp_path):
    root, champion = models
    args = ["candidate-2", "--models", str(root), "--tracking-uri", f"sqlite:///{tmp_path / 'mlflow.db'}"]
    assert promote.main(args, stdin=io.StringIO("yes\n")) == promote.EXIT_DECLINED
    out = capsys.readouterr().out
    assert "honest AUC 0.731 ± 0.012" in out and "business cost per client 0.550" in out
    assert "shadow comparison" in out
    assert (root / "CURRENT").read_text().strip() == champion  # nothing changed
    assert promote.main(args, stdin=io.StringIO("candidate-2\n")) == promote.EXIT_OK
    assert (root / "CURRENT").read_text().strip() == "candidate-2"
    assert not (root / "CHALLENGER").exists()
    assert promote.main(args + ["--yes"]) == promote.EXIT_INPUT  # already the champion


def test_unknown_or_broken_bundles_are_refused(models, capsys):
    root, _ = models
    assert promote.main(["nope", "--models", str(root), "--yes"]) == promote.EXIT_INPUT
    (root / "candidate-2" / "model.cbm").write_bytes(b"broken")
    assert promote.main(["candidate-2", "--models", str(root), "--yes"]) == promote.EXIT_INPUT
    assert "cannot be used" in capsys.readouterr().err


def test_challenger_only_points_the_shadow_at_the_version(models):
    root, champion = models
    (root / "CHALLENGER").unlink()
    assert promote.main(["candidate-2", "--models", str(root), "--challenger"]) == promote.EXIT_OK
    assert (root / "CHALLENGER").read_text().strip() == "candidate-2"
    assert (root / "CURRENT").read_text().strip() == champion
    from model_service.shadow import challenger_path

    assert challenger_path("", root) == root / "candidate-2"
