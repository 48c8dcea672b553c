"""Folders the package needs at run time (sql/, examples/), found the same way everywhere.

A checkout keeps them at its top, where the design names them; the wheel carries them inside
the package as archive_analyzer/sql and archive_analyzer/examples (pyproject.toml and setup.py
map one onto the other, so nothing is committed twice). Both places are read through
importlib.resources' view of the package, so a checkout, an editable install and an installed
wheel (a Ray node, a remote runtime_env) find the same files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from archive_analyzer.errors import ArchiveAnalyzerError


def package_folder(name: str) -> Path:
    """archive_analyzer/<name> as installed, else <checkout>/<name> next to the package."""
    package = Path(str(resources.files("archive_analyzer")))
    inside = package / name
    if inside.is_dir():
        return inside
    # Only a source tree counts: a stray top-level folder of that name in site-packages does not.
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name
    raise ArchiveAnalyzerError(
        f"archive_analyzer's {name}/ folder is missing: neither {inside} (an installed wheel) "
        f"nor {checkout / name} (a checkout) exists; the package was built without its data"
    )
