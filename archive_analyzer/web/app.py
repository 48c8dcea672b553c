"""The web catalogue's app factory: configuration, cookies, CSRF and security headers.

Everything the catalogue shows (titles, metadata, model text) is untrusted; Jinja2 escapes it
all, the pages run no script, and the Content-Security-Policy forbids any, so a title such as
`<script>` is shown as text and could not run even if escaping failed somewhere.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask, abort, g, redirect, request, session, url_for
from markupsafe import Markup, escape

from archive_analyzer.db.database import Database
from archive_analyzer.web.auth import SESSION_SECONDS, Keyring, csrf_ok, new_csrf_token
from archive_analyzer.web.config import WebConfig

CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# Pages anyone may open even where reads need a password: the sign-in form and its stylesheet.
OPEN_ENDPOINTS = {"web.sign_in", "static"}


def create_app(config: WebConfig, secret_key: bytes | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        # A fresh key per start: sessions end with the process, as the keyring's passwords do.
        SECRET_KEY=secret_key or secrets.token_bytes(32),
        SESSION_COOKIE_NAME="archive_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=SESSION_SECONDS),
        MAX_CONTENT_LENGTH=1024 * 1024,  # a corrected analysis is text, not an upload
    )
    app.extensions["archive"] = {
        "config": config,
        "db": Database(config.database_url),
        "keyring": Keyring(),
    }
    app.jinja_env.filters["headline"] = headline
    app.before_request(_load_session)
    app.before_request(_check_csrf)
    app.before_request(_require_sign_in)
    app.after_request(_security_headers)

    from archive_analyzer.web.routes import web

    app.register_blueprint(web)
    return app


def headline(detail: str | None) -> Markup:
    """A full-text match's excerpt: escaped, then PostgreSQL's <b> markers as <mark>."""
    text = str(escape(detail or ""))
    return Markup(text.replace("&lt;b&gt;", "<mark>").replace("&lt;/b&gt;", "</mark>"))


def _state() -> dict:
    from flask import current_app

    return current_app.extensions["archive"]


def _load_session() -> None:
    state = _state()
    g.config, g.db, g.keyring = state["config"], state["db"], state["keyring"]
    if "csrf" not in session:
        session["csrf"] = new_csrf_token()
        session.permanent = True
    g.cataloger = g.keyring.get(session.get("sid"))


def _check_csrf() -> None:
    if request.method == "POST" and not csrf_ok(session.get("csrf"), request.form.get("csrf")):
        abort(400, "the form is out of date (its security token did not match); reload it")


def _require_sign_in():
    if not g.config.reads_need_sign_in or g.cataloger or request.endpoint in OPEN_ENDPOINTS:
        return None
    return redirect(url_for("web.sign_in", next=request.full_path))


def _security_headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "web.image":
        response.headers["Cache-Control"] = "no-store"
    return response
