"""The IIIF Image API (2.x and 3.0): read a service's info.json, choose the size to request.

`iiif_size = "max"` asks for the full image at its own pixels (v3 `max`, v2 `full`): what a
conservator sees, at the cost of the largest download (tens of MB for a museum master).
A bound such as `!2048,2048` asks for the largest image within that box, preserving the aspect
ratio: a fraction of the bytes, enough for the model (which sees 336 px) and the palette, but
the stored width/height and sha256 are then those of the derivative, not of the master.
Level-0 servers (static tiles, no resizing) only offer the sizes their info.json lists; the
largest listed size within the bound is taken, or the smallest listed when none fits.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from archive_analyzer.errors import SourceError

SIZE_SETTING = re.compile(r"^(max|!\d+,\d+)$")
_LEVEL = re.compile(r"level([0-2])")


@dataclass(frozen=True)
class ImageService:
    id: str
    version: int  # 2 or 3
    level: int | None  # None: the info.json names no compliance level
    width: int
    height: int
    sizes: tuple[tuple[int, int], ...]
    fingerprint: str  # changes when the service's id or info.json does


def info_url(base: str) -> str:
    base = base.rstrip("/")
    return base if base.endswith("/info.json") else base + "/info.json"


def service_base(url: str) -> str:
    return url.removesuffix("/info.json").rstrip("/")


def _version(info: dict) -> int:
    context = json.dumps(info.get("@context", ""))
    if "image/3" in context or info.get("type") == "ImageService3" or "id" in info:
        return 3
    return 2


def _level(profile) -> int | None:
    first = profile[0] if isinstance(profile, list) and profile else profile
    match = _LEVEL.search(first) if isinstance(first, str) else None
    return int(match.group(1)) if match else None


def parse_info(info: dict, fetched_from: str) -> ImageService:
    """An info.json document as an ImageService; a malformed one is a SourceError naming it."""
    try:
        service_id = str(info.get("id") or info.get("@id") or service_base(fetched_from))
        width, height = int(info["width"]), int(info["height"])
        sizes = tuple((int(s["width"]), int(s["height"])) for s in info.get("sizes") or ())
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(f"{fetched_from} is not a IIIF info.json: {exc!r}") from exc
    canonical = json.dumps({"service": service_id, "info": info}, sort_keys=True)
    fingerprint = "iiif:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]
    version = _version(info)
    level = _level(info.get("profile"))
    return ImageService(service_id.rstrip("/"), version, level, width, height, sizes, fingerprint)


def _within(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    scale = min(box_w / width, box_h / height, 1.0)
    return max(1, int(width * scale)), max(1, int(height * scale))


def size_segment(service: ImageService, iiif_size: str) -> str:
    """The size part of the image request for the configured `iiif_size`."""
    full = "max" if service.version == 3 else "full"
    if iiif_size == "max":
        return full
    box_w, box_h = (int(n) for n in iiif_size[1:].split(","))
    width, height = _within(service.width, service.height, box_w, box_h)
    if (width, height) == (service.width, service.height):
        return full
    if service.level == 0 or (service.level is None and service.sizes):
        if not service.sizes:
            return full  # level 0 must serve the full image; it offers nothing smaller
        fitting = [s for s in service.sizes if s[0] <= box_w and s[1] <= box_h]
        width, height = max(fitting) if fitting else min(service.sizes)
        return f"{width},{height}" if service.version == 3 else f"{width},"
    return f"{width},"  # `w,`: required from level 1 in both 2.x and 3.0


def image_url(service: ImageService, iiif_size: str) -> str:
    return f"{service.id}/full/{size_segment(service, iiif_size)}/0/default.jpg"


def fallback_url(base: str, version: int) -> str:
    """The full image when info.json could not be read: the run's read then says why."""
    return f"{service_base(base)}/full/{'max' if version == 3 else 'full'}/0/default.jpg"
