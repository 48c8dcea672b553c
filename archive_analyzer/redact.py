"""Keeping credentials out of logs, progress output, error messages and the runs table.

Redaction masks values, never the words around them. Three kinds of secret are masked wherever
text leaves the process:

- the password in a URL's userinfo (`postgresql://user:***@host`, `s3://KEY:***@bucket`);
- the value after a key that names a secret (`password=***`, `token: ***`, `"secret": "***"`,
  `AWS_SECRET_ACCESS_KEY=***`). A key names a secret when its last word is one (password,
  secret, token, ...) or it is a secret/private/api/access *key*; so `max_new_tokens: 0` and
  `NoCredentialsError: Unable to locate credentials` are ordinary text and stay;
- the current values of secret environment variables (ARCHIVE_ANALYZER_*_PASSWORD,
  AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, the database URL's password, ...), wherever they
  turn up, for instance quoted inside a library's exception text.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from archive_analyzer.errors import ConfigError

MASK = "***"
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):[^@\s]*?@")
# key (bare or quoted), separator, then the value in a lookahead: a match consumes only the
# key, so a secret pair inside an ordinary pair's value (`status: password=x`) is still found.
_PAIR = re.compile(
    r"""(?P<kq>["']?)(?P<name>[A-Za-z_][\w.-]*)(?P=kq)\s*[=:]\s*(?:(?i:bearer|basic)\s+)?"""
    r"""(?=(?P<value>(?P<vq>["'])(?:\\.|(?!(?P=vq)).)*(?P=vq)|[^\s'",;&}\]]+))"""
)
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SECRET_WORDS = ("password", "passwd", "pwd", "passphrase", "secret", "token", "credential")
_SECRET_KEY_KINDS = {"secret", "private", "api", "access", "signing", "encryption"}
_DATABASE_URL_VARS = ("ARCHIVE_ANALYZER_DATABASE_URL", "DATABASE_URL")
# Shorter values are too likely to be ordinary words (and too weak to be real secrets).
_MIN_SECRET_LENGTH = 8


def is_secret_name(name: str) -> bool:
    """Whether a key or variable name says its value is a secret (see the module's rules)."""
    words = [w.lower() for w in _WORDS.findall(name)]
    if not words:
        return False
    last = words[-1]
    if last.endswith(_SECRET_WORDS) or last in ("apikey", "authorization"):
        return True
    return last == "key" and bool(_SECRET_KEY_KINDS.intersection(words[:-1]))


def _url_password(url: str) -> list[str]:
    try:
        password = urlsplit(url.strip()).password
    except ValueError:
        return []
    # As written, decoded, and re-encoded (a library may print any of the three).
    return [password, unquote(password), quote(unquote(password), safe="")] if password else []


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """Values of secret environment variables (and the database URL's password), longest first."""
    environ = os.environ if environ is None else environ
    found = {value for name, value in environ.items() if is_secret_name(name)}
    for name in _DATABASE_URL_VARS:
        found.update(_url_password(environ.get(name, "")))
    return sorted((v for v in found if len(v) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def _secret_spans(text: str) -> list[tuple[int, int]]:
    """Where the values of secret-named keys are (a quoted value keeps its quotes)."""
    spans: list[tuple[int, int]] = []
    for match in _PAIR.finditer(text):
        if not is_secret_name(match["name"]):
            continue
        start, end = match.span("value")
        if match["vq"]:
            start, end = start + 1, end - 1
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    return spans


def _mask_pairs(text: str) -> str:
    for start, end in reversed(_secret_spans(text)):
        text = text[:start] + MASK + text[end:]
    return text


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """`text` with every credential it contains replaced by ***."""
    if not text:
        return text
    for value in (*extra_secrets, *secret_values()):
        if value:
            text = text.replace(value, MASK)
    text = _URL_PASSWORD.sub(rf"\g<head>:{MASK}@", text)
    return _mask_pairs(text)


def redact_value(value):
    """Redact every string inside a JSON-like value (dicts, lists, scalars)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message (and traceback) with credentials masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of `logger` (root by default), once."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def read_secret_file(path: Path, setting: str) -> str:
    """A secret kept in a file (a Kubernetes/Docker secret, a 0600 file), stripped of newlines."""
    try:
        value = path.expanduser().read_text().strip()
    except OSError as exc:
        raise ConfigError(f"{setting}: cannot read {path}: {exc.strerror}") from None
    if not value:
        raise ConfigError(f"{setting}: {path} is empty")
    return value
