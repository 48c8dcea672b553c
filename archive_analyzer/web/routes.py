"""The pages: search, an artwork, its images, signing in and out."""

from __future__ import annotations

import logging

import psycopg
from flask import Blueprint, abort, g, redirect, render_template, request, send_file, session
from flask import url_for as flask_url_for

from archive_analyzer.catalog.colors import ColorError
from archive_analyzer.catalog.reviews import VERDICTS, record_review, review_queue
from archive_analyzer.catalog.search import MODES, SearchError
from archive_analyzer.catalog.vocabulary import ASPECTS, load_vocabulary
from archive_analyzer.errors import ConfigError, DatabaseError, NotFoundError
from archive_analyzer.redact import redact
from archive_analyzer.web.auth import check_password, new_csrf_token
from archive_analyzer.web.catalog import FILTER_FIELDS, SearchRequest, object_page, parse_request
from archive_analyzer.web.catalog import run_search as catalog_search
from archive_analyzer.web.images import SIZES, ImageUnavailable, cached_image

logger = logging.getLogger(__name__)
web = Blueprint("web", __name__)
MODE_LABELS = {
    "text": "Words in the analysis",
    "fuzzy": "Artist or title (typos allowed)",
    "semantic": "Meaning (semantic)",
    "similar": "Works similar to an object id",
    "color": "Colour (#rrggbb or a name)",
}
assert set(MODE_LABELS) == set(MODES)


@web.app_context_processor
def page_globals() -> dict:
    return {"cataloger": g.get("cataloger"), "csrf_token": session.get("csrf", "")}


@web.errorhandler(DatabaseError)
def database_down(exc: DatabaseError):
    logger.error("catalogue database error: %s", redact(str(exc)))
    return render_template("error.html", status=503, message="The catalogue database cannot "
                           "be reached just now; try again in a moment."), 503  # fmt: skip


@web.app_errorhandler(400)
@web.app_errorhandler(404)
@web.app_errorhandler(401)
@web.app_errorhandler(403)
@web.app_errorhandler(405)
@web.app_errorhandler(429)
def http_error(exc):
    return render_template("error.html", status=exc.code, message=exc.description), exc.code


@web.get("/")
def search_page():
    context = {
        "modes": MODE_LABELS,
        "aspects": ASPECTS,
        "terms": _term_names(),
        "args": request.args,
    }
    try:
        wanted = parse_request(request.args)
    except SearchError as exc:
        return render_template("search.html", error=str(exc), found=None, **context), 400
    found = None
    if not wanted.empty:
        try:
            found = catalog_search(g.db, wanted, g.config.page_size)
        except (SearchError, ColorError) as exc:
            return render_template("search.html", error=str(exc), found=None, **context), 400
    return render_template("search.html", wanted=wanted, found=found, error=None,
                           facet_link=facet_link(wanted), **context)  # fmt: skip


def _term_names() -> list[str]:
    return [t.term for t in load_vocabulary().terms]


def facet_link(wanted: SearchRequest):
    """Builds the URL that narrows the current search to one facet value."""

    def link(facet: str, row: dict) -> str:
        args = {name: getattr(wanted.filters, name) for name in FILTER_FIELDS}
        if facet == "decade":
            args.update(year_from=row["decade"], year_to=row["decade"] + 9)
        else:
            args[facet] = row["value"]
        args = {k: v for k, v in args.items() if v is not None}
        return flask_url_for("web.search_page", mode=wanted.mode, q=wanted.query, **args)

    return link


@web.get("/objects/<path:object_id>")
def artwork(object_id: str):
    work = object_page(g.db, object_id)
    if work is None:
        abort(404, f"No analysed artwork has the object id {object_id!r}.")
    reviewed = request.args.get("reviewed")
    reviewed = reviewed if reviewed in VERDICTS else None
    return render_template("object.html", work=work, aspects=ASPECTS, reviewed=reviewed)


