"""Every search mode against real PostgreSQL on crafted artworks: order, filters, hostile input."""

from __future__ import annotations

import numpy as np
import psycopg
import pytest

from archive_analyzer.catalog.colors import hex_to_rgb, srgb_to_lab
from archive_analyzer.catalog.embedding import shared_embedder
from archive_analyzer.catalog.search import Filters, SearchError, search
from archive_analyzer.cli import main
from archive_analyzer.errors import ArchiveAnalyzerError
from tests.catalog_data import insert_works


@pytest.fixture(scope="module")
def embedder():
    return shared_embedder()


@pytest.fixture
def catalog(db, embedder):
    insert_works(db, embedder)
    return db


def ids(rows) -> list[str]:
    return [r["object_id"] for r in rows]


def test_full_text_ranks_title_and_terms_above_passing_mentions(catalog):
    found = search(catalog, "text", "chiaroscuro")
    assert set(ids(found)) == {"T1", "R1"}
    assert ids(search(catalog, "text", "storm sea")) == ["T1"]
    # "Turner" is in T1 and T2's artist (weight A), nowhere else.
    assert set(ids(search(catalog, "text", "turner"))) == {"T1", "T2"}
    assert ids(search(catalog, "text", "chiaroscuro -tenebrism")) == ["T1"]
    assert "<b>" in search(catalog, "text", "lemons")[0]["detail"]


def test_fuzzy_finds_misspelt_artists_and_titles(catalog):
    assert set(ids(search(catalog, "fuzzy", "Turnr"))) == {"T1", "T2"}
    assert ids(search(catalog, "fuzzy", "Rembrant"))[0] == "R1"
    assert ids(search(catalog, "fuzzy", "water lillies"))[0] == "M1"


def test_fuzzy_lists_a_prolific_painters_first_works_and_follows_renamed_artists(catalog):
    studies = [
        (f"V{n:02d}", f"Study {n}", "Johannes Vermeer", "1660", (1660, 1660), "Oil on canvas",
         "A quiet interior with soft light from a window.", ["#c0c0c0"])
        for n in range(15)
    ]  # fmt: skip
    insert_works(catalog, works=studies)
    found = search(catalog, "fuzzy", "Vermer", limit=10)
    assert ids(found) == [f"V{n:02d}" for n in range(10)]  # equal scores: object order
    with catalog.connect() as conn:
        conn.execute("UPDATE artworks SET artist = 'Jan van der Meer' WHERE object_id = 'V14'")
        conn.commit()
    assert ids(search(catalog, "fuzzy", "van der Mer")) == ["V14"]


def test_semantic_orders_by_meaning(catalog):
    found = search(catalog, "semantic", "a ship in a tempest on the ocean")
    assert ids(found)[0] == "T1"
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True)
    assert ids(search(catalog, "semantic", "fruit on a kitchen table"))[0] == "C1"


def test_similar_excludes_the_artwork_itself(catalog):
    found = search(catalog, "similar", "T1")
    assert "T1" not in ids(found) and len(found) == 4
    with pytest.raises(SearchError, match="no analysed artwork"):
        search(catalog, "similar", "NOPE")


def test_colour_by_hex_and_by_name(catalog):
    assert ids(search(catalog, "color", "#1f3a93"))[0] == "T1"
    assert ids(search(catalog, "color", "navy"))[0] == "M1"
    assert ids(search(catalog, "color", "gold"))[0] == "C1"
    found = search(catalog, "color", "#1e3a90")
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True) and found[0]["distance"] < 2


def test_filters_combine_with_every_mode(catalog):
    turner_1840s = Filters(artist="turner", year_from=1840, year_to=1850)
    assert ids(search(catalog, "text", "light", filters=turner_1840s)) == ["T2"]
    assert ids(search(catalog, "semantic", "a painting", filters=turner_1840s)) == ["T2"]
    assert ids(search(catalog, "color", "white", filters=turner_1840s)) == ["T2"]
    assert ids(search(catalog, "fuzzy", "Turner", filters=Filters(medium="canvas", year_to=1840)))
    on_wood = Filters(medium="wood")
    assert ids(search(catalog, "similar", "T1", filters=on_wood)) == ["C1"]
    chiaroscuro_canvas = Filters(term="chiaroscuro", medium="canvas", year_from=1600)
    assert set(ids(search(catalog, "semantic", "portrait", filters=chiaroscuro_canvas))) == {
        "T1",
        "R1",
    }
    assert ids(search(catalog, "text", "chiaroscuro", filters=Filters(year_to=1700))) == ["R1"]
    assert ids(search(catalog, "text", "serene", filters=Filters(aspect="mood_and_effect"))) == [
        "T2"
    ]
    assert search(catalog, "text", "serene", filters=Filters(aspect="line")) == []


