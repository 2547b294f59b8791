"""Start-up: a missing or corrupt bundle stops the service with a message naming the file; a real
gunicorn (--preload) serves the app and stops cleanly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from model_service import create_app
from scoring.bundle import BundleError
from tests.integration.service_support import API_KEY, bundle_dir, service_config

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bundle_copy(fast_bundle, tmp_path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(bundle_dir(fast_bundle), target)
    return target


def start(bundle: Path, tmp: Path):
    return create_app(service_config(bundle, tmp))


def test_missing_bundle_names_the_directory(tmp_path):
    with pytest.raises(BundleError) as err:
        start(tmp_path / "no-such-bundle", tmp_path)
    assert "no-such-bundle" in str(err.value) and err.value.file.endswith("no-such-bundle")


@pytest.mark.parametrize("name", ["model.cbm", "store/ids.npy", "store/info.parquet", "calibration.json"])
def test_missing_file_is_named(bundle_copy, tmp_path, name):
    (bundle_copy / name).unlink()
    with pytest.raises(BundleError) as err:
        start(bundle_copy, tmp_path)
    assert err.value.file.endswith(name) and name in str(err.value)


@pytest.mark.parametrize("name", ["model.cbm", "metadata.json", "calibration.json", "store/features.npy",
                                  "store/info.parquet"])
def test_corrupt_file_is_named(bundle_copy, tmp_path, name):
    (bundle_copy / name).write_bytes(b"\x00garbage, not what you expect\xff" * 3)
    with pytest.raises(BundleError) as err:
        start(bundle_copy, tmp_path)
    assert err.value.file.endswith(name), (err.value.file, str(err.value))


def test_metadata_lacking_a_key_is_reported(bundle_copy, tmp_path):
    meta = json.loads((bundle_copy / "metadata.json").read_text())
    del meta["threshold"]
    (bundle_copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="threshold"):
        start(bundle_copy, tmp_path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(bundle: Path, tmp: Path, port: int, worker_class: str = "sync") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MODEL_BUNDLE": str(bundle), "API_KEYS": API_KEY,
           "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}", "PREDICTION_LOG": str(tmp / "predictions.jsonl"),
           "DRIFT_SUMMARY": str(tmp / "drift.json")}
    command = [str(Path(sys.executable).parent / "gunicorn"), "--preload", "--workers", "2",
               "--worker-class", worker_class, "-b", f"127.0.0.1:{port}", "model_service.wsgi:app"]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("worker_class", ["sync", "gthread"])
def test_gunicorn_serves_and_stops(onehot_bundle, tmp_path, worker_class):
    """On a one-hot model (as shipped), so the master also builds the leaf table of SHAP values."""
    port = free_port()
    process = gunicorn(onehot_bundle, tmp_path, port, worker_class)
    try:
        health = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    health = json.loads(response.read())
                    break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stdout.read().decode()
                time.sleep(0.25)
        assert health is not None and health["status"] == "ok"
        clients = urllib.request.Request(f"http://127.0.0.1:{port}/clients?per_page=1", headers={"X-API-Key": API_KEY})
        with urllib.request.urlopen(clients, timeout=5) as response:
            cid = json.loads(response.read())["items"][0]["id"]
        score = urllib.request.Request(f"http://127.0.0.1:{port}/clients/{cid}/score", headers={"X-API-Key": API_KEY})
        with urllib.request.urlopen(score, timeout=5) as response:
            assert json.loads(response.read())["id"] == cid
        for what in ("explanation", "counterfactual"):
            url = f"http://127.0.0.1:{port}/clients/{cid}/{what}"
            with urllib.request.urlopen(urllib.request.Request(url, headers={"X-API-Key": API_KEY}), timeout=30) as r:
                assert json.loads(r.read())["id"] == cid
        batch = urllib.request.Request(f"http://127.0.0.1:{port}/predict/batch", data=json.dumps({"ids": [cid]}).encode(),
                                       headers={"X-API-Key": API_KEY, "Content-Type": "application/json"})
        with urllib.request.urlopen(batch, timeout=10) as response:  # multi-threaded CatBoost call in a worker
            assert json.loads(response.read())["results"][0]["id"] == cid
        application = {"AMT_CREDIT": 500000.0, "AMT_ANNUITY": 25000.0, "DAYS_BIRTH": -12000}
        history = {"bureau": [{"SK_ID_BUREAU": 1, "CREDIT_ACTIVE": "Active", "AMT_CREDIT_SUM": 1000.0}]}
        new = urllib.request.Request(f"http://127.0.0.1:{port}/predict", headers={
            "X-API-Key": API_KEY, "Content-Type": "application/json"},
            data=json.dumps({"application": application, "history": history}).encode())
        with urllib.request.urlopen(new, timeout=30) as response:  # DuckDB aggregates in a worker
            assert 0 <= json.loads(response.read())["probability"] <= 1
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/model", timeout=5)
        assert err.value.code == 401 and json.loads(err.value.read())["error"]
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 0, output
    # workers exit cleanly (no CatBoost/C++ thread created before the fork may break their exit)
    assert "SIGABRT" not in output and "SIGSEGV" not in output and "uncaught exception" not in output, output
    # the leaf table of SHAP values was built (in a separate process: a SHAP computation in the master breaks them)
    assert "explanations use a leaf table" in output, output
    logged = [json.loads(line) for line in (tmp_path / "predictions.jsonl").read_text().splitlines()]
    assert [line.get("id") for line in logged] == [cid, cid, None]  # flushed at worker exit; one record per batch row


def test_gunicorn_refuses_a_missing_bundle(tmp_path):
    process = gunicorn(tmp_path / "nothing-here", tmp_path, free_port())
    output = process.communicate(timeout=120)[0].decode()
    assert process.returncode != 0
    assert "nothing-here" in output and "cannot start" in output
