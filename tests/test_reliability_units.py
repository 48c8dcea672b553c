"""Reliability pieces on their own: OOM batch halving, the run's ledger, redaction, secrets,
retries.

The splitting tests drive `generate_splitting` with a small "device" that really refuses batches
over its capacity by raising torch's own OutOfMemoryError, as a GPU does.
"""

from __future__ import annotations

import ast
import logging
import re
import textwrap
from pathlib import Path

import psycopg
import pytest
import torch

from archive_analyzer.cli import build_parser
from archive_analyzer.db.resilience import retry_lost_connection
from archive_analyzer.errors import ConfigError
from archive_analyzer.redact import RedactingFilter, redact, redact_value
from archive_analyzer.retry import RetryPolicy, retry
from archive_analyzer.settings import load_settings
from archive_analyzer.stages.analyze import ImageFailure, generate_splitting
from archive_analyzer.storage import ReadFailed, read_bytes


class SmallDevice:
    """Fits `capacity` images per call; `poison` images always fail (OOM or a model error)."""

    def __init__(self, capacity: int, oom_alone=(), error_alone=()) -> None:
        self.capacity, self.oom_alone, self.error_alone = capacity, set(oom_alone), set(error_alone)
        self.calls: list[list[int]] = []

    def __call__(self, rows: list[int]):
        self.calls.append(list(rows))
        if len(rows) > self.capacity or self.oom_alone & set(rows):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if self.error_alone & set(rows):
            raise ValueError("NaN in logits")
        return [f"text {row}" for row in rows], float(len(rows))


def test_out_of_memory_halves_the_batch_until_it_fits():
    device = SmallDevice(capacity=2)
    outcomes = generate_splitting(device, list(range(8)))
    assert {row: result for row, (result, _) in outcomes.items()} == {
        row: f"text {row}" for row in range(8)
    }
    assert [len(call) for call in device.calls] == [8, 4, 2, 2, 4, 2, 2]


def test_an_image_too_big_alone_becomes_a_failure_row():
    outcomes = generate_splitting(SmallDevice(capacity=8, oom_alone={5}), list(range(8)))
    assert outcomes[5] == ImageFailure(
        "out_of_memory", "OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"
    )
    assert all(outcomes[row][0] == f"text {row}" for row in range(8) if row != 5)


def test_a_poisonous_image_is_isolated_but_a_broken_model_raises():
    outcomes = generate_splitting(SmallDevice(capacity=8, error_alone={3}), list(range(6)))
    assert outcomes[3].reason == "model_error" and "NaN in logits" in outcomes[3].message
    assert sum(not isinstance(o, ImageFailure) for o in outcomes.values()) == 5
    with pytest.raises(ValueError, match="NaN"):
        generate_splitting(SmallDevice(capacity=8, error_alone=set(range(4))), list(range(4)))


SECRET_URL = "postgresql://analyst:s3cr3t-Pa55@db.museum.org:5432/archive"


def test_redaction_masks_urls_pairs_and_secret_environment_values(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    text = (
        f"cannot connect to {SECRET_URL}; dsn host=db password=hunter2-long user=x; "
        "botocore said wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY was rejected"
    )
    clean = redact(text)
    for secret in ("s3cr3t-Pa55", "hunter2-long", "wJalrXUtnFEMI"):
        assert secret not in clean
    assert "postgresql://analyst:***@db.museum.org" in clean and "password=***" in clean
    assert redact_value({"source": "s3://k:v@b/p", "n": 3}) == {"source": "s3://k:***@b/p", "n": 3}


def test_log_records_are_redacted(caplog):
    logger = logging.getLogger("archive_analyzer.test_redaction")
    caplog.handler.addFilter(RedactingFilter())
    try:
        logger.warning("retrying %s", SECRET_URL)
        try:
            raise RuntimeError(f"lost {SECRET_URL}")
        except RuntimeError:
            logger.exception("block failed")
    finally:
        caplog.handler.filters.clear()
    assert "s3cr3t" not in caplog.text and "analyst:***@" in caplog.text


def test_database_url_from_a_secrets_file(tmp_path: Path, monkeypatch):
    secret = tmp_path / "database_url"
    secret.write_text(SECRET_URL + "\n")
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL_FILE", str(secret))
    settings = load_settings()
    assert settings.database_url.get_secret_value() == SECRET_URL
    assert "s3cr3t" not in repr(settings) and "s3cr3t" not in str(settings.public_dict())
    secret.write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        load_settings()
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", SECRET_URL)
    with pytest.raises(ConfigError, match="not both"):
        load_settings()


def test_no_credential_flag_on_any_command():
    """Secrets on a command line end in shell history and `ps`; no command accepts one."""
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.choices and "analyze" in a.choices)
    flags = [
        option
        for command in subparsers.choices.values()
        for action in command._actions
        for option in action.option_strings
    ]
    assert flags and not [f for f in flags if re.search(r"password|secret|database-url", f)]


EXECUTES = {"execute", "executemany", "copy"}


def _constant_name(node: ast.AST) -> bool:
    """A module constant (UPPER_CASE): code, not input."""
    return isinstance(node, ast.Name) and node.id.isupper()


