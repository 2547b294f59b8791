"""Heroku fit of each app: installed size (slug limit 500 MB) and memory under load (dyno 512 MB).

    PYTHONPATH=. .venv/bin/python bench/slug.py [--roles service dashboard union] [--fresh]
                                                [--bundle models] [--requests 4000] [--json out.json]

For each role, a fresh virtual environment in /tmp/slug-<role> gets exactly what Heroku would
install for that app (``requirements/service.txt``, ``requirements/dashboard.txt``; ``union`` is the
root ``requirements.txt`` = both, what a plain ``git push heroku main`` installs). Reported:

- site-packages: installed size (MB, apparent bytes) and gzip-compressed size (a slug is a
  compressed tarball: Heroku's 500 MB limit applies to that), largest distributions;
- the app source that would be pushed, and, for the service, the model bundle (current version);
- a slug estimate = compressed(site-packages + app source + bundle) + the Python runtime;
- memory of the gunicorn process tree (``bin/web``, ``WEB_CONCURRENCY=2``, ``--preload``), started
  from that venv (so a missing dependency shows up as a failed boot), idle and under a bounded
  loopback load (8 concurrent clients): sum of RSS (counts shared pages once per process, an upper
  bound) and sum of PSS (shares them out: what the dyno's memory cgroup actually holds, roughly).

Nothing leaves the machine: venvs are built with pip from the package registry, servers listen on
127.0.0.1 only, and every load loop is bounded in requests and time.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.load import LOOPBACK, Gunicorn, get_json, run_load, service_mix  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MB = 1_000_000
SLUG_LIMIT_MB = 500
DYNO_MB = 512
ROLE_REQUIREMENTS = {
    "service": REPO / "requirements" / "service.txt",
    "dashboard": REPO / "requirements" / "dashboard.txt",
    "union": REPO / "requirements.txt",
}
# What the deploy job removes from the pushed tree (see .github/workflows/ci.yml).
NOT_DEPLOYED = ("tests", "bench", "docs", "scripts", ".github", ".ci", "package.json", "package-lock.json",
                ".gitignore", "models", "node_modules")


# ------------------------------------------------------------------------------------------ sizes

def tree_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            p = Path(root, name)
            if not p.is_symlink():
                total += p.stat().st_size
    return total


class _Counter:
    def __init__(self):
        self.n = 0

    def write(self, data) -> int:
        self.n += len(data)
        return len(data)

    def flush(self):
        pass


def compressed_size(paths: list[tuple[Path, str]]) -> int:
    """Bytes of a .tar.gz (level 6, as a slug) of the given (path, arcname) entries, not written to disk."""
    sink = _Counter()
    with gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=6) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for path, arcname in paths:
            if path.exists():
                tar.add(str(path), arcname=arcname)
    return sink.n


def app_source() -> list[Path]:
    """Tracked files the deploy pushes (git ls-files minus what the deploy job removes)."""
    try:
        out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
        files = [REPO / line for line in out.splitlines() if line]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in REPO.rglob("*") if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts]
    # Untracked packages still being written count too (their .py files).
    for pkg in ("scoring", "training", "model_service", "dash_app"):
        files += [p for p in (REPO / pkg).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    keep = []
    for f in dict.fromkeys(files):
        rel = f.relative_to(REPO)
        if rel.parts[0] in NOT_DEPLOYED or not f.is_file():
            continue
        keep.append(f)
    return keep


def current_bundle(path: Path) -> Path | None:
    pointer = path / "CURRENT"
    if pointer.exists():
        return path / pointer.read_text().strip()
    return path if (path / "metadata.json").exists() else None


def distributions(site: Path, top: int = 8) -> list[tuple[str, float]]:
    """Largest installed top-level directories of site-packages (MB)."""
    sizes = []
    for child in site.iterdir():
        if child.is_dir() and not child.name.endswith((".dist-info", ".egg-info")) and child.name != "__pycache__":
            sizes.append((child.name, tree_size(child) / MB))
    return [(n, round(s, 1)) for n, s in sorted(sizes, key=lambda x: -x[1])[:top]]


def runtime_size() -> tuple[float, float]:
    """The Python runtime a slug carries (stdlib + interpreter), MB installed and compressed."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    skip = ("site-packages", "test", "idlelib", "tkinter", "ensurepip", "turtledemo")
    entries = [(p, p.name) for p in stdlib.iterdir() if p.name not in skip and not p.name.startswith("config-")]
    installed = sum(tree_size(p) if p.is_dir() else p.stat().st_size for p, _ in entries)
    return installed / MB, compressed_size(entries) / MB


