"""Settings errors say where the bad value came from; a typo in a variable is refused; read
commands on a fresh database migrate it or name the fix."""

from __future__ import annotations

import pytest

from archive_analyzer.cli import main
from archive_analyzer.db.embedded import stop_embedded
from archive_analyzer.errors import ConfigError
from archive_analyzer.settings import load_settings


def test_each_source_is_named(tmp_path, monkeypatch):
    config = tmp_path / "aa.toml"
    config.write_text('prompt = "formal_analysis"\n\nbatch_size = 0\n')
    with pytest.raises(ConfigError, match=rf"batch_size \({config}:3\)"):
        load_settings(str(config))
    monkeypatch.setenv("ARCHIVE_ANALYZER_BATCH_SIZE", "-2")
    with pytest.raises(ConfigError, match=r"batch_size \(env var ARCHIVE_ANALYZER_BATCH_SIZE\)"):
        load_settings(str(config))
    with pytest.raises(ConfigError, match=r"batch_size \(flag --batch-size\)"):
        load_settings(str(config), batch_size=0)


def test_unknown_variable_is_refused_with_a_suggestion(monkeypatch):
    monkeypatch.setenv("ARCHIVE_ANALYZER_BATCHSIZE", "8")
    typo = "ARCHIVE_ANALYZER_BATCHSIZE .did you mean ARCHIVE_ANALYZER_BATCH_SIZE"
    with pytest.raises(ConfigError, match=typo):
        load_settings(None)


@pytest.mark.parametrize("name", ["SQL_DIR", "READER_PASSWORD", "CONFIG", "COLLECTIONS_FILE"])
def test_variables_read_elsewhere_are_allowed(monkeypatch, tmp_path, name):
    value = str(tmp_path / "aa.toml") if name == "CONFIG" else "x"
    (tmp_path / "aa.toml").write_text("")
    monkeypatch.setenv(f"ARCHIVE_ANALYZER_{name}", value)
    assert load_settings(None).batch_size == 8


def test_toml_syntax_error_is_one_line_with_position(tmp_path, capsys):
    config = tmp_path / "aa.toml"
    config.write_text('batch_size = 8\nprompt = = "x"\n')
    assert main(["--config", str(config), "runs"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{config}:2:10: TOML syntax error" in err


def test_read_commands_migrate_a_fresh_embedded_database(isolated_home, capsys):
    try:
        assert main(["runs"]) == 0
        assert main(["search", "light"]) == 0
        assert main(["failures"]) == 2  # "no runs yet", not a missing function
        assert "no runs yet" in capsys.readouterr().err
    finally:
        stop_embedded(isolated_home)


@pytest.mark.parametrize("command", [["runs"], ["search", "light"], ["failures", "1"]])
def test_unmigrated_server_names_db_migrate(empty_database_url, monkeypatch, capsys, command):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", empty_database_url)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "run `archive-analyzer db migrate`" in err and "Traceback" not in err
