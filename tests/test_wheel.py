"""A wheel built from the checkout carries the SQL and the sample paintings, and works installed.

The wheel is installed into a --target folder that comes first on PYTHONPATH; the commands run
from a folder outside the checkout, and every archive_analyzer module they import must come from
that folder, not from the checkout (or the editable install of the shared virtualenv).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
# Build outputs and caches: never part of what a wheel is built from.
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "var")

DRIVER = """
import json, sys
from pathlib import Path

target = Path(sys.argv[1]).resolve()
from archive_analyzer.cli import main

code = main(sys.argv[2:])
from archive_analyzer.commands.demo import examples
from archive_analyzer.db.queries import sql_dir

loaded = {n: m.__file__ for n, m in list(sys.modules.items())
          if n.startswith("archive_analyzer") and getattr(m, "__file__", None)}
report = {
    "code": code,
    "modules": len(loaded),
    "outside": sorted(n for n, f in loaded.items() if not Path(f).resolve().is_relative_to(target)),
    "sql_dir": str(sql_dir()),
    "examples": str(examples()),
}
print("REPORT " + json.dumps(report))
"""


def _pip(*args: str, cwd: Path) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"pip {args[0]} failed:\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel --no-deps` of a copy of the checkout (building in place would leave build/
    and *.egg-info in the checkout, under other test sessions' feet)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(CHECKOUT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    # No build isolation: the build needs only setuptools, which the virtualenv has, and no index.
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(root), str(source), cwd=root)
    (built,) = root.glob("archive_analyzer-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel) -> Path:
    target = wheel.parent / "site"
    _pip(
        "install", "--no-deps", "--no-index", "--target", str(target), str(wheel), cwd=target.parent
    )
    return target


def _files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_wheel_carries_every_package_the_sql_and_the_paintings(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

        def shipped(prefix: str) -> dict[str, bytes]:
            return {n[len(prefix) :]: archive.read(n) for n in names if n.startswith(prefix)}

        assert shipped("archive_analyzer/sql/") == _files_under(CHECKOUT / "sql")
        examples = shipped("archive_analyzer/examples/")
        assert examples == _files_under(CHECKOUT / "examples")
    assert "migrations/superseded.txt" in _files_under(CHECKOUT / "sql")
    assert sum(name.endswith(".jpg") for name in examples) == 12
    packages = {
        p.parent.relative_to(CHECKOUT).as_posix() + "/__init__.py"
        for p in (CHECKOUT / "archive_analyzer").rglob("__init__.py")
    }
    assert packages <= names


def _run(installed: Path, cwd: Path, env: dict[str, str], *argv: str) -> tuple[dict, str]:
    driver = cwd / "drive.py"
    driver.write_text(DRIVER)
    result = subprocess.run(
        [sys.executable, str(driver), str(installed), *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    report = json.loads(lines[-1].removeprefix("REPORT "))
    assert report["code"] == 0, result.stdout + result.stderr[-3000:]
    assert report["outside"] == [], "imported from outside the installed wheel"
    assert report["modules"] > 10
    return report, "\n".join(lines[:-1])


def _three_paintings(folder: Path) -> None:
    """The first three sample paintings with their manifest rows."""
    examples = CHECKOUT / "examples" / "paintings"
    with open(examples / "manifest.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))[:3]
    folder.mkdir()
    for row in rows:
        shutil.copy(examples / row["image_uri"], folder / row["image_uri"])
    with open(folder / "manifest.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow  # ~40 s: three fresh interpreters, one of them importing torch and the model
def test_an_installed_wheel_migrates_analyses_and_searches_outside_the_checkout(
    installed, empty_database_url, tiny_model, tmp_path
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert not elsewhere.resolve().is_relative_to(CHECKOUT)
    _three_paintings(elsewhere / "paintings")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ARCHIVE_ANALYZER_") and key != "PYTHONPATH"
    }
    env.update(
        PYTHONPATH=str(installed),
        ARCHIVE_ANALYZER_DATABASE_URL=empty_database_url,
        ARCHIVE_ANALYZER_HOME=str(tmp_path / "home"),
        ARCHIVE_ANALYZER_MODEL=str(tiny_model),
        ARCHIVE_ANALYZER_MAX_NEW_TOKENS="8",
        ARCHIVE_ANALYZER_EMBED="false",  # the semantic model is not what this test is about
    )

    report, out = _run(installed, elsewhere, env, "db", "migrate")
    assert Path(report["sql_dir"]) == installed / "archive_analyzer" / "sql"
    assert Path(report["examples"]) == installed / "archive_analyzer" / "examples" / "paintings"
    assert "applied 0001_core.sql" in out and "applied 0007_superseded_objects.sql" in out

    paintings = str(elsewhere / "paintings")
    manifest = str(elsewhere / "paintings" / "manifest.csv")
    _, out = _run(installed, elsewhere, env, "analyze", paintings, "--manifest", manifest,
                  "--engine", "local", "--no-progress")  # fmt: skip
    assert "succeeded" in out and "analysed 3" in out

    _, out = _run(installed, elsewhere, env, "search", "Ermine", "--json")
    found = json.loads(out)
    assert [hit["object_id"] for hit in found] == ["irinainina_066"]
    assert found[0]["title"] == "Lady with an Ermine"