# ------------------------------------------------------------------------------------------ venvs

def build_venv(role: str, fresh: bool, python: str) -> Path:
    req = ROLE_REQUIREMENTS[role]
    digest = hashlib.sha256()
    for f in sorted((REPO / "requirements").glob("*.txt")) + [REPO / "requirements.txt"]:
        digest.update(f.read_bytes())
    venv = Path(tempfile.gettempdir()) / f"slug-{role}"
    stamp = venv / f".stamp-{digest.hexdigest()[:12]}"
    if stamp.exists() and not fresh:
        return venv
    if venv.exists():
        subprocess.run(["rm", "-rf", str(venv)], check=True)
    print(f"[{role}] creating {venv} and installing {req.relative_to(REPO)} ...", flush=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    # pip compiles .pyc files, as on Heroku: they are part of the slug.
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-r", str(req)], check=True, cwd=REPO)
    stamp.touch()
    return venv


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


# ------------------------------------------------------------------------------------------ memory

class MemorySampler(threading.Thread):
    """Samples RSS and PSS sums of a gunicorn process tree every ``interval`` seconds."""

    def __init__(self, server: Gunicorn, interval: float = 0.25):
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.stop_event = threading.Event()
        self.peak_rss = self.peak_pss = 0.0
        self.last_rss = self.last_pss = 0.0
        self.processes = 0

    def sample(self) -> tuple[float, float, int]:
        import psutil

        rss = pss = 0
        pids = self.server.pids()
        for pid in pids:
            try:
                info = psutil.Process(pid).memory_full_info()
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return rss / MB, pss / MB, len(pids)

    def run(self) -> None:
        while not self.stop_event.is_set():
            rss, pss, n = self.sample()
            self.last_rss, self.last_pss = rss, pss
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.processes = max(self.processes, n)
            self.stop_event.wait(self.interval)

    def stop(self) -> None:
        self.stop_event.set()
        self.join(5)


def service_env(bundle: Path, tmp: Path, key: str) -> dict[str, str]:
    return {"MODEL_BUNDLE": str(bundle), "API_KEYS": key, "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}",
            "PREDICTION_LOG": str(tmp / "predictions.jsonl"), "RATE_LIMIT": "100000000 per minute"}


def measure_service(venv: Path, bundle: Path, requests: int, tmp: Path) -> dict:
    key = "slug-" + os.urandom(6).hex()
    with Gunicorn("service", service_env(bundle, tmp, key), workers=2, venv=venv, log_dir=tmp) as server:
        idle = MemorySampler(server).sample()
        sampler = MemorySampler(server)
        sampler.start()
        try:
            result = run_load(server.port, service_mix(server.port, key), total=requests, concurrency=8,
                              headers={"X-API-Key": key}, max_seconds=300)
        finally:
            sampler.stop()
    return {"idle_rss_mb": round(idle[0], 1), "idle_pss_mb": round(idle[1], 1),
            "peak_rss_mb": round(sampler.peak_rss, 1), "peak_pss_mb": round(sampler.peak_pss, 1),
            "processes": sampler.processes, "load": result.summary()}


def _dashboard_session(port: int, user: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://{LOOPBACK}:{port}"
    opener.addheaders.append(("Origin", base))  # as a browser does: the dashboard refuses POSTs from elsewhere
    page = opener.open(base + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "username": user, "password": password}).encode()
    opener.open(base + "/login", data=data, timeout=30).read()
    return opener


def dashboard_requests(opener: urllib.request.OpenerDirector, port: int,
                       client_ids: list[int]) -> list[tuple[str, bytes | None]]:
    """(path, JSON body or None): the public and static routes, plus the server-side rendering of each
    page (Dash pages' ``_pages_content`` callback, as the browser calls it on navigation), which
    calls the service and builds the figures."""
    base = f"http://{LOOPBACK}:{port}"
    requests: list[tuple[str, bytes | None]] = [("/login", None), ("/", None), ("/_dash-layout", None),
                                                ("/_dash-dependencies", None)]
    html = opener.open(base + "/", timeout=30).read().decode(errors="replace")
    requests += [(p, None) for p in sorted(set(re.findall(r'src="(/_dash-component-suites/[^"]+)"', html)))[:6]]
    deps = json.loads(opener.open(base + "/_dash-dependencies", timeout=30).read())
    pages = next((d for d in deps if [i["id"] for i in d["inputs"]][:1] == ["_pages_location"]), None)
    if pages is not None:
        outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]}
                   for o in pages["output"].strip(".").split("...")]
        paths = ["/", "/model", "/model/card", "/monitoring"] + [f"/client/{cid}" for cid in client_ids[:8]]
        for path in paths:
            body = {"output": pages["output"], "outputs": outputs,
                    "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                               {"id": "_pages_location", "property": "search", "value": ""}],
                    "changedPropIds": ["_pages_location.pathname"], "state": []}
            requests.append(("/_dash-update-component", json.dumps(body).encode()))
    return requests


