"""Advisor login on the Dash Flask server (flask-login), and the guard in front of every route.

- ``GET/POST /login``: a plain HTML form with a per-session CSRF token; the
  session is renewed on login; ``next`` only accepts local paths. Failed logins are
  throttled (``dash_app.login_throttle``: growing delays per user name, a limit per
  address) and every failure is logged, without the password.
- ``POST /logout`` (the navigation's button) or ``GET /logout``: always ends the session.
  Ending a session needs no token: a forged logout can only log someone out. The ended
  session's id is remembered (``dash_app.ended_sessions``): a copy of its cookie no longer
  logs anyone in.
- Every state-changing request (anything but GET/HEAD/OPTIONS: Dash callbacks, which
  include the decision form, and the login form) must come from this dashboard's own
  origin: its ``Origin`` header, else its ``Referer``, names this site; a request with
  neither is refused too (403 JSON).
- Everything else needs a session: Dash's own routes (``/_dash-*``, component
  suites, ``/_reload-hash``...) answer 401 JSON, pages redirect to the login form.
  Only ``/login``, ``/logout``, ``/healthz``, ``/assets/*`` and the favicon are public.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import quote, urlsplit

from flask import Flask, jsonify, redirect, render_template_string, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from limits.errors import StorageError
from markupsafe import Markup

from dash_app.ended_sessions import EndedSessions
from dash_app.i18n import t
from dash_app.login_throttle import LoginThrottle
from dash_app.security import SAFE_METHODS, same_origin
from dash_app.users import UserStore

log = logging.getLogger("dash_app.auth")

PUBLIC_PATHS = {"/login", "/logout", "/healthz", "/_favicon.ico", "/favicon.ico"}
PUBLIC_PREFIXES = ("/assets/",)

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


def _duration(seconds: int) -> str:
    """A wait in words: "45 s", "8 min"."""
    return f"{seconds} s" if seconds < 60 else f"{-(-seconds // 60)} min"


def setup_auth(server: Flask, users: UserStore, throttle: LoginThrottle, lang: str = "fr") -> LoginManager:
    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = "strong"
    ended = EndedSessions(throttle.storage, int(server.permanent_session_lifetime.total_seconds()))

    @manager.user_loader
    def load(name: str):
        if not users.exists(name) or ended.ended(session.get("sid")):
            return None
        return Advisor(name)

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
        address = request.remote_addr or "unknown"
        wait = throttle.wait(username, address)
        if wait:
            log.warning("login attempt for user name %r from %s refused unchecked: throttled for %d s more",
                        username, address, wait)
            html, status, headers = render(t("login.throttled", wait=_duration(wait)), username=username, status=429)
            return html, status, {**headers, "Retry-After": str(wait)}
        if not users.check(username, request.form.get("password", "")):
            failures, delay = throttle.failed(username, address)
            log.warning("login failed for user name %r from %s (failure %d on this name within the hour; "
                        "next attempt on it in %d s)", username, address, failures, delay)
            return render(t("login.failed"), username=username, status=401)
        throttle.succeeded(username)
        log.info("login of %r from %s", username, address)
        session.clear()  # no session fixation: a fresh session (and CSRF token) after login
        session["sid"] = ended.new_id()
        login_user(Advisor(username))
        csrf_token()
        return redirect(safe_next(request.args.get("next")))

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        ended.end(session.get("sid"))
        logout_user()
        session.clear()
        return redirect("/login?out=1")

    @server.errorhandler(StorageError)
    def counters_unavailable(exc: StorageError):
        # The login throttle and the ended sessions live there: without it, no login and no session
        # is trusted (fail closed), rather than logins without throttling.
        log.error("the counter storage (RATELIMIT_STORAGE_URI) is unavailable: %s: %s",
                  type(exc.storage_error).__name__, exc.storage_error)
        if request.path.startswith("/_"):
            return jsonify({"error": "service unavailable", "detail": "sessions cannot be checked right now"}), 503
        return t("login.unavailable"), 503, {"Content-Type": "text/plain; charset=utf-8", "Retry-After": "30"}

    @server.route("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @server.before_request
    def guard():
        path = request.path
        if request.method not in SAFE_METHODS and path != "/logout" and not same_origin():
            log.warning("%s %s refused: Origin %r, Referer %r is not this dashboard (%s)", request.method, path,
                        request.headers.get("Origin"), request.headers.get("Referer"), request.host)
            return jsonify({"error": "forbidden", "detail": "cross-origin request refused: a state-changing "
                            "request must come from a page of this dashboard (Origin or Referer header)"}), 403
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        if current_user.is_authenticated:
            return None
        if path.startswith("/_") or request.method != "GET":
            return jsonify({"error": "unauthorized", "detail": "login required"}), 401
        target = request.full_path.rstrip("?") if request.query_string else path
        return redirect("/login?next=" + quote(target, safe="/"))

    return manager