HOSTILE = [
    "'; DROP TABLE analyses; --",
    '"unclosed phrase',
    "storm & | ! ( :* <->",
    "-- comment",
    "\\x00 \\' \"\" ''",  # the four characters backslash-x-0-0 (a real NUL: below)
    "a:* & !(b | c",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_return_results_or_clear_errors_and_change_nothing(catalog, text):
    before = _counts(catalog)
    for mode in ("text", "fuzzy", "semantic"):
        assert isinstance(search(catalog, mode, text), list)
    with pytest.raises(SearchError):
        search(catalog, "similar", text)
    with pytest.raises(ArchiveAnalyzerError, match="colour"):
        search(catalog, "color", text)
    assert _counts(catalog) == before


@pytest.mark.parametrize("mode", ["text", "fuzzy", "semantic", "similar", "color"])
def test_a_real_nul_is_refused_clearly_and_changes_nothing(catalog, mode):
    before = _counts(catalog)
    with pytest.raises(SearchError, match="NUL"):
        search(catalog, mode, "storm\x00 at sea")
    with pytest.raises(SearchError, match="NUL"):
        search(catalog, "text", "storm", filters=Filters(artist="Turner\x00"))
    assert _counts(catalog) == before


def test_invalid_filters_and_limits_fail_clearly(catalog):
    with pytest.raises(SearchError, match="aspect"):
        search(catalog, "text", "x", filters=Filters(aspect="smell"))
    with pytest.raises(SearchError, match="year range"):
        search(catalog, "text", "x", filters=Filters(year_from=1900, year_to=1800))
    with pytest.raises(SearchError, match="limit"):
        search(catalog, "text", "x", limit=0)


def test_sql_functions_work_from_psql_style_calls(catalog):
    with catalog.connect() as conn:
        rows = conn.execute(
            "SELECT object_id FROM catalog_search_color('Navy', 2, p_medium => 'canvas')"
        ).fetchall()
        assert rows[0]["object_id"] == "M1"
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="unknown colour"):
            conn.execute("SELECT * FROM catalog_search_color('not a colour')")


def test_sql_and_python_agree_on_cielab(db):
    hexes = ["#1f3a93", "#ffd700", "#000000", "#808080", "#2e8b57"]
    with db.connect() as conn:
        sql_lab = [
            np.array(conn.execute("SELECT catalog_hex_lab(%s)::real[] AS v", (h,)).fetchone()["v"])
            for h in hexes
        ]
    python_lab = srgb_to_lab(np.array([hex_to_rgb(h) for h in hexes], dtype=float))
    assert np.allclose(np.array(sql_lab), python_lab, atol=0.01)


def test_views_for_catalogers(catalog):
    with catalog.connect() as conn:
        artworks = conn.execute("SELECT * FROM catalog_artworks ORDER BY object_id").fetchall()
        assert [a["object_id"] for a in artworks] == ["C1", "M1", "R1", "T1", "T2"]
        assert "chiaroscuro" in artworks[3]["terms"]
        light = conn.execute(
            "SELECT object_id FROM catalog_aspects WHERE aspect = 'light_and_shadow' "
            "AND sentence ILIKE '%%chiaroscuro%%' ORDER BY 1"
        ).fetchall()
        assert [r["object_id"] for r in light] == ["R1", "T1"]
        navy = conn.execute("SELECT object_id FROM catalog_palette WHERE css_name = 'navy'")
        assert [r["object_id"] for r in navy] == ["M1"]


def test_search_command_prints_a_table_and_json(catalog, capsys, monkeypatch):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", catalog.url)
    assert main(["search", "--color", "navy", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "M1" in out and "file:///collection/M1.jpg" in out
    assert main(["search", "--fuzzy", "turner", "--year-from", "1840", "--json"]) == 0
    assert '"object_id": "T2"' in capsys.readouterr().out
    assert main(["search", "--color", "no-such-colour"]) == 2
    assert "unknown colour" in capsys.readouterr().err


def _counts(db) -> tuple:
    with db.connect() as conn:
        return tuple(
            conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"]
            for t in ("analyses", "artworks", "analysis_structure", "palette_colors")
        )
