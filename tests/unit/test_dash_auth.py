"""Login, the guard in front of every route, the users file and command, security headers (Flask test client)."""

from __future__ import annotations

import importlib
import json
import re
import socket
import subprocess
import sys

import pytest

from dash_app import users as users_mod


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture(scope="module")
def app_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dash-auth")
    path = folder / "users.json"
    users_mod.add_user(path, "alice", "correct horse")
    mp = pytest.MonkeyPatch()
    mp.setenv("SECRET_KEY", "test-secret")
    mp.setenv("DASHBOARD_USERS_FILE", str(path))
    mp.setenv("SERVICE_URL", _dead_url())
    mp.setenv("SERVICE_API_KEY", "k")
    from dash_app import api_client
    api_client.set_client(None)
    module = importlib.import_module("dash_app.app")
    yield module.server, path
    api_client.set_client(None)
    mp.undo()


def _client(server):
    """A test client whose requests come from the dashboard's own pages (``Origin`` = this site)."""
    client = server.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    return client


def _csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def _login(client, password="correct horse", next_="/"):
    token = _csrf(client.get("/login").data)
    return client.post(f"/login?next={next_}", data={"username": "alice", "password": password, "csrf_token": token})


def test_pages_redirect_to_login(app_env):
    server, _ = app_env
    c = server.test_client()
    r = c.get("/client/123")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/client/123")


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/monitoring/report"])
def test_dash_routes_answer_401(app_env, path):
    server, _ = app_env
    assert server.test_client().get(path).status_code in (401, 302)
    assert server.test_client().get("/_dash-layout").status_code == 401


def test_callbacks_refused_without_session(app_env):
    server, _ = app_env
    r = _client(server).post("/_dash-update-component", json={"output": "x", "inputs": []})
    assert r.status_code == 401 and r.json["error"] == "unauthorized"


def test_login_page_is_french_and_has_labels(app_env):
    server, _ = app_env
    page = server.test_client().get("/login").data.decode()
    assert '<html lang="fr">' in page
    assert 'for="login-user"' in page and 'for="login-password"' in page


def test_wrong_password_and_missing_csrf(app_env):
    server, _ = app_env
    c = _client(server)
    r = _login(c, password="wrong")
    assert r.status_code == 401 and "incorrect" in r.data.decode()
    r = c.post("/login", data={"username": "alice", "password": "correct horse"})
    assert r.status_code == 400
    assert c.get("/_dash-layout").status_code == 401


def test_login_then_dash_routes_work_and_logout(app_env):
    server, _ = app_env
    c = _client(server)
    r = _login(c, next_="/model")
    assert r.status_code == 302 and r.headers["Location"] == "/model"
    assert c.get("/_dash-layout").status_code == 200
    assert c.get("/_dash-dependencies").status_code == 200
    layout = c.get("/_dash-layout").json
    # the service is down: the shell still renders, with the message in words
    assert "ne répond pas" in json.dumps(layout, ensure_ascii=False)
    assert _find_prop(layout, "id", "nav-logout")["type"] == "submit"  # the navigation's logout is a POST form
    r = c.post("/logout", data={"csrf_token": _find_prop(layout, "name", "csrf_token")["value"]})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert c.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("how", ["POST without token", "POST with a forged token", "GET", "POST from elsewhere"])
def test_logout_always_ends_the_session(app_env, how):
    server, _ = app_env
    c = _client(server)
    _login(c)
    assert c.get("/_dash-layout").status_code == 200
    if how == "GET":
        r = c.get("/logout")
    elif how == "POST from elsewhere":
        r = c.post("/logout", headers={"Origin": "https://evil.example"})
    else:
        r = c.post("/logout", data={"csrf_token": "forged"} if "forged" in how else {})
    assert r.status_code == 302 and r.headers["Location"] == "/login?out=1"
    assert c.get("/_dash-layout").status_code == 401


def test_a_copy_of_the_cookie_is_useless_after_logout(app_env):
    server, _ = app_env
    c = _client(server)
    _login(c)
    copied = c.get_cookie("advisor_session").value
    thief = _client(server)
    thief.set_cookie("advisor_session", copied)
    assert thief.get("/_dash-layout").status_code == 200  # a stolen cookie works while the session lasts
    c.post("/logout")
    assert thief.get("/_dash-layout").status_code == 401  # ... and no longer once its advisor logged out
    assert thief.post("/_dash-update-component", json={}).status_code == 401


def _find_prop(node, key, value):
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and props.get(key) == value:
            return props
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find_prop(child, key, value)
        if found:
            return found
    return None


def test_open_redirect_refused(app_env):
    server, _ = app_env
    c = _client(server)
    r = _login(c, next_="//evil.example/x")
    assert r.headers["Location"] == "/"


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "https://localhost"},  # another scheme is another origin
    {"Origin": "http://localhost:8080"},
    {"Origin": "", "Referer": "https://evil.example/page"},
    {"Origin": ""},  # neither header
])
def test_cross_origin_or_unsourced_callback_refused(app_env, headers):
    server, _ = app_env
    c = _client(server)
    _login(c)
    r = c.post("/_dash-update-component", json={}, headers=headers)
    assert r.status_code == 403 and r.json["error"] == "forbidden"


def test_same_origin_by_referer_when_origin_is_absent(app_env):
    server, _ = app_env
    c = _client(server)
    _login(c)
    r = c.post("/_dash-update-component", json={}, headers={"Origin": "", "Referer": "http://localhost/client/1"})
    assert r.status_code != 403


def test_login_form_from_another_site_is_refused(app_env):
    server, _ = app_env
    c = server.test_client()
    token = _csrf(c.get("/login").data)
    r = c.post("/login", data={"username": "alice", "password": "correct horse", "csrf_token": token},
               headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert c.get("/_dash-layout").status_code == 401


def test_security_headers(app_env):
    server, _ = app_env
    r = server.test_client().get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Cache-Control"] == "no-store"


def test_users_file_formats(tmp_path):
    lines = tmp_path / "users.txt"
    users_mod.add_user(lines, "bob", "password-1")
    users_mod.add_user(lines, "carol", "password-2")
    text = lines.read_text()
    assert text.startswith("bob:") and "carol:" in text and "password-1" not in text
    loaded = users_mod.load_users(lines)
    assert users_mod.verify(loaded, "bob", "password-1") and not users_mod.verify(loaded, "bob", "password-2")
    assert not users_mod.verify(loaded, "nobody", "password-1")
    as_json = tmp_path / "users.json"
    users_mod.add_user(as_json, "dave", "password-3")
    assert list(json.loads(as_json.read_text())) == ["dave"]
    with pytest.raises(ValueError):
        users_mod.add_user(as_json, "bad name", "password-3")
    with pytest.raises(ValueError):
        users_mod.add_user(as_json, "eve", "short")


def test_users_command_reads_password_from_stdin(tmp_path):
    path = tmp_path / "u.json"
    done = subprocess.run([sys.executable, "-m", "dash_app.users", "--file", str(path), "add", "zoe",
                           "--password-stdin"], input="a long password\n", text=True, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert users_mod.verify(users_mod.load_users(path), "zoe", "a long password")
    listed = subprocess.run([sys.executable, "-m", "dash_app.users", "--file", str(path), "list"],
                            text=True, capture_output=True, check=True)
    assert listed.stdout.split() == ["zoe"]
