"""The collections file: each collection's source, manifest, column mapping and options.

    [collections.north]
    source = "s3://museum/north"
    manifest = "s3://museum/north/export.csv"
    mapping = { object_id = "Inv", image_uri = "File", title = "Object Title" }
    batch_size = 4

`nightly` with no SOURCE runs every collection in it, each with its own manifest; `analyze
--collection NAME` runs one. The file holds what does not depend on the schedule; flags still
win over it, and it wins over the settings file and the environment. Unknown keys are refused
with the file and line, before anything runs. Relative paths are read from the file's folder.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from archive_analyzer.errors import ConfigError
from archive_analyzer.settings import Settings, load_settings


class Collection(BaseModel):
    """One collection's entry; names and limits as the settings of the same name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = None
    manifest: str | None = None
    mapping: dict[str, str] | None = None
    model: str | None = None
    prompt: str | None = None
    custom_prompt: str | None = None
    batch_size: int | None = Field(None, ge=1, le=1024)
    max_new_tokens: int | None = Field(None, ge=1, le=4096)
    iiif_size: str | None = None

    def values(self, folder: Path) -> dict[str, Any]:
        """Its settings, with paths relative to the file made absolute."""
        values = self.model_dump(exclude_none=True)
        for key in ("source", "manifest"):
            if key in values and "://" not in values[key]:
                values[key] = str((folder / Path(values[key]).expanduser()).resolve())
        return values


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collections: dict[str, Collection] = Field(min_length=1)


@dataclass(frozen=True)
class Collections:
    path: Path
    entries: dict[str, Collection]

    @property
    def names(self) -> list[str]:
        return list(self.entries)

    def get(self, name: str) -> Collection:
        if name not in self.entries:
            raise ConfigError(
                f"no collection {name!r} in {self.path}; it has: {', '.join(self.entries)}"
            )
        return self.entries[name]

    def settings(self, name: str, config_file: str | None, flags: dict[str, Any]) -> Settings:
        """One collection's settings: flags > this file's entry > environment > settings file."""
        values = self.get(name).values(self.path.parent)
        given = {key: value for key, value in flags.items() if value is not None}
        return load_settings(config_file, **{**values, **given, "collection": name})


def _line(text: str, loc: tuple) -> int:
    """The line of a key the validator refused: under its [collections.NAME] table if any."""
    section = f"collections.{loc[1]}" if len(loc) > 2 and loc[0] == "collections" else None
    key = str(loc[-1])
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).replace('"', "")
        elif current == section and re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return 1


def load_collections(path: str | Path) -> Collections:
    path = Path(path).expanduser()
    try:
        text = path.read_text()
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"cannot read collections file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{path}:{_line(text, err['loc'])}: {'.'.join(map(str, err['loc']))}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid collections file: {problems}") from None
    return Collections(path, parsed.collections)


def run_settings(config_file: str | None, flags: dict[str, Any]) -> Settings:
    """The settings of one `analyze`: with a collections file and a collection it names, that
    entry under the flags; a name it lacks is an error unless a SOURCE is given."""
    settings = load_settings(config_file, **flags)
    if not (settings.collection and settings.collections_file):
        return settings
    collections = load_collections(settings.collections_file)
    if settings.collection not in collections.entries and settings.source:
        return settings  # an ad-hoc collection name for this source
    return collections.settings(settings.collection, config_file, flags)
