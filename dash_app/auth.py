"""Advisor login on the Dash Flask server (flask-login), and the guard in front of every route.

- ``GET/POST /login``: a plain HTML form with a per-session CSRF token; the
  session is renewed on login; ``next`` only accepts local paths.
- ``POST /logout`` (CSRF token too).
- Everything else needs a session: Dash's own routes (``/_dash-*``, component
  suites, ``/_reload-hash``...) answer 401 JSON, pages redirect to the login form.
  Only ``/login``, ``/healthz``, ``/assets/*`` (CSS, fonts) and the favicon are public.
- Dash callbacks are JSON POSTs; a POST whose ``Origin`` is another site is refused (403).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from urllib.parse import quote, urlsplit

from flask import Flask, jsonify, redirect, render_template_string, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from markupsafe import Markup

from dash_app.i18n import t
from dash_app.users import UserStore

PUBLIC_PATHS = {"/login", "/healthz", "/_favicon.ico", "/favicon.ico"}
PUBLIC_PREFIXES = ("/assets/",)
MAX_FAILURES, FAILURE_WINDOW = 5, 300.0

LOGIN_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t('login.title') }} – {{ t('app.title') }}</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css">
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body class="login-body">
<main class="login-card card card-body" id="main">
  <h1 class="h4 mb-3">{{ t('app.brand') }} – {{ t('login.title') }}</h1>
  <p>{{ t('login.intro') }}</p>
  {% if message %}<div class="alert alert-{{ level }}" role="alert" id="login-message">{{ message }}</div>{% endif %}
  <form method="post" action="/login{{ next_query }}" novalidate>
    <input type="hidden" name="csrf_token" value="{{ csrf }}">
    <div class="mb-3">
      <label class="form-label" for="login-user">{{ t('login.user') }}</label>
      <input class="form-control" id="login-user" name="username" autocomplete="username" required
             value="{{ username }}" autofocus>
    </div>
    <div class="mb-3">
      <label class="form-label" for="login-password">{{ t('login.password') }}</label>
      <input class="form-control" id="login-password" name="password" type="password"
             autocomplete="current-password" required>
    </div>
    <button class="btn btn-primary" type="submit" id="login-submit">{{ t('login.submit') }}</button>
  </form>
</main>
</body>
</html>"""


class Advisor(UserMixin):
    def __init__(self, name: str):
        self.id = name


def csrf_token() -> str:
    token = session.get("csrf_token")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf_token"] = token
    return token


def _csrf_ok() -> bool:
    sent, kept = request.form.get("csrf_token", ""), session.get("csrf_token", "")
    return bool(sent) and bool(kept) and hmac.compare_digest(sent, kept)


def safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return True
    parts = urlsplit(origin)
    return parts.netloc == request.host


class _Throttle:
    def __init__(self):
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [x for x in self._failures.get(key, []) if now - x < FAILURE_WINDOW]
            self._failures[key] = recent
            return len(recent) >= MAX_FAILURES

    def fail(self, key) -> None:
        with self._lock:
            self._failures.setdefault(key, []).append(time.monotonic())

    def clear(self, key) -> None:
        with self._lock:
            self._failures.pop(key, None)


def setup_auth(server: Flask, users: UserStore, lang: str = "fr") -> LoginManager:
    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = "strong"
    throttle = _Throttle()

    @manager.user_loader
    def load(name: str):
        return Advisor(name) if users.exists(name) else None

    def render(message: str = "", level: str = "danger", username: str = "", status: int = 200):
        nxt = request.args.get("next")
        next_query = Markup("?next=" + quote(safe_next(nxt), safe="/")) if nxt else ""
        html = render_template_string(LOGIN_PAGE, lang=lang, t=t, message=message, level=level, csrf=csrf_token(),
                                      username=username, next_query=next_query)
        return html, status, {"Content-Type": "text/html; charset=utf-8"}

    @server.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            if current_user.is_authenticated:
                return redirect(safe_next(request.args.get("next")))
            message = t("login.logged_out") if request.args.get("out") else ""
            return render(message, level="info")
        username = request.form.get("username", "").strip()[:64]
        if not _csrf_ok():
            return render(t("login.csrf"), username=username, status=400)
        key = (request.remote_addr or "", username.lower())
        if throttle.blocked(key):
            return render(t("login.throttled"), username=username, status=429)
        if not users.check(username, request.form.get("password", "")):
            throttle.fail(key)
            return render(t("login.failed"), username=username, status=401)
        throttle.clear(key)
        session.clear()  # no session fixation: a fresh session (and CSRF token) after login
        login_user(Advisor(username))
        csrf_token()
        return redirect(safe_next(request.args.get("next")))

    @server.route("/logout", methods=["POST"])
    def logout():
        if not _csrf_ok():
            return redirect("/")
        logout_user()
        session.clear()
        return redirect("/login?out=1")

    @server.route("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @server.before_request
    def guard():
        path = request.path
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        if current_user.is_authenticated:
            if request.method == "POST" and not _same_origin():
                return jsonify({"error": "forbidden", "detail": "cross-origin request"}), 403
            return None
        if path.startswith("/_") or request.method != "GET":
            return jsonify({"error": "unauthorized", "detail": "login required"}), 401
        target = request.full_path.rstrip("?") if request.query_string else path
        return redirect("/login?next=" + quote(target, safe="/"))

    return manager
