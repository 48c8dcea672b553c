"""Secrets stay out of output, and only secrets: values are masked, the words around them stay."""

from __future__ import annotations

import psycopg
import pytest

from archive_analyzer.cli import main
from archive_analyzer.db.schema import _without_password
from archive_analyzer.redact import redact

# (message, secrets that must vanish, text that must survive)
MESSAGES = [
    ("max_new_tokens: value should be greater than or equal to 1", [],
     "max_new_tokens: value should be greater than or equal to 1"),
    ("NoCredentialsError: Unable to locate credentials", [],
     "NoCredentialsError: Unable to locate credentials"),
    ("the tokenizer has 32000 tokens; token ids start at 0", [], "32000 tokens; token ids"),
    ("credentials expired, refresh them", [], "credentials expired, refresh them"),
    ("token_count: 12, password_file: /run/secrets/db", [], "token_count: 12, password_file: /run"),
    ("connect to postgresql://analyst:s3cr3t-Pa55@db.museum.org:5432/archive",
     ["s3cr3t-Pa55"], "postgresql://analyst:***@db.museum.org:5432/archive"),
    ("read s3://AKIAEXAMPLE:wJalrXUtnFEMI/K7MDENG@bucket/key.jpg",
     ["wJalrXUtnFEMI/K7MDENG"], "s3://AKIAEXAMPLE:***@bucket/key.jpg"),
    ("postgresql+psycopg://u:p%40ss%20w0rd@h/db", ["p%40ss%20w0rd"], "u:***@h/db"),
    ("dsn host=db password=hunter2-long user=x", ["hunter2-long"], "host=db password=*** user=x"),
    ("dsn host=db password='pa ss word' user=x", ["pa ss word"], "password='***' user=x"),
    ("PGPASSWORD=hunter2 pg_dump", ["hunter2"], "PGPASSWORD=*** pg_dump"),
    ('{"secret": "a b c", "n": 1}', ["a b c"], '{"secret": "***", "n": 1}'),
    ("{'client_secret': 'xyz123', 'name': 'x'}", ["xyz123"], "'name': 'x'"),
    ("token: ghp_abcdef123456", ["ghp_abcdef123456"], "token: ***"),
    ("AWS_SECRET_ACCESS_KEY=abc/def+ghi", ["abc/def+ghi"], "AWS_SECRET_ACCESS_KEY=***"),
    ("aws_session_token = FQoGZXIvYXdz", ["FQoGZXIvYXdz"], "aws_session_token = ***"),
    ("SecretAccessKey: Zm9vYmFy", ["Zm9vYmFy"], "SecretAccessKey: ***"),
    ("api_key=k-123 and aws_access_key_id=AKIAEXAMPLE", ["k-123"], "aws_access_key_id=AKIAEXAMPLE"),
    ("Authorization: Bearer eyJhbGciOi.xyz", ["eyJhbGciOi.xyz"], "Authorization: Bearer ***"),
    ("status: password=nested-secret", ["nested-secret"], "status: password=***"),
    ("ValueError: password: must not be empty", [], "ValueError: password:"),
    ("1 image failed: cannot identify image file", [], "1 image failed: cannot identify image"),
    ("https://example.org/a:b@c is not a userinfo URL", [], "https://example.org/a:b@c"),
]  # fmt: skip


@pytest.mark.parametrize(("message", "secrets", "kept"), MESSAGES, ids=range(len(MESSAGES)))
def test_redaction_masks_values_and_keeps_words(message, secrets, kept):
    clean = redact(message)
    assert all(secret not in clean for secret in secrets), clean
    assert kept in clean, clean


def test_known_secret_variables_are_masked_wherever_they_appear(monkeypatch):
    values = {
        "ARCHIVE_ANALYZER_READER_PASSWORD": "reader pw 42",
        "ARCHIVE_ANALYZER_CATALOGER_PASSWORD": "c4t-al0ger",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG",
        "AWS_SESSION_TOKEN": "FQoGZXIvYXdzEJr",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", "postgresql://u:p%40ss%20w0rd@h/db")
    text = " | ".join([*values.values(), "p@ss w0rd", "p%40ss%20w0rd", "max_new_tokens"])
    assert redact(text) == " | ".join(["***"] * 6 + ["max_new_tokens"])


@pytest.mark.parametrize(
    "url",
    ["postgresql://u:pa ss word1@localhost:1/db", "postgresql://u:p%40ss%20w0rd1@localhost:1/db"],
    ids=["space", "escaped"],
)
def test_a_password_with_a_space_or_escapes_never_prints(url, monkeypatch, capsys):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", url)
    assert main(["db", "status"]) in (1, 2)
    err = capsys.readouterr().err
    assert err.startswith("archive-analyzer: error: "), err
    assert "pa ss" not in err and "w0rd1" not in err
    main(["-v", "db", "status"])
    err = capsys.readouterr().err
    assert "w0rd1" not in err and "pa ss" not in err


def test_a_library_error_is_one_line_with_its_type(monkeypatch, capsys):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", "postgresql://u:pa ss word1@localhost/db")
    assert main(["db", "status"]) == 1
    err = capsys.readouterr().err
    assert err == (
        'archive-analyzer: error: ProgrammingError: unexpected spaces found in "***", '
        "use percent-encoded spaces (%20) instead\n"
    )
    assert main(["-v", "db", "status"]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_db_url_masks_the_password_unless_asked(monkeypatch, capsys):
    url = "postgresql://analyst:s3cr3t%20Pa55@db.museum.org:5432/archive"
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", url)
    assert main(["db", "url"]) == 0
    assert capsys.readouterr().out == "postgresql://analyst:***@db.museum.org:5432/archive\n"
    assert main(["db", "url", "--show-password"]) == 0
    assert capsys.readouterr().out == url + "\n"


def test_pg_dump_gets_the_password_from_its_environment_not_argv():
    conninfo, env = _without_password("postgresql://u:p%40ss%20w0rd@127.0.0.1:5/db?sslmode=allow")
    assert "w0rd" not in conninfo and env["PGPASSWORD"] == "p@ss w0rd"
    assert psycopg.conninfo.conninfo_to_dict(conninfo) == {
        "user": "u", "host": "127.0.0.1", "port": "5", "dbname": "db", "sslmode": "allow",
    }  # fmt: skip
