"""JSON-LD processing without the network: the Linked Art context ships with the package.

pyld fetches every remote context by default; exports are checked (and tests run) offline, so
its document loader serves the vendored copy of https://linked.art/ns/v1/linked-art.json
(archive_analyzer/data/linked-art-context.json, CC BY 4.0, Linked Art) and refuses any other
URL instead of reaching out.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from archive_analyzer.errors import MissingExtraError
from archive_analyzer.export.linked_art import CONTEXT


@cache
def linked_art_context() -> dict[str, Any]:
    text = resources.files("archive_analyzer").joinpath("data/linked-art-context.json")
    return json.loads(text.read_text())


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    if url.rstrip("/") != CONTEXT:
        raise ValueError(f"offline JSON-LD loader: no local copy of {url}")
    return {"contextUrl": None, "documentUrl": url, "document": linked_art_context()}


def expand(document: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        from pyld import jsonld
    except ImportError as exc:
        raise MissingExtraError("pyld", "export") from exc
    return jsonld.expand(document, {"documentLoader": document_loader})


def compact(expanded: list[dict[str, Any]]) -> dict[str, Any]:
    from pyld import jsonld

    return jsonld.compact(expanded, CONTEXT, {"documentLoader": document_loader})
