"""Typed settings: defaults < TOML file < ARCHIVE_ANALYZER_* environment < CLI flags.

Everything is validated before a job starts, so a typo in a setting fails in a second with the
setting's name instead of an hour into a run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from archive_analyzer.errors import ConfigError
from archive_analyzer.redact import read_secret_file

CONFIG_FILE_ENV = "ARCHIVE_ANALYZER_CONFIG"


def default_home() -> Path:
    return Path(user_data_dir("archive-analyzer", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ARCHIVE_ANALYZER_", extra="forbid", validate_default=True
    )

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
    collection: str | None = Field(None, description="Collection name; default: the source URI")
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


def _settings_class(config_file: str | None) -> type[Settings]:
    if not config_file:
        return Settings
    path = Path(config_file).expanduser()
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist (--config or {CONFIG_FILE_ENV})")
    config = SettingsConfigDict(**{**Settings.model_config, "toml_file": path})
    return type("FileSettings", (Settings,), {"model_config": config})


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    """Build settings from file, environment and CLI flags; explain what is invalid."""
    settings_class = _settings_class(config_file or os.environ.get(CONFIG_FILE_ENV))
    flags = {key: value for key, value in overrides.items() if value is not None}
    try:
        return settings_class(**flags)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
