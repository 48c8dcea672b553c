"""Keeping credentials out of logs, progress output, error messages and the runs table.

Three kinds of secret are masked wherever text leaves the process: passwords inside URLs
(`postgresql://user:pw@host`), `key=value` pairs whose key names a secret (libpq DSNs, INI-style
dumps), and the literal values of secret environment variables (AWS keys, tokens), which can turn
up anywhere, for instance inside a library's exception text.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from archive_analyzer.errors import ConfigError

MASK = "***"
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):[^@/\s]*@")
_SECRET_PAIR = re.compile(
    r"(?i)(?P<key>\b[\w-]*(?:password|passwd|pwd|secret|token|credential)[\w-]*)"
    r"(?P<sep>\s*[=:]\s*)(?P<quote>['\"]?)[^\s'\"&;,]+"
)
_SECRET_ENV_NAME = re.compile(r"(?i)(SECRET|PASSWORD|TOKEN|CREDENTIAL|DATABASE_URL)")
# Shorter values are too likely to be ordinary words (and too weak to be real secrets).
_MIN_SECRET_LENGTH = 8


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """Values of environment variables whose names say they are secrets, longest first."""
    environ = os.environ if environ is None else environ
    found = {
        value
        for name, value in environ.items()
        if _SECRET_ENV_NAME.search(name) and len(value) >= _MIN_SECRET_LENGTH
    }
    return sorted(found, key=len, reverse=True)


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """`text` with every credential it contains replaced by ***."""
    if not text:
        return text
    for value in (*extra_secrets, *secret_values()):
        if value:
            text = text.replace(value, MASK)
    text = _URL_PASSWORD.sub(rf"\g<head>:{MASK}@", text)
    return _SECRET_PAIR.sub(rf"\g<key>\g<sep>\g<quote>{MASK}", text)


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