def _built_from_strings(node: ast.AST | None) -> bool:
    """SQL text made by formatting or concatenating strings (psycopg's sql.SQL is not text)."""
    if isinstance(node, ast.JoinedStr):
        values = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        return not all(_constant_name(v) for v in values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return any(_text(side) or _built_from_strings(side) for side in (node.left, node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        receiver = node.func.value
        return node.func.attr in ("format", "join") and isinstance(receiver, ast.Constant)
    return False


def sql_built_from_strings(source: str) -> list[int]:
    """Lines where execute()/executemany()/copy() gets SQL built from strings, directly or
    through a variable assigned in the same function."""
    tree = ast.parse(source)
    offenders = []
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]:
        assigned: dict[str, list[ast.AST]] = {}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                assigned.setdefault(node.target.id, []).append(node)
        for node in ast.walk(scope):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in EXECUTES or not node.args:
                continue
            sql = node.args[0]
            sources = assigned.get(sql.id, []) if isinstance(sql, ast.Name) else [sql]
            if any(_built_from_strings(s) or _aug_with_string(s) for s in sources):
                offenders.append(node.lineno)
    return sorted(set(offenders))


def _text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _aug_with_string(node: ast.AST) -> bool:
    return isinstance(node, ast.AugAssign) and (
        _text(node.value) or _built_from_strings(node.value)
    )


def test_the_sql_check_finds_what_a_line_regex_missed():
    planted = textwrap.dedent(
        """
        TABLE = "runs"
        def a(cur, name):
            cur.execute(
                f"SELECT * FROM t WHERE name = '{name}'"
            )
        def b(cur, name):
            statement = "DELETE FROM t WHERE name = '%s'" % name
            cur.execute(statement)
        def c(cur, name):
            text = "SELECT 1"
            text += " WHERE x = " + name
            cur.executemany(text, [])
        def d(cur, name):
            cur.execute("SELECT {}".format(name))
        def fine(cur, name):
            cur.execute(f"CREATE DATABASE {TABLE}")
            cur.execute(query("x"), {"name": name})
            cur.execute(sql.SQL("SELECT {}").format(sql.Identifier(name)))
        """
    )
    assert sql_built_from_strings(planted) == [4, 9, 13, 15]


def test_no_sql_is_built_from_strings_in_the_package():
    """Parameterised SQL only: no SQL text formatted or concatenated from values."""
    package = Path(__file__).resolve().parents[1] / "archive_analyzer"
    offenders = [
        f"{path.relative_to(package)}:{line}"
        for path in sorted(package.rglob("*.py"))
        for line in sql_built_from_strings(path.read_text())
    ]
    assert offenders == []


def test_readme_explains_every_failure_reason():
    from archive_analyzer.reasons import REASONS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Failure reasons", 1)[1].split("\n## ", 1)[0]
    assert [reason for reason in REASONS if f"| `{reason}` |" not in section] == []


class Flaky:
    """Fails with each of `errors` in turn, then returns "done"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors, self.calls = list(errors), 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


FAST = RetryPolicy(attempts=3, first_delay=0.001, max_delay=0.002)


def test_retry_rides_over_transient_errors_and_gives_up_after_the_policy():
    work = Flaky(ConnectionError("reset"), TimeoutError("slow"))
    assert retry(work, (OSError,), FAST, "read x failed") == "done" and work.calls == 3
    work = Flaky(*[ConnectionError(f"reset {n}") for n in range(3)])
    with pytest.raises(ConnectionError, match="reset 2"):
        retry(work, (OSError,), FAST, "read x failed")
    assert work.calls == 3


def test_final_errors_are_not_retried(tmp_path):
    work = Flaky(FileNotFoundError("gone"))
    with pytest.raises(FileNotFoundError):
        retry(work, (Exception,), FAST, "read x failed", final=(FileNotFoundError,))
    assert work.calls == 1
    with pytest.raises(ReadFailed, match=r"after 1 attempt\(s\)") as failed:
        read_bytes(str(tmp_path / "absent.jpg"), FAST)
    assert isinstance(failed.value.__cause__, FileNotFoundError)


def test_a_lost_connection_is_reset_before_each_retry():
    resets = []
    work = Flaky(psycopg.OperationalError("server closed the connection"))
    assert retry_lost_connection(work, lambda: resets.append(1), FAST) == "done"
    assert (work.calls, len(resets)) == (2, 1)
    with pytest.raises(psycopg.errors.UniqueViolation):  # not a lost connection: no retry
        retry_lost_connection(Flaky(psycopg.errors.UniqueViolation("dup")), resets.clear, FAST)


def test_backoff_grows_with_jitter_up_to_the_ceiling():
    policy = RetryPolicy(attempts=10, first_delay=0.5, max_delay=10.0)
    assert [0.25 <= policy.delay(1) <= 0.5, 4.0 <= policy.delay(5) <= 8.0] == [True, True]
    assert all(5.0 <= policy.delay(9) <= 10.0 for _ in range(20))
    assert len({policy.delay(3) for _ in range(20)}) > 1
