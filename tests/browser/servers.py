"""Start the real scoring service and the dashboard as gunicorn subprocesses (browser tests, bench).

Both listen on free loopback ports; logs go to files in the given work folder so
a failing start can be diagnosed (the exception quotes the log's tail).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    log: Path

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _start(name: str, args: list[str], env: dict, workdir: Path, port: int, ready_path: str,
           timeout: float = 120.0) -> Server:
    log = workdir / f"{name}.log"
    handle = log.open("w")
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **env}
    process = subprocess.Popen([GUNICORN, *args, "-b", f"127.0.0.1:{port}"], cwd=REPO, env=full_env,
                               stdout=handle, stderr=subprocess.STDOUT)
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{server.tail()}")
        try:
            if requests.get(server.url + ready_path, timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"{name} not ready after {timeout:.0f} s:\n{server.tail()}")


def start_service(bundle: Path, workdir: Path, api_key: str = "testkey", port: int | None = None,
                  drift_summary: Path | None = None) -> Server:
    env = {
        "API_KEYS": api_key,
        "MODEL_BUNDLE": str(bundle),
        "DATABASE_URL": f"sqlite:///{workdir / 'decisions.db'}",
        "PREDICTION_LOG": str(workdir / "predictions.jsonl"),
        "DRIFT_SUMMARY": str(drift_summary or workdir / "drift_summary.json"),  # absent until a test writes it
    }
    return _start("service", ["--preload", "-w", "2", "--threads", "4", "-k", "gthread", "--timeout", "120",
                              "model_service.wsgi:app"], env, workdir, port or free_port(), "/health")


def make_users_file(path: Path, name: str, password: str) -> Path:
    """Create the users file with the project's own command (as an operator would)."""
    subprocess.run([sys.executable, "-m", "dash_app.users", "--file", str(path), "add", name, "--password-stdin"],
                   input=password + "\n", text=True, check=True, cwd=REPO, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    return path


def start_dashboard(service_url: str, users_file: Path, workdir: Path, api_key: str = "testkey",
                    port: int | None = None, name: str = "dashboard", timeout_s: float = 8.0) -> Server:
    env = {
        "SERVICE_URL": service_url,
        "SERVICE_API_KEY": api_key,
        "SECRET_KEY": "browser-test-secret-" + name,
        "DASHBOARD_USERS_FILE": str(users_file),
        "SERVICE_TIMEOUT": str(timeout_s),
    }
    return _start(name, ["--preload", "-w", "2", "--threads", "8", "-k", "gthread", "--timeout", "60",
                         "dash_app.wsgi:server"], env, workdir, port or free_port(), "/healthz")


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def login(page, base_url: str, user: str, password: str, next_path: str = "/") -> None:
    page.goto(f"{base_url}/login?next={next_path}")
    page.get_by_label("Identifiant").fill(user)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/login" not in url)


WAIT_IDLE_JS = """() => {
  const content = document.getElementById('_pages_content');
  if (!content || content.children.length === 0) return false;
  if (document.querySelector('[data-dash-is-loading="true"]')) return false;
  if (document.querySelector('._dash-loading, .dash-spinner')) return false;
  for (const g of document.querySelectorAll('.dash-graph')) { if (!g.querySelector('.main-svg')) return false; }
  return true;
}"""


def wait_idle(page, timeout: float = 20_000, settle_ms: int = 300) -> None:
    """Wait until Dash has rendered the page and no callback is pending."""
    page.wait_for_function(WAIT_IDLE_JS, timeout=timeout)
    page.wait_for_timeout(settle_ms)
    page.wait_for_function(WAIT_IDLE_JS, timeout=timeout)