def measure_dashboard(venv: Path, service_venv: Path, bundle: Path, requests: int, tmp: Path) -> dict:
    key = "slug-" + os.urandom(6).hex()
    user, password = "bench", "bench-" + os.urandom(6).hex()
    from werkzeug.security import generate_password_hash

    users = json.dumps({user: generate_password_hash(password)})
    with Gunicorn("service", service_env(bundle, tmp, key), workers=1, venv=service_venv, log_dir=tmp) as service:
        env = {"SERVICE_URL": service.url, "SERVICE_API_KEY": key, "SECRET_KEY": os.urandom(16).hex(),
               "DASHBOARD_USERS": users}
        with Gunicorn("dashboard", env, workers=2, venv=venv, log_dir=tmp) as server:
            idle = MemorySampler(server).sample()
            sampler = MemorySampler(server)
            sampler.start()
            done = errors = 0
            t0 = time.perf_counter()
            try:
                openers = [_dashboard_session(server.port, user, password) for _ in range(8)]
                status, page = get_json(service.port, "/clients?page=1&per_page=20", key)
                client_ids = [item["id"] for item in page["items"]] if status == 200 else []
                paths = dashboard_requests(openers[0], server.port, client_ids)
                lock = threading.Lock()
                counter = iter(range(requests))

                def client(i: int) -> None:
                    nonlocal done, errors
                    deadline = time.monotonic() + 300
                    while time.monotonic() < deadline:
                        with lock:
                            n = next(counter, None)
                        if n is None:
                            return
                        path, body = paths[n % len(paths)]
                        req = urllib.request.Request(server.url + path, data=body,
                                                     headers={"Content-Type": "application/json"} if body else {})
                        try:
                            with openers[i].open(req, timeout=30) as r:
                                r.read()
                                ok = r.status == 200
                        except OSError:
                            ok = False
                        with lock:
                            done += 1
                            errors += not ok

                threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(330)
            finally:
                sampler.stop()
            seconds = time.perf_counter() - t0
    return {"idle_rss_mb": round(idle[0], 1), "idle_pss_mb": round(idle[1], 1),
            "peak_rss_mb": round(sampler.peak_rss, 1), "peak_pss_mb": round(sampler.peak_pss, 1),
            "processes": sampler.processes,
            "load": {"requests": done, "errors": errors, "seconds": round(seconds, 1),
                     "throughput_rps": round(done / seconds, 1) if seconds else 0,
                     "page_renders": sum(1 for _, b in paths if b), "paths": [p for p, _ in paths]}}


