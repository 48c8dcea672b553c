import pytest

from archive_analyzer.errors import ConfigError
from archive_analyzer.settings import load_settings


def test_invalid_value_names_the_setting(monkeypatch):
    monkeypatch.setenv("ARCHIVE_ANALYZER_BATCH_SIZE", "0")
    with pytest.raises(ConfigError, match="batch_size"):
        load_settings()


def test_unknown_setting_in_file_is_refused(tmp_path):
    config = tmp_path / "aa.toml"
    config.write_text("batch_sise = 4\n")
    with pytest.raises(ConfigError, match="batch_sise"):
        load_settings(str(config))


def test_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(str(tmp_path / "nope.toml"))


def test_precedence_file_then_environment_then_flags(tmp_path, monkeypatch):
    config = tmp_path / "aa.toml"
    config.write_text("batch_size = 3\nmax_new_tokens = 7\nnum_actors = 2\n")
    monkeypatch.setenv("ARCHIVE_ANALYZER_MAX_NEW_TOKENS", "9")
    settings = load_settings(str(config), num_actors=5)
    assert (settings.batch_size, settings.max_new_tokens, settings.num_actors) == (3, 9, 5)


def test_database_password_never_in_public_settings():
    settings = load_settings(database_url="postgresql://writer:s3cret@db.example/museum")
    public = str(settings.public_dict())
    assert "s3cret" not in public and "writer" not in public
    assert "s3cret" not in repr(settings)


def test_device_choice_is_validated():
    with pytest.raises(ConfigError, match="device"):
        load_settings(device="tpu")


def test_static_kv_cache_flag_overrides_file(tmp_path):
    import argparse

    from archive_analyzer.commands import add_settings_flags, settings_from

    config = tmp_path / "aa.toml"
    config.write_text("static_kv_cache = true\n")
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    add_settings_flags(parser)
    assert settings_from(parser.parse_args(["--config", str(config)])).static_kv_cache is True
    args = parser.parse_args(["--config", str(config), "--no-static-kv-cache"])
    assert settings_from(args).static_kv_cache is False
