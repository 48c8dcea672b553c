"""Before a run: settings -> database, model, prompt and the listed images; fails fast.

Nothing here writes a run row or takes a lock, so `--plan` and a real run decide the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from archive_analyzer.catalog.reviews import remember_model
from archive_analyzer.db.database import Database
from archive_analyzer.db.open import open_database
from archive_analyzer.errors import ConfigError
from archive_analyzer.iiif.listing import collect_pages
from archive_analyzer.metadata import ManifestMapping
from archive_analyzer.model.loader import ModelInfo, inspect_model
from archive_analyzer.model.prompts import Prompt, resolve_prompt
from archive_analyzer.model.tiny import write_tiny_model
from archive_analyzer.retry import RetryPolicy
from archive_analyzer.run.plan import forget_cached_listings
from archive_analyzer.settings import Settings
from archive_analyzer.sources import SourceItem, normalize_uri
from archive_analyzer.stages.analyze_echo import echo_model_info

NO_MODEL = (
    "model: no model configured (--model or ARCHIVE_ANALYZER_MODEL) for the configured database; "
    "refusing to write a random-weight model's meaningless text into it. Give --demo-model "
    "(ARCHIVE_ANALYZER_DEMO_MODEL=true) to analyse with the tiny demo model anyway."
)


def model_location(settings: Settings, say=print) -> str:
    """The configured model; the tiny random-weight demo model only where it cannot mislead:
    the embedded database, or a configured one when `demo_model` says so."""
    if settings.model:
        return settings.model
    if settings.database_url is not None and not settings.demo_model:
        raise ConfigError(NO_MODEL)
    tiny = settings.home / "models" / "tiny-llava"
    if not (tiny / "config.json").exists():
        write_tiny_model(tiny)
    say(
        "NOTE: no model configured (--model / ARCHIVE_ANALYZER_MODEL): using a tiny "
        "random-weight LLaVA. Its text is NOT meaningful; it only exercises the pipeline."
    )
    return str(tiny)


def echo_model(settings: Settings, say=print) -> tuple[str, ModelInfo]:
    """The echo engine's stand-in: no model is read or loaded, whatever `model` says."""
    info = echo_model_info()
    ignored = f" ({settings.model} is not used)" if settings.model else ""
    say(
        f"NOTE: --engine echo: no model is loaded{ignored}; every analysis is canned stand-in "
        f"text, recorded as model {info.name!r} (version {info.version})."
    )
    return info.location, info


def collect_items(settings: Settings) -> tuple[Iterable[list[SourceItem]], list[str]]:
    """Pages of the listed images (with manifest metadata) and manifest URIs missing from the
    source: a folder or bucket (with its manifest), a IIIF manifest/collection, or URL rows."""
    policy = RetryPolicy(per_host=settings.http_per_host)
    mapping = ManifestMapping("collection", settings.mapping) if settings.mapping else None
    return collect_pages(settings.source, settings.manifest, policy, settings.iiif_size, mapping)


def collection_key(settings: Settings) -> str:
    """The collection a run locks, records and writes its artworks into: its name, or its
    source as a full URI, so `./photos` and `/srv/photos` are one collection and `./shootA`
    and `./shootB` are two (each with its own IMG_0001)."""
    if settings.collection or not settings.source:
        return settings.collection_name
    return normalize_uri(settings.source)


@dataclass(frozen=True)
class Prepared:
    """Everything decided before a run starts."""

    db: Database
    location: str
    info: ModelInfo
    prompt: Prompt
    pages: Iterable[list[SourceItem]]  # listed lazily: staged once, page by page (run/staging)
    missing: list[str]


def prepare(settings: Settings, say=print) -> Prepared:
    if settings.model_engine == "echo":
        location, info = echo_model(settings, say)
    else:
        location = model_location(settings, say)  # before connecting: a refusal needs no server
        info = inspect_model(location)
    db = open_database(settings)
    if settings.model_engine == "echo":  # its card's name, so no view calls it a model
        remember_model(db, info.version, info.name, info.location)
    prompt = resolve_prompt(settings.prompt, settings.custom_prompt)
    if settings.source:
        forget_cached_listings(settings.source)
    pages, missing = collect_items(settings)
    return Prepared(db, location, info, prompt, pages, missing)
