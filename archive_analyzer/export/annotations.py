"""The analysis as a W3C Web Annotation on the IIIF canvas its image came from.

One AnnotationPage per canvas (the form IIIF Presentation 3 viewers load next to a canvas),
holding one Annotation: motivation `describing`, the analysis as an English TextualBody, the
canvas as target (with its manifest as `partOf`, so a viewer can place it). Artworks not read
from a IIIF manifest have no canvas and get no page.
"""

from __future__ import annotations

from typing import Any

from archive_analyzer.export.records import model_name, slug

CONTEXT = "http://iiif.io/api/presentation/3/context.json"


def canvas_of(row: dict[str, Any]) -> tuple[str, str | None] | None:
    metadata = row.get("metadata") or {}
    canvas = metadata.get("iiif_canvas")
    return (canvas, metadata.get("iiif_manifest")) if canvas else None


def page_name(row: dict[str, Any]) -> str:
    return f"{slug(row['object_id'])}.json"


def annotation_page(row: dict[str, Any], base: str) -> dict[str, Any] | None:
    found = canvas_of(row)
    if found is None:
        return None
    canvas, manifest = found
    page_id = f"{base}/annotations/{page_name(row)}"
    target: dict[str, Any] = {"id": canvas, "type": "Canvas"}
    if manifest:
        target["partOf"] = [{"id": manifest, "type": "Manifest"}]
    annotation = {
        "id": f"{page_id}#analysis-{row['analysis_id']}",
        "type": "Annotation",
        "motivation": "describing",
        "label": {"en": [f"Formal analysis ({model_name(row)})"]},
        "body": {
            "type": "TextualBody",
            "value": row["analysis"],
            "language": "en",
            "format": "text/plain",
        },
        "target": target,
    }
    return {"@context": CONTEXT, "id": page_id, "type": "AnnotationPage", "items": [annotation]}
