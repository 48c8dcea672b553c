"""The reason classes of failure rows, and what an operator does about each.

Every image a run lists ends as an analysis or as one failure row carrying one of these reasons;
`archive-analyzer failures` prints the advice next to each group.
"""

from __future__ import annotations

REASONS: dict[str, str] = {
    "missing": "listed in the manifest or source but gone when read: fix the manifest or restore "
    "the object, then rerun",
    "unreadable": "the store refused or kept failing the read, or the bytes are corrupt: check "
    "permissions and the store's health; re-export corrupt files from the master",
    "truncated": "the file is empty or ends early (an interrupted upload or copy): copy it again "
    "from the source system, then rerun",
    "unsupported_format": "an image in a format or colour mode we cannot decode (HEIC, JPEG XL, "
    "SVG, ...): convert it to TIFF, PNG or JPEG",
    "too_large": "more pixels than max_image_pixels, refused from the header without decoding: "
    "make a smaller derivative, or raise max_image_pixels if the workers have the memory",
    "too_small": "a side under min_image_side (icons, 1x1 tracking pixels): usually nothing to do; "
    "lower min_image_side if such thumbnails matter",
    "not_an_image": "not image data at all (text, PDF, HTML error page) under an image name: "
    "find the real file or remove the entry",
    "out_of_memory": "the model ran out of memory on this image alone: give actors more GPU "
    "memory, or lower max_new_tokens",
    "object_id_conflict": "two different images claim one object id in one collection and no "
    "manifest says they are views of one object (a second IMG_0001 under the same collection "
    "name, x.jpg beside x.png): give each source its own collection (--collection), or a "
    "manifest naming the object of each image, then rerun",
    "model_error": "the model raised on this image alone: see the message, report it with the "
    "image",
    "bad_metadata": "a manifest value the database cannot store (a NUL character, broken "
    "Unicode, or longer than kept: 500 characters for object_id and artist, 65,536 for any other "
    "value): the message names the field; correct it in the manifest, then rerun",
    "unstorable": "the database refused this image's row (the message quotes its error); the "
    "rest of its block was written: fix the value it names, or report it with the image",
}


def advice(reason: str) -> str:
    return REASONS.get(reason, "not a known reason class: see the message")
