"""The release-artifact path of docs/deploy.md, on a Kaggle-size bundle (356,255 clients).

The workflow's own shell steps (read from ``.github/workflows/ci.yml``, not copied) run on a fresh clone:
the ``bundle`` job's "ship only the current version" lines on ``models/``, then the ``deploy`` job's
"Assemble the service slug source" step. The assembled tree is started the way Heroku starts it
(``bin/web``, ``APP_ROLE=service``, bundle from ``models/``): it must serve the Kaggle-size bundle with
every gunicorn worker within the memory goal (RSS <= 400 MB).
The bundle is the fast bundle's model with its client store tiled to Kaggle size (``bench/service.py``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import numpy as np
import psutil
import pytest
import yaml

from bench.load import Gunicorn, get_json
from bench.service import FIRST_ID, KAGGLE_CLIENTS, build_big_bundle

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
WORKER_RSS_GOAL_MB = 400


def _workflow_step(job: str, name_start: str) -> str:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    return next(s["run"] for s in workflow["jobs"][job]["steps"] if s.get("name", "").startswith(name_start))


def _ship_current_only() -> str:
    """The bundle job's lines after training: read CURRENT, check it, delete every other version."""
    lines = _workflow_step("bundle", "Train").splitlines()
    kept = [ln for ln in lines if not any(s in ln for s in ("python -m training", "export ", "GITHUB_OUTPUT"))]
    assert any("find models" in ln for ln in kept) and any("models/CURRENT" in ln for ln in kept)
    return "set -euo pipefail\n" + "\n".join(kept)


class StagedService(Gunicorn):
    """``bin/web`` of the assembled tree (its code, its ``models/``), as the dyno runs it."""

    def __init__(self, stage: Path, env: dict[str, str], **kwargs):
        super().__init__("service", env, **kwargs)
        self.stage = stage
        self.env["PYTHONPATH"] = str(stage)
        self.env.pop("MODEL_BUNDLE", None)  # bin/web's default: $PWD/models

    def start(self, timeout: float = 240.0, wait: bool = True):
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([str(self.stage / "bin" / "web")], cwd=self.stage, env=self.env,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            self.wait_ready(timeout)
        return self


@pytest.fixture(scope="module")
def stage(fast_bundle, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deploy-kaggle")
    big = build_big_bundle(Path(fast_bundle), KAGGLE_CLIENTS, tmp / "cache")
    version = __import__("json").loads((big / "metadata.json").read_text())["version"]
    checkout = tmp / "checkout"
    subprocess.run(["git", "clone", "-q", "--shared", str(REPO), str(checkout)], check=True)
    models = checkout / "models"
    models.mkdir()
    os.replace(big, models / version)
    (models / "older-version").mkdir()  # a previous run's bundle: must not ship
    (models / "CURRENT").write_text(version + "\n")
    subprocess.run(["bash", "-c", _ship_current_only()], cwd=checkout, check=True, capture_output=True)
    assert {p.name for p in models.iterdir()} == {"CURRENT", version}

    runner = tmp / "runner"
    runner.mkdir()
    env = {**os.environ, "ROLE": "service", "MODEL_VERSION": version, "RUNNER_TEMP": str(runner),
           "GITHUB_ENV": str(runner / "github_env")}
    subprocess.run(["bash", "-euo", "pipefail", "-c", _workflow_step("deploy", "Assemble")], cwd=checkout, env=env,
                   check=True, capture_output=True)
    staged = runner / "slug-service"
    assert (runner / "github_env").read_text().strip() == f"STAGE={staged}"
    shutil.rmtree(checkout)
    return staged, version, tmp


def test_the_assembled_tree_ships_the_kaggle_size_bundle_and_nothing_of_the_build(stage):
    staged, version, _ = stage
    assert (staged / "models" / "CURRENT").read_text().strip() == version
    ids = np.load(staged / "models" / version / "store" / "ids.npy", mmap_mode="r")
    assert len(ids) == KAGGLE_CLIENTS
    for absent in ("tests", "bench", "docs", "scripts", ".github", "package.json"):
        assert not (staged / absent).exists(), absent
    assert (staged / "requirements.txt").read_text() == (REPO / "requirements" / "service.txt").read_text()


def test_the_assembled_service_serves_it_within_the_worker_memory_goal(stage):
    staged, version, tmp = stage
    key = "kaggle-" + secrets.token_hex(8)
    env = {"API_KEYS": key, "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}", "PREDICTION_LOG": "off"}
    with StagedService(staged, env, workers=2, log_dir=tmp).start() as server:
        status, health = get_json(server.port, "/health")
        assert status == 200 and health["status"] == "ok" and health["model_version"] == version, health
        assert health["clients"] == KAGGLE_CLIENTS
        last = FIRST_ID + KAGGLE_CLIENTS - 1  # the store's last client: the whole store is served
        for client in (FIRST_ID, last):
            status, body = get_json(server.port, f"/clients/{client}/score", api_key=key)
            assert status == 200 and 0 <= body["probability"] <= 1, body
        status, _ = get_json(server.port, f"/clients/{last + 1}/score", api_key=key)
        assert status == 404
        master = psutil.Process(server.proc.pid)
        workers = [p for p in master.children(recursive=True) if "gunicorn" in " ".join(p.cmdline())]
        assert len(workers) == 2
        rss = [p.memory_info().rss / 2**20 for p in workers]
        print(f"Kaggle-size bundle, worker RSS {[round(r) for r in rss]} MB")
        assert max(rss) <= WORKER_RSS_GOAL_MB, f"worker RSS {rss} MB"
