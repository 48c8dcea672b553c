"""`show OBJECT` and the search table, as a person reads them in a terminal or a pipe."""

from __future__ import annotations

import sys

import pytest

from archive_analyzer.catalog.reviews import record_review, resolve_target
from archive_analyzer.cli import main
from archive_analyzer.commands import search as search_command
from tests.catalog_data import insert_works


@pytest.fixture
def catalog(db, monkeypatch):
    insert_works(db)
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", db.url)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return db


def tty(monkeypatch, on: bool) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: on)


def test_show_an_object_with_its_correction_terms_palette_and_history(catalog, capsys, monkeypatch):
    record_review(
        catalog, resolve_target(catalog, "T1"), "corrected", "Sea and sky.", reviewer="km"
    )
    tty(monkeypatch, False)
    assert main(["show", "T1"]) == 0
    out = capsys.readouterr().out
    assert "Storm at Sea" in out and "Oil paint on canvas" in out
    assert "CORRECTED by km" in out and "  Sea and sky." in out
    assert "model's text: A violent storm" in out
    assert "chiaroscuro (" in out and "light_and_shadow:" in out
    assert "#1f3a93" in out and "\x1b[" not in out  # plain in a pipe
    assert "brightness" in out and "corrected by km" in out  # the history's review line
    tty(monkeypatch, True)
    assert main(["show", "T1"]) == 0
    assert "\x1b[48;2;31;58;147m" in capsys.readouterr().out  # #1f3a93 as a truecolor block
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["show", "T1"]) == 0
    assert "\x1b[" not in capsys.readouterr().out


def test_show_labels_a_rejection_and_refuses_unknown_objects(catalog, capsys):
    record_review(catalog, resolve_target(catalog, "C1"), "rejected")
    assert main(["show", "C1"]) == 0
    assert "REJECTED: hidden from the catalog" in capsys.readouterr().out
    assert main(["show", "nope"]) == 2
    assert capsys.readouterr().err.strip() == "archive-analyzer: error: no analysed object 'nope'"


def test_search_table_shows_medium_and_no_markup(catalog, capsys, monkeypatch):
    tty(monkeypatch, False)
    assert main(["search", "lemons"]) == 0
    out = capsys.readouterr().out
    assert "<b>" not in out and "\x1b[" not in out
    assert "medium" in out.splitlines()[0] and "Oil on wood" in out
    tty(monkeypatch, True)
    assert main(["search", "lemons"]) == 0
    out = capsys.readouterr().out
    assert f"{search_command.BOLD}Lemons{search_command.RESET}" in out and "<b>" not in out


def test_words_beside_a_mode_option_are_refused(catalog, capsys):
    with pytest.raises(SystemExit, match="give words .'zzzz'. or --fuzzy, not both"):
        main(["search", "zzzz", "--fuzzy", "Vermeer"])
