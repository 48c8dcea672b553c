"""Package list for setuptools: pyproject.toml holds everything else.

pyproject's `packages.find` cannot name a package whose folder lies outside the package tree,
and sql/ and examples/ do (pyproject.toml's package-dir maps them in), so the list is built here.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["archive_analyzer", "archive_analyzer.*"]),
        "archive_analyzer.sql",
        "archive_analyzer.examples",
    ]
)
