"""Typed settings: defaults < TOML file < ARCHIVE_ANALYZER_* environment < CLI flags.

Everything is validated before a job starts, so a typo in a setting fails in a second with the
setting's name instead of an hour into a run.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from archive_analyzer.errors import ConfigError
from archive_analyzer.metadata import FIELDS
from archive_analyzer.redact import read_secret_file

ENV_PREFIX = "ARCHIVE_ANALYZER_"
CONFIG_FILE_ENV = ENV_PREFIX + "CONFIG"
# ARCHIVE_ANALYZER_* variables that are not settings: read by other parts of the program
# (the config file's path, role passwords for `db roles`, the SQL folder, the collections list).
OTHER_VARIABLES = frozenset(
    ENV_PREFIX + name
    for name in (
        "CONFIG",
        "SQL_DIR",
        "WRITER_PASSWORD",
        "READER_PASSWORD",
        "CATALOGER_PASSWORD",
        "COLLECTIONS_FILE",
    )
)


# The per-row stages that run as autoscaling actor pools (engine/sizing.py sizes them).
PooledStage = Literal["reuse", "features", "structure", "sink"]


def default_home() -> Path:
    return Path(user_data_dir("archive-analyzer", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    source: str | None = Field(None, description="Image folder or object-store URI (s3://, gs://)")
    manifest: str | None = Field(None, description="CSV or JSONL listing object_id, image_uri, ...")
    database_url: SecretStr | None = Field(
        None, description="PostgreSQL URL; empty means the embedded server under home"
    )
    database_url_file: Path | None = Field(
        None, description="File holding the PostgreSQL URL (a mounted secret), read at start"
    )
    home: Path = Field(default_factory=default_home, description="Embedded database and caches")
    model: str | None = Field(None, description="Model directory or URI; empty means the tiny demo")
    model_cache: Path | None = Field(
        None, description="Node-local copy of remote models; None: <home>/model-cache"
    )
    demo_model: bool = Field(
        False,
        description="Without a model, analyse with the tiny random-weight demo model even "
        "against a configured database (the embedded one always allows it)",
    )
    prompt: str = Field("formal_analysis", description="Named prompt template")
    custom_prompt: str | None = Field(None, description="Free-text query used instead of a name")
    batch_size: int = Field(8, ge=1, le=1024)
    num_actors: int | None = Field(None, ge=1, le=1024, description="Model actors; None: auto")
    gpus_per_actor: float = Field(0.0, ge=0, le=8)
    stage_actors: dict[PooledStage, Annotated[int, Field(ge=1, le=1024)]] = Field(
        default_factory=dict,
        description="Fixed actor count per pooled stage, e.g. {structure = 4, sink = 2}; "
        "a stage not named autoscales in what the model actors leave",
    )
    index_mode: Literal["auto", "live", "bulk"] = Field(
        "auto",
        description="HNSW and GIN indexes during a run: live (kept up per row), bulk (dropped, "
        "rebuilt after the run), auto (bulk where rebuilding costs less: a run of "
        "bulk_index_threshold images or more onto a catalog under three times its size)",
    )
    bulk_index_threshold: int = Field(
        1_000,
        ge=1,
        description="index_mode auto: the fewest images a run analyses in bulk mode (dropping "
        "an index waits for every search and write in flight)",
    )
    index_build_memory: str = Field(
        "1GB",
        pattern=r"^\d+\s*(kB|MB|GB|TB)$",
        description="most maintenance_work_mem a bulk-mode index rebuild takes (each takes what "
        "its table needs, ~4 kB a row, up to this)",
    )
    index_build_workers: int = Field(
        2, ge=0, le=64, description="max_parallel_maintenance_workers for the rebuild"
    )
    max_new_tokens: int = Field(512, ge=1, le=4096)
    static_kv_cache: bool = Field(
        True,
        description="Preallocated KV cache (GPU: compiled decode step, ~30 s per batch shape)",
    )
    max_image_pixels: int = Field(200_000_000, ge=1)
    min_image_side: int = Field(32, ge=1)
    decode_mode: Literal["exact", "fast"] = Field(
        "exact",
        description="exact: GalleryGPT's pixels; fast: shrink large images while decoding",
    )
    ray_address: str | None = Field(None, description="Ray cluster; None: RAY_ADDRESS or local")
    collection: str | None = Field(
        None,
        description="Collection name (artworks are collection + object_id); default: the "
        "source URI. With a collections file, the entry of that name",
    )
    collections_file: Path | None = Field(
        None, description="TOML file of collections (source, manifest, mapping, options)"
    )
    mapping: dict[str, str] | None = Field(
        None, description="Manifest field -> column, e.g. {title = 'Object Title'}"
    )
    device: Literal["auto", "cpu", "cuda"] = "auto"
    model_engine: Literal["transformers", "vllm", "echo"] = Field(
        "transformers",
        description="transformers (default; CPU or GPU), vllm (GPU, [gpu] extra) or echo "
        "(no model: labelled stand-in text at once, to measure the pipeline's own ceiling)",
    )
    embed: bool = Field(True, description="Embed analysis text for semantic search")
    iiif_size: str = Field(
        "max",
        pattern=r"^(max|!\d+,\d+)$",
        description="IIIF image size: max (exact pixels) or !w,h (within a box; less bandwidth)",
    )
    http_per_host: int = Field(
        4, ge=1, le=64, description="HTTP(S) requests in flight to one host, per process"
    )
    allow_empty: bool = Field(
        False, description="A source listing no images is a success, not an error (exit 2)"
    )
    max_failed_fraction: float | None = Field(
        None,
        ge=0,
        le=1,
        description="A run where more of the images it tried failed is marked failed (exit 1)",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier sources win: CLI flags, then the environment, then the TOML file.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @field_validator("source", "manifest", "model")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return value or None

    @field_validator("mapping")
    @classmethod
    def _known_fields(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        unknown = sorted(set(value or {}) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown fields {unknown}; use {', '.join(FIELDS)}")
        return value

    @model_validator(mode="after")
    def _database_url_from_file(self) -> Settings:
        # Secrets belong in a file or the environment, never in a flag the shell history keeps.
        if self.database_url_file is None:
            return self
        if self.database_url is not None:
            raise ValueError("set database_url or database_url_file, not both")
        url = read_secret_file(self.database_url_file, "database_url_file")
        self.database_url = SecretStr(url)
        return self

    @property
    def collection_name(self) -> str:
        return self.collection or self.source or self.manifest or "default"

    def public_dict(self) -> dict[str, Any]:
        """Settings as stored on a run: secrets never leave this object."""
        data = self.model_dump(mode="json", exclude={"database_url"})
        data["database_url"] = "configured" if self.database_url else "embedded"
        return data


def _settings_class(path: Path | None) -> type[Settings]:
    if path is None:
        return Settings
    config = SettingsConfigDict(**{**Settings.model_config, "toml_file": path})
    return type("FileSettings", (Settings,), {"model_config": config})


def _config_path(config_file: str | None) -> Path | None:
    """The TOML file, checked to exist and parse; a syntax error names file:line:column."""
    if not config_file:
        return None
    path = Path(config_file).expanduser()
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist (--config or {CONFIG_FILE_ENV})")
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's message ends "(at line L, column C)"; say it the way editors jump to.
        found = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
        where = f"{path}:{found[1]}:{found[2]}" if found else str(path)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)$", "", str(exc))
        raise ConfigError(f"{where}: TOML syntax error: {reason}") from None
    return path


def _unknown_variables() -> list[str]:
    """ARCHIVE_ANALYZER_* variables that name no setting: a typo must not pass silently."""
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields} | OTHER_VARIABLES
    return sorted(
        k for k in os.environ if k.upper().startswith(ENV_PREFIX) and k.upper() not in known
    )


def _refuse_unknown_variables() -> None:
    unknown = _unknown_variables()
    if not unknown:
        return
    known = [ENV_PREFIX + name.upper() for name in Settings.model_fields]
    problems = []
    for name in unknown:
        close = difflib.get_close_matches(name.upper(), known, n=1)
        problems.append(f"{name}" + (f" (did you mean {close[0]}?)" if close else ""))
    raise ConfigError(f"unknown environment variable(s): {'; '.join(problems)}")


def _toml_line(path: Path, key: str) -> int | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((n for n, line in enumerate(lines, start=1) if pattern.match(line)), None)


def setting_source(name: str, flags: dict[str, Any], path: Path | None) -> str:
    """Where a setting's value came from, in the words a person would use to fix it.

    The order is the sources' precedence: a flag wins over the environment, which wins over
    the file."""
    if name in flags:
        return f"flag --{name.replace('_', '-')}"
    variable = ENV_PREFIX + name.upper()
    if any(k.upper() == variable for k in os.environ):
        return f"env var {variable}"
    line = _toml_line(path, name) if path else None
    if line:
        return f"{path}:{line}"
    return "default"


def _describe(err: dict, flags: dict[str, Any], path: Path | None) -> str:
    name = ".".join(str(p) for p in err["loc"])
    if not name:
        return f"settings: {err['msg']}"
    return f"{name} ({setting_source(str(err['loc'][0]), flags, path)}): {err['msg']}"


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    """Build settings from file, environment and CLI flags; explain what is invalid, and where."""
    path = _config_path(config_file or os.environ.get(CONFIG_FILE_ENV))
    _refuse_unknown_variables()
    flags = {key: value for key, value in overrides.items() if value is not None}
    try:
        return _settings_class(path)(**flags)
    except ValidationError as exc:
        problems = "; ".join(_describe(err, flags, path) for err in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from None
