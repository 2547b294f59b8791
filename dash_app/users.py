"""Advisor accounts: a file of user names and werkzeug password hashes (never in code).

The file named by ``DASHBOARD_USERS_FILE`` is either JSON ``{"name": "hash", ...}``
or text lines ``name:hash`` (``#`` comments allowed). Add or update a user with::

    python -m dash_app.users add alice                  # prompts twice for the password
    echo "$PW" | python -m dash_app.users add alice --password-stdin
    python -m dash_app.users list

The format of an existing file is kept; a new file is JSON when its name ends in
``.json``, lines otherwise.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

NAME_RE = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
MIN_PASSWORD = 8
# A valid hash to compare against when the user does not exist (same cost: no user enumeration by timing).
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _is_json(path: Path, text: str | None) -> bool:
    if text is not None and text.strip():
        return text.lstrip().startswith("{")
    return path.suffix.lower() == ".json"


def load_users(path: str | Path) -> dict[str, str]:
    path = Path(path)
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    if _is_json(path, text):
        data = json.loads(text or "{}")
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object of name -> hash")
        return {str(k): str(v) for k, v in data.items()}
    users = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        name, hashed = line.split(":", 1)  # werkzeug hashes contain ':' themselves
        users[name.strip()] = hashed.strip()
    return users


def save_users(path: str | Path, users: dict[str, str]) -> None:
    path = Path(path)
    existing = path.read_text(encoding="utf-8") if path.exists() else None
    if _is_json(path, existing):
        text = json.dumps(users, indent=2, sort_keys=True) + "\n"
    else:
        text = "".join(f"{name}:{hashed}\n" for name, hashed in sorted(users.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def add_user(path: str | Path, name: str, password: str) -> None:
    if not NAME_RE.match(name):
        raise ValueError("user names use letters, digits and . _ @ - (64 at most)")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    users = load_users(path)
    users[name] = generate_password_hash(password)
    save_users(path, users)


def verify(users: dict[str, str], name: str, password: str) -> bool:
    hashed = users.get(name)
    if hashed is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    try:
        return check_password_hash(hashed, password)
    except (ValueError, TypeError):
        return False


class UserStore:
    """The users file, re-read when it changes (add a user without restarting the dashboard)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._mtime: float | None = None
        self._users: dict[str, str] = {}

    def users(self) -> dict[str, str]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._mtime, self._users = None, {}
            return {}
        if mtime != self._mtime:
            self._users, self._mtime = load_users(self.path), mtime
        return self._users

    def exists(self, name: str) -> bool:
        return name in self.users()

    def check(self, name: str, password: str) -> bool:
        return verify(self.users(), name, password)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dash_app.users", description="Manage dashboard advisors.")
    parser.add_argument("--file", default=os.environ.get("DASHBOARD_USERS_FILE", "dashboard_users.json"),
                        help="users file (default: $DASHBOARD_USERS_FILE)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a user or change their password")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("list", help="list user names")
    args = parser.parse_args(argv)
    if args.command == "list":
        for name in sorted(load_users(args.file)):
            print(name)
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Again: "):
            print("error: the passwords differ", file=sys.stderr)
            return 2
    try:
        add_user(args.file, args.name, password)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"user {args.name} saved in {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