# ------------------------------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roles", nargs="+", default=["service", "dashboard", "union"], choices=list(ROLE_REQUIREMENTS))
    parser.add_argument("--bundle", default=os.environ.get("MODEL_BUNDLE", str(REPO / "models")))
    parser.add_argument("--requests", type=int, default=4000, help="requests of the load phase, per role")
    parser.add_argument("--python", default=sys.executable, help="interpreter the venvs are made from")
    parser.add_argument("--fresh", action="store_true", help="rebuild the venvs even if up to date")
    parser.add_argument("--no-load", action="store_true", help="sizes only")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    bundle = current_bundle(Path(args.bundle))
    bundle_mb = tree_size(bundle) / MB if bundle else 0.0
    bundle_gz = compressed_size([(bundle, "models/" + bundle.name)]) / MB if bundle else 0.0
    source = app_source()
    source_mb = sum(f.stat().st_size for f in source) / MB
    source_gz = compressed_size([(f, str(f.relative_to(REPO))) for f in source]) / MB
    rt_mb, rt_gz = runtime_size()
    report: dict = {"bundle": str(bundle) if bundle else None, "bundle_mb": round(bundle_mb, 1),
                    "bundle_gz_mb": round(bundle_gz, 1), "app_source_mb": round(source_mb, 2),
                    "python_runtime_mb": round(rt_mb, 1), "python_runtime_gz_mb": round(rt_gz, 1), "roles": {}}
    print(f"model bundle {bundle}: {bundle_mb:.1f} MB ({bundle_gz:.1f} MB gz); app source {source_mb:.2f} MB; "
          f"Python runtime ~{rt_mb:.0f} MB ({rt_gz:.0f} MB gz)")

    venvs: dict[str, Path] = {}
    for role in args.roles:
        venv = venvs[role] = build_venv(role, args.fresh, args.python)
        site = site_packages(venv)
        installed = tree_size(site) / MB
        gz = compressed_size([(site, "site-packages")]) / MB
        with_bundle = role in ("service", "union") and bundle is not None
        slug_installed = installed + source_mb + rt_mb + (bundle_mb if with_bundle else 0)
        slug_gz = gz + source_gz + rt_gz + (bundle_gz if with_bundle else 0)
        entry = {"requirements": str(ROLE_REQUIREMENTS[role].relative_to(REPO)),
                 "site_packages_mb": round(installed, 1), "site_packages_gz_mb": round(gz, 1),
                 "slug_installed_mb": round(slug_installed, 1), "slug_gz_mb": round(slug_gz, 1),
                 "largest": distributions(site), "fits_slug_limit": slug_gz < SLUG_LIMIT_MB}
        report["roles"][role] = entry
        print(f"[{role}] site-packages {installed:.1f} MB installed, {gz:.1f} MB gz; slug estimate "
              f"{slug_installed:.1f} MB unpacked / {slug_gz:.1f} MB compressed (limit {SLUG_LIMIT_MB} MB)"
              f"{' incl. bundle' if with_bundle else ''}; largest: {entry['largest']}", flush=True)

    if not args.no_load:
        if bundle is None:
            print("no model bundle found: memory under load not measured", file=sys.stderr)
        else:
            tmp = Path(tempfile.mkdtemp(prefix="bench-slug-"))
            service_venv = venvs.get("service") or build_venv("service", False, args.python)
            for role in args.roles:
                if role == "union":
                    continue
                if role == "service":
                    mem = measure_service(venvs[role], bundle, args.requests, tmp)
                else:
                    mem = measure_dashboard(venvs[role], service_venv, bundle, args.requests, tmp)
                mem["fits_dyno"] = mem["peak_pss_mb"] < DYNO_MB
                report["roles"][role]["memory"] = mem
                print(f"[{role}] gunicorn tree ({mem['processes']} processes, WEB_CONCURRENCY=2): idle RSS "
                      f"{mem['idle_rss_mb']} MB / PSS {mem['idle_pss_mb']} MB; under load peak RSS "
                      f"{mem['peak_rss_mb']} MB / PSS {mem['peak_pss_mb']} MB (dyno {DYNO_MB} MB); load "
                      f"{json.dumps({k: v for k, v in mem['load'].items() if k not in ('statuses', 'paths')})}",
                      flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    ok = all(r["fits_slug_limit"] and r.get("memory", {}).get("fits_dyno", True) for r in report["roles"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
