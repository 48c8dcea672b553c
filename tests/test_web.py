"""The web catalogue through Flask's test client, over a real PostgreSQL and real image files.

Escaping of untrusted titles and model text, CSRF tokens, the session cookie, sign-in checked
by PostgreSQL as the cataloger role, binding rules, thumbnails cached by content.
"""

from __future__ import annotations

import base64
import json
import uuid
import zlib

import psycopg
import pytest
from PIL import Image

from archive_analyzer.commands.serve import build_server
from archive_analyzer.db.roles import CATALOGER_PASSWORD_ENV, create_roles
from archive_analyzer.errors import ConfigError
from archive_analyzer.web import WebConfig, create_app, is_loopback
from archive_analyzer.web.auth import role_url
from tests.catalog_data import WORKS, insert_works

HOSTILE = '<script>alert("title")</script>'
HOSTILE_TEXT = "A stormy sea <img src=x onerror=alert(1)> under dark clouds."
HOSTILE_WORK = ("X1", HOSTILE, "<b>Bold</b> & Co", "1901", (1901, 1901), "Oil on <i>canvas</i>",
                HOSTILE_TEXT, ["#336699"])  # fmt: skip
PASSWORD = "c@t al%og:er"


@pytest.fixture
def catalogue(db, tmp_path):
    """The crafted works plus a hostile one, each pointing at a real JPEG on disk."""
    from archive_analyzer.catalog.embedding import shared_embedder

    insert_works(db, embedder=shared_embedder(), works=[*WORKS, HOSTILE_WORK])
    folder = tmp_path / "images"
    folder.mkdir()
    with db.connect() as conn:
        for i, (object_id, *_) in enumerate([*WORKS, HOSTILE_WORK]):
            path = folder / f"{object_id}.jpg"
            Image.new("RGB", (900, 600), (40 * i, 90, 160)).save(path)
            conn.execute(
                "UPDATE images SET uri = %s FROM artworks a"
                " WHERE a.id = images.artwork_id AND a.object_id = %s",
                (str(path), object_id),
            )
        # What the sink records for every image it sees: the history view starts there.
        conn.execute("INSERT INTO image_contents (uri, sha256) SELECT uri, sha256 FROM images")
    return folder


