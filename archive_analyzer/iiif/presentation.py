"""IIIF Presentation 3.0 and 2.1 manifests and collections -> one image per canvas.

Each canvas contributes its painting annotation's image (the first when a canvas has several,
or the first choice of a Choice; the others are named in a warning and in the artwork's
metadata). Labels and metadata pairs become artwork fields; language maps prefer English, then
"none", then the first language given. Identity: a manifest with one canvas is one object (the
manifest id); in a manifest with several canvases each canvas is an object (the canvas id).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

# Metadata labels museums use for the artwork fields (compared lower-cased).
LABEL_FIELDS = {
    "title": "title",
    "artist": "artist",
    "creator": "artist",
    "maker": "artist",
    "painter": "artist",
    "author": "artist",
    "attribution": "artist",
    "date": "date_text",
    "dated": "date_text",
    "created": "date_text",
    "date created": "date_text",
    "medium": "medium",
    "materials": "medium",
    "material": "medium",
    "technique": "medium",
    "medium and support": "medium",
}
_TAGS = re.compile(r"<[^>]+>")  # IIIF values may carry a little HTML


@dataclass(frozen=True)
class CanvasImage:
    canvas_id: str
    manifest_id: str
    object_id: str
    metadata: dict[str, Any]
    service: str | None  # Image API base URL (preferred: fingerprints without downloads)
    service_version: int  # 2 or 3: the request syntax if info.json cannot be read
    image: str | None  # the painting body's own URL, used when there is no service


@dataclass
class Document:
    """A parsed manifest (canvases) or collection (references to follow)."""

    canvases: list[CanvasImage] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


def text(value: Any, prefer: tuple[str, ...] = ("en", "none")) -> str | None:
    """A label or value in any IIIF form: string, language map (3.0), @value objects (2.1)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _TAGS.sub("", value).strip() or None
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and "@value" in v for v in value):
            by_lang = {v.get("@language", "none"): v["@value"] for v in reversed(value)}
            return text({k: [v] for k, v in by_lang.items()}, prefer)
        return "; ".join(filter(None, (text(v, prefer) for v in value))) or None
    if isinstance(value, dict):
        if "@value" in value:
            return text(value["@value"], prefer)
        for lang in (*prefer, *value):
            if lang in value:
                return text(value[lang], prefer)
    return None


def _id(node: dict) -> str | None:
    found = node.get("id") or node.get("@id")
    return str(found) if found else None


def _type(node: dict) -> str:
    return str(node.get("type") or node.get("@type") or "").split(":")[-1]


def pairs(metadata: Any) -> dict[str, str]:
    """Metadata pairs as {label: value}, with the artwork fields added under their names."""
    found: dict[str, str] = {}
    for pair in metadata if isinstance(metadata, list) else ():
        label, value = text(pair.get("label")), text(pair.get("value"))
        if label and value:
            found[label] = value
    for label, value in list(found.items()):
        name = LABEL_FIELDS.get(label.lower())
        if name and name not in found:
            found[name] = value
    return found


def _services(body: dict) -> tuple[str | None, int]:
    services = body.get("service") or []
    for service in services if isinstance(services, list) else [services]:
        kind = _type(service) + str(service.get("profile", ""))
        if "ImageService" in kind or "iiif.io/api/image" in kind or "level" in kind:
            version = 2 if "2" in _type(service) or "image/2" in kind else 3
            return _id(service), version
    return None, 3


def _bodies(canvas: dict) -> list[dict]:
    """The canvas's painting bodies, in order: 3.0 annotation pages or 2.1 `images`."""
    found = []
    for page in canvas.get("items") or ():
        for annotation in page.get("items") or ():
            if "painting" in str(annotation.get("motivation", "painting")):
                body = annotation.get("body")
                found += body if isinstance(body, list) else [body] if body else []
    for annotation in canvas.get("images") or ():
        if annotation.get("resource"):
            found.append(annotation["resource"])
    # A Choice offers alternatives of one image (e.g. visible and infrared): take the first.
    return [_first_choice(b) if "Choice" in _type(b) else b for b in found]


def _first_choice(choice: dict) -> dict:
    options = choice.get("items") or choice.get("default") or [choice]
    return options[0] if isinstance(options, list) else options


def _canvases(manifest: dict) -> list[dict]:
    if manifest.get("items") is not None:
        return [c for c in manifest["items"] if _type(c) == "Canvas"]
    return [c for seq in manifest.get("sequences") or () for c in seq.get("canvases") or ()]


def canvas_image(canvas: dict, manifest: dict, single: bool) -> CanvasImage | None:
    bodies = _bodies(canvas)
    canvas_id, manifest_id = _id(canvas) or "", _id(manifest) or ""
    if not bodies:
        return None
    metadata: dict[str, Any] = {**pairs(manifest.get("metadata")), **pairs(canvas.get("metadata"))}
    own, whole = text(canvas.get("label")), text(manifest.get("label"))
    title = (whole or own) if single else (own or whole)
    if title and not (single and "title" in metadata):  # one painting: its record's title
        metadata["title"] = title
    metadata.update(iiif_manifest=manifest_id, iiif_canvas=canvas_id)
    if len(bodies) > 1:
        metadata["iiif_note"] = f"canvas has {len(bodies)} painting images; the first is analysed"
        logger.warning("%s: %s", canvas_id, metadata["iiif_note"])
    service, version = _services(bodies[0])
    object_id = manifest_id if single else canvas_id
    return CanvasImage(
        canvas_id, manifest_id, object_id, metadata, service, version, _id(bodies[0])
    )


def parse(document: dict, where: str) -> Document:
    """A manifest's canvases, or a collection's manifest and sub-collection references."""
    kind = _type(document)
    parsed = Document()
    if kind == "Collection":
        members = document.get("items") or [
            *(document.get("manifests") or ()),
            *(document.get("collections") or ()),
            *(document.get("members") or ()),
        ]
        for member in members:
            if _type(member) == "Manifest" and _canvases(member):
                parsed.canvases += parse(member, where).canvases  # embedded, not referenced
            elif _id(member):
                parsed.references.append(_id(member))
        return parsed
    if kind != "Manifest":
        raise ValueError(f"{where} is a IIIF {kind or 'document'}, not a Manifest or Collection")
    canvases = _canvases(document)
    for canvas in canvases:
        found = canvas_image(canvas, document, single=len(canvases) == 1)
        if found is None:
            logger.warning("%s: canvas %s paints no image; skipped", where, _id(canvas))
        else:
            parsed.canvases.append(found)
    return parsed