@web.get("/images/<size>/<path:object_id>")
def image(size: str, object_id: str):
    if size not in SIZES:
        abort(404, f"No image size {size!r}.")
    found = g.db.fetch_one("web_image", {"object_id": object_id})
    if found is None:
        abort(404, f"No analysed artwork has the object id {object_id!r}.")
    try:
        path = cached_image(g.config.cache_dir, found["image_uri"], found["sha256"], size,
                            g.config.max_image_pixels)  # fmt: skip
    except ImageUnavailable as exc:
        logger.warning("image of %s unavailable: %s", object_id, redact(str(exc)))
        abort(404, "The image cannot be shown.")
    # Named by content: the same URL serves the same bytes until the image is re-shot.
    response = send_file(path, mimetype="image/jpeg", etag=found["sha256"], max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@web.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    target = _local_path(request.values.get("next"))
    if request.method == "GET":
        return render_template("sign_in.html", next=target, error=None)
    client = request.remote_addr or "?"
    if g.keyring.too_many_failures(client):
        abort(429, "Too many failed sign-ins from this address; wait five minutes.")
    reviewer = (request.form.get("reviewer") or "").strip()
    password = request.form.get("password") or ""
    error = _sign_in_error(reviewer, password)
    if error:
        g.keyring.failed(client)
        return render_template("sign_in.html", next=target, error=error, reviewer=reviewer), 401
    g.keyring.remove(session.get("sid"))
    session.clear()  # a fresh session id and token on every sign-in (no session fixation)
    session.permanent = True
    session["sid"] = g.keyring.add(reviewer, g.config.cataloger_role, password)
    session["csrf"] = new_csrf_token()
    return redirect(target)


def _sign_in_error(reviewer: str, password: str) -> str | None:
    if not reviewer or len(reviewer) > 100:
        return "Give your name (up to 100 characters): it is written on your reviews."
    if not check_password(g.config.database_url, g.config.cataloger_role, password):
        return "That password was not accepted for the cataloger role."
    return None


def _local_path(target: str | None) -> str:
    # Only paths on this site: "//evil.example" and "https://..." would leave it.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return flask_url_for("web.search_page")


@web.post("/sign-out")
def sign_out():
    g.keyring.remove(session.get("sid"))
    session.clear()
    return redirect(flask_url_for("web.search_page"))


@web.post("/review")
def review():
    """A verdict, written through the signed-in cataloger's own connection: PostgreSQL checks
    the cataloger role may record it, whatever this server would allow."""
    object_id = request.form.get("object_id") or ""
    if g.cataloger is None:
        back = flask_url_for("web.artwork", object_id=object_id) if object_id else None
        return redirect(flask_url_for("web.sign_in", next=back))
    verdict = request.form.get("verdict") or ""
    try:
        analysis_id = int(request.form.get("analysis_id") or "")
    except ValueError:
        abort(400, "The form names no analysis.")
    text = request.form.get("text") if verdict == "corrected" else None
    note = (request.form.get("note") or "").strip() or None
    try:
        record_review(g.cataloger.database(g.config.database_url), analysis_id, verdict,
                      text=text, note=note, reviewer=g.cataloger.reviewer)  # fmt: skip
    except (ConfigError, NotFoundError) as exc:
        abort(400, str(exc))
    except psycopg.errors.InsufficientPrivilege:
        abort(403, f"The database refused the review: role {g.cataloger.role!r} may not "
                   "record reviews (grant it with `archive-analyzer db roles`).")  # fmt: skip
    except DatabaseError as exc:
        if "password authentication failed" not in str(exc):
            raise
        g.keyring.remove(session.get("sid"))  # the role's password changed since sign-in
        abort(401, "The cataloger password has changed; sign in again.")
    return redirect(flask_url_for("web.artwork", object_id=object_id, reviewed=verdict))


@web.get("/queue")
def queue():
    return render_template("queue.html", items=review_queue(g.db, limit=100))