@pytest.fixture
def cataloger_role(db, monkeypatch):
    """A cataloger role with a password, named for this test (roles are server-wide)."""
    suffix = uuid.uuid4().hex[:8]
    names = {k: f"web_{k}_{suffix}" for k in ("writer", "reader", "cataloger")}
    monkeypatch.setenv(CATALOGER_PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv("ARCHIVE_ANALYZER_WRITER_PASSWORD", "w" + suffix)
    monkeypatch.setenv("ARCHIVE_ANALYZER_READER_PASSWORD", "r" + suffix)
    create_roles(db, names["writer"], names["reader"], names["cataloger"])
    yield names["cataloger"]
    with psycopg.connect(db.url, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f"DROP OWNED BY {name}")
            conn.execute(f"DROP ROLE {name}")


def make_app(db, tmp_path, host="127.0.0.1", role="archive_cataloger"):
    config = WebConfig(db.url, tmp_path / "home", host=host, cataloger_role=role, page_size=10)
    app = create_app(config)
    app.testing = True
    return app


@pytest.fixture
def client(db, tmp_path, catalogue, cataloger_role):
    return make_app(db, tmp_path, role=cataloger_role).test_client()


def csrf(client) -> str:
    client.get("/")
    return session_payload(client)["csrf"]


def session_payload(client) -> dict:
    """The session cookie's payload (signed, not encrypted: anyone holding it can read it)."""
    cookie = client.get_cookie("archive_session").value
    body = cookie.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return json.loads(zlib.decompress(data) if cookie.startswith(".") else data)


def sign_in(client, password=PASSWORD, reviewer="Ada Cataloger"):
    token = csrf(client)
    return client.post(
        "/sign-in", data={"csrf": token, "reviewer": reviewer, "password": password, "next": "/"}
    )


def test_hostile_titles_and_text_are_shown_as_text(client):
    for url in ("/?q=stormy", "/objects/X1", "/?q=Bold&mode=fuzzy"):
        page = client.get(url)
        body = page.get_data(as_text=True)
        assert page.status_code == 200, url
        assert "<script" not in body and "<img src=x" not in body and "<b>Bold" not in body
        assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in body
        assert "script-src" not in page.headers["Content-Security-Policy"]
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    body = client.get("/objects/X1").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert (
        f'alt="{HOSTILE.replace("<", "&lt;").replace(">", "&gt;").replace(chr(34), "&#34;")}"'
        in body
    )


def test_every_search_mode_finds_its_works(client):
    def ids(url):
        page = client.get(url)
        assert page.status_code == 200, page.get_data(as_text=True)
        return [
            line.split('"')[0] for line in page.get_data(as_text=True).split('href="/objects/')[1:]
        ]

    assert set(ids("/?q=chiaroscuro")) == {"R1", "T1"}
    assert set(ids("/?q=Turnr&mode=fuzzy")) == {"T1", "T2"}
    assert ids("/?q=navy&mode=color")[0] == "M1"
    assert ids("/?q=a+storm+at+sea+with+a+boat&mode=semantic")[0] == "T1"
    similar = ids("/?q=T1&mode=similar")
    assert "T1" not in similar and set(similar) == {"T2", "C1", "R1", "M1", "X1"}
    assert client.get("/?q=NOPE&mode=similar").status_code == 400
    assert ids("/?q=chiaroscuro&artist=rembrandt") == ["R1"]
    assert ids("/?q=light&year_from=1840&year_to=1849") == ["T2"]


def test_text_matches_are_marked_and_still_escaped(client):
    body = client.get("/?q=stormy").get_data(as_text=True)
    assert "<mark>" in body and "&lt;img" in body


def test_facets_count_the_matching_works_and_narrow_the_search(client):
    body = client.get("/?q=chiaroscuro&mode=text").get_data(as_text=True)
    facets = body.split('aria-label="Facets"')[1].split("</aside>")[0]
    assert "Joseph Mallord William Turner</a> (1)" in facets
    assert "Rembrandt van Rijn</a> (1)" in facets and "Monet" not in facets
    assert "1630s</a> (1)" in facets and "1830s</a> (1)" in facets and "1840s" not in facets
    assert "Oil on canvas</a> (1)" in facets and "Oil paint on canvas</a> (1)" in facets
    link = facets.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert "artist=Joseph+Mallord+William+Turner" in link and "q=chiaroscuro" in link
    narrowed = client.get(link).get_data(as_text=True)
    assert narrowed.count('class="card"') == 1 and 'href="/objects/T1"' in narrowed


def test_bad_input_gets_a_clear_message(client):
    page = client.get("/?q=x&year_from=eighteen")
    assert page.status_code == 400 and "must be a whole number" in page.get_data(as_text=True)
    page = client.get("/?q=x&mode=telepathy")
    assert page.status_code == 400 and "unknown search mode" in page.get_data(as_text=True)
    page = client.get("/?q=puce-ish&mode=color")
    assert page.status_code == 400 and "unknown colour" in page.get_data(as_text=True)
    assert client.get("/objects/NOPE").status_code == 404


def test_object_page_shows_palette_aspects_terms_and_history(client):
    body = client.get("/objects/T1").get_data(as_text=True)
    assert 'fill="#1f3a93"' in body and "?mode=color&amp;q=%231f3a93" in body
    assert "aspect-light_and_shadow" in body and "[composition]" in body
    assert "chiaroscuro" in body.split('class="terms"')[1]  # a term without a verified AAT id
    still_life = client.get("/objects/C1").get_data(as_text=True)
    assert 'href="http://vocab.getty.edu/page/aat/300015638"' in still_life
    analyses = body.split('<table id="analyses">')[1].split("</table>")[0]
    assert analyses.count("<tr>") == 2  # the header and one analysis
    assert "No reviews yet." in body.split('<table id="reviews">')[1]


def test_thumbnails_are_made_from_the_source_and_cached_by_content(client, catalogue, tmp_path):
    page = client.get("/images/thumb/T1")
    assert page.status_code == 200 and page.mimetype == "image/jpeg"
    assert "default-src" in page.headers["Content-Security-Policy"]
    cached = list((tmp_path / "home" / "web" / "images" / "thumb").glob("*.jpg"))
    assert len(cached) == 1 and len(cached[0].stem) == 64
    with Image.open(cached[0]) as thumb:
        assert thumb.size == (320, 213)
    (catalogue / "T1.jpg").unlink()  # the cache serves it now, without the source
    assert client.get("/images/thumb/T1").status_code == 200
    assert client.get("/images/large/T2").status_code == 200
    (catalogue / "T2.jpg").write_bytes(b"not an image")
    assert client.get("/images/thumb/T2").status_code == 404
    (catalogue / "C1.jpg").unlink()
    assert client.get("/images/thumb/C1").status_code == 404
    assert client.get("/images/huge/T1").status_code == 404
    assert client.get("/images/thumb/NOPE").status_code == 404


def test_session_cookie_is_httponly_strict_and_holds_no_password(client):
    page = client.get("/")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert sign_in(client).status_code == 302
    payload = session_payload(client)
    assert set(payload) == {"csrf", "sid", "_permanent"}
    assert PASSWORD not in json.dumps(payload)


def test_sign_in_is_checked_by_postgresql(client):
    assert sign_in(client, password="wrong").status_code == 401
    assert "sid" not in session_payload(client)
    before = session_payload(client)["csrf"]
    assert sign_in(client).status_code == 302
    assert "Signed in as Ada Cataloger" in client.get("/").get_data(as_text=True)
    assert session_payload(client)["csrf"] != before  # a fresh token after signing in


def test_forms_without_the_csrf_token_are_refused(client):
    csrf(client)
    refused = client.post("/sign-in", data={"reviewer": "x", "password": PASSWORD})
    assert refused.status_code == 400 and "security token" in refused.get_data(as_text=True)
    forged = client.post("/sign-in", data={"csrf": "x" * 43, "reviewer": "x", "password": PASSWORD})
    assert forged.status_code == 400
    sign_in(client)
    assert client.post("/sign-out").status_code == 400
    assert "Signed in as" in client.get("/").get_data(as_text=True)


def test_repeated_failed_sign_ins_are_paused(client):
    codes = [sign_in(client, password=f"guess {i}").status_code for i in range(6)]
    assert codes == [401] * 5 + [429]


def test_sign_in_returns_only_to_pages_of_this_site(client):
    token = csrf(client)
    for target, expected in (("//evil.example/x", "/"), ("https://evil.example", "/"),
                             ("/objects/T1", "/objects/T1")):  # fmt: skip
        page = client.post("/sign-in", data={"csrf": token, "reviewer": "A", "password": PASSWORD,
                                             "next": target})  # fmt: skip
        assert page.headers["Location"] == expected
        token = session_payload(client)["csrf"]


def test_loopback_is_the_only_address_read_without_a_password():
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.4", "example.org", ""]))


def test_beyond_loopback_every_page_asks_for_the_password(db, tmp_path, catalogue, cataloger_role):
    client = make_app(db, tmp_path, host="0.0.0.0", role=cataloger_role).test_client()
    for url in ("/", "/?q=storm", "/objects/T1", "/images/thumb/T1"):
        page = client.get(url)
        assert page.status_code == 302 and page.headers["Location"].startswith("/sign-in?next=")
    assert client.get("/sign-in").status_code == 200
    assert sign_in(client).status_code == 302
    assert client.get("/objects/T1").status_code == 200


def test_serving_beyond_loopback_needs_a_server_that_checks_passwords(db, tmp_path, cataloger_role):
    # The embedded server trusts its owner on the socket: a sign-in as it would check nothing.
    trusting = WebConfig(db.url, tmp_path, host="0.0.0.0", cataloger_role="postgres")
    with pytest.raises(ConfigError, match="wrong password"):
        build_server(trusting, 0)
    checked = WebConfig(db.url, tmp_path, host="0.0.0.0", cataloger_role=cataloger_role)
    server = build_server(checked, 0)
    try:
        assert server.server_port > 0
    finally:
        server.server_close()


def test_role_url_keeps_odd_passwords_intact(db, cataloger_role):
    with psycopg.connect(role_url(db.url, cataloger_role, PASSWORD)) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == cataloger_role


def review(client, object_id="T1", **fields):
    page = client.get(f"/objects/{object_id}").get_data(as_text=True)
    analysis_id = page.split('name="analysis_id" value="')[1].split('"')[0]
    data = {"csrf": session_payload(client)["csrf"], "object_id": object_id,
            "analysis_id": analysis_id, **fields}  # fmt: skip
    return client.post("/review", data=data)


def reviews_in(db) -> list[tuple]:
    with db.connect() as conn:
        rows = conn.execute("SELECT verdict, corrected_text, reviewer, note FROM analysis_reviews")
        return [tuple(row.values()) for row in rows.fetchall()]


def test_a_correction_is_shown_searched_and_signed(client, db):
    sign_in(client)
    done = review(client, verdict="corrected", text="A tempest painted in ultramarine.",
                  note="the model missed the sea")  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"] == "/objects/T1?reviewed=corrected"
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Your review was recorded (corrected)" in page
    assert 'id="analysis-text"' in page and "A tempest painted in ultramarine." in page
    assert "The model's own text" in page and "Corrected by Ada Cataloger" in page
    found = client.get("/?q=ultramarine").get_data(as_text=True)
    assert 'href="/objects/T1"' in found
    assert reviews_in(db) == [("corrected", "A tempest painted in ultramarine.",
                               "Ada Cataloger", "the model missed the sea")]  # fmt: skip


def test_a_rejection_hides_the_work_from_search_but_not_from_catalogers(client):
    sign_in(client)
    assert 'href="/objects/M1"' in client.get("/?q=lilies").get_data(as_text=True)
    assert 'href="/objects/M1"' in client.get("/queue").get_data(as_text=True)
    assert review(client, "M1", verdict="rejected").status_code == 302
    assert 'href="/objects/M1"' not in client.get("/?q=lilies").get_data(as_text=True)
    assert 'href="/objects/M1"' not in client.get("/queue").get_data(as_text=True)
    page = client.get("/objects/M1")
    assert page.status_code == 200 and "It is hidden from search" in page.get_data(as_text=True)
    assert client.get("/images/thumb/M1").status_code == 200


def test_reviews_need_a_signed_in_cataloger_and_a_token(client, db):
    page = client.get("/objects/T1").get_data(as_text=True)
    assert 'action="/review"' not in page and "to approve, correct or reject" in page
    token = csrf(client)
    form = {"csrf": token, "object_id": "T1", "analysis_id": "1", "verdict": "approved"}
    anonymous = client.post("/review", data=form)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    sign_in(client)
    forged = review(client, verdict="approved", csrf="not-the-token")
    assert forged.status_code == 400
    empty = review(client, verdict="corrected", text="  ")
    assert empty.status_code == 400 and "needs the corrected text" in empty.get_data(as_text=True)
    assert reviews_in(db) == []


def test_the_database_decides_what_a_cataloger_may_write(client, db, cataloger_role):
    sign_in(client)
    with psycopg.connect(db.url, autocommit=True) as owner:
        owner.execute(f"REVOKE INSERT ON analysis_reviews FROM {cataloger_role}")
    refused = review(client, verdict="approved")
    assert refused.status_code == 403 and "refused the review" in refused.get_data(as_text=True)
    assert reviews_in(db) == []
