"""A throw-away PostgreSQL cluster for the storage tests, and a ``database_url`` fixture that runs a
test once on SQLite and once on PostgreSQL.

The cluster is Debian's ``postgresql`` package (``.ci/run`` installs it through ``scripts/setup.sh
test``), started as the ``postgres`` user (initdb refuses root) on a free loopback port, its
directory and socket under a private temporary directory, and removed at the end of the session.
Without the package, or without root to switch user, the PostgreSQL runs are skipped locally;
``STORAGE_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

BACKENDS = ("sqlite", "postgresql")


def postgres_bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted((p for p in root.glob("*/bin") if (p / "initdb").exists()),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return versions[-1] if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("STORAGE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (STORAGE_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server():
    """``(base URL, admin connection string)`` of a running throw-away cluster (user ``app``, trust auth)."""
    binary = postgres_bin()
    if binary is None:
        _unavailable("Debian's postgresql package is not installed (apt-get install postgresql)")
    if os.geteuid() != 0 or shutil.which("su") is None:
        _unavailable("starting a cluster as the postgres user needs root")
    root = Path(tempfile.mkdtemp(prefix="pgtest-"))
    os.chmod(root, 0o755)
    data, logs = root / "data", root / "logs"
    for folder in (data, logs):
        folder.mkdir()
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    start = (f"{binary}/initdb -D {data} -A trust -U app >{logs}/initdb.log 2>&1 && "
             f"{binary}/pg_ctl -D {data} -o '-p {port} -k {logs} -c listen_addresses=127.0.0.1 -c fsync=off' "
             f"-l {logs}/server.log -w start")
    result = subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", start], capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        detail = "".join(p.read_text(errors="replace")[-2000:] for p in logs.glob("*.log"))
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"cannot start PostgreSQL: {result.stdout}{result.stderr}{detail}")
    try:
        yield f"postgresql://app@127.0.0.1:{port}"
    finally:
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", f"{binary}/pg_ctl -D {data} -m immediate stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def new_postgres_database(base: str) -> str:
    """A fresh empty database on the cluster; its URL in Heroku's ``postgres://`` form."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base.replace('postgresql://', 'postgres://')}/{name}"


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A fresh database: SQLite file, then (second run) a new database on the PostgreSQL cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    return new_postgres_database(request.getfixturevalue("postgres_server"))
