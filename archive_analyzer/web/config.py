"""What the web catalogue runs with, and the rule for binding beyond this machine.

Bound to loopback, anyone on the machine may read the catalogue without signing in (as they may
run `archive-analyzer search`); bound anywhere else, every page asks for the cataloger's
password, and the server refuses to start unless PostgreSQL really checks that password.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from archive_analyzer.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_CATALOGER = "archive_cataloger"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'; every other name may reach the network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class WebConfig:
    database_url: str  # reads: the server's own connection (the reader role is enough)
    home: Path  # the thumbnail cache lives under it
    host: str = DEFAULT_HOST
    cataloger_role: str = DEFAULT_CATALOGER
    page_size: int = 24
    max_image_pixels: int = 200_000_000

    def __post_init__(self) -> None:
        if not self.cataloger_role.strip():
            raise ConfigError("the cataloger role name is empty")
        if not 1 <= self.page_size <= 200:
            raise ConfigError(f"page size must be 1..200, got {self.page_size}")

    @property
    def reads_need_sign_in(self) -> bool:
        return not is_loopback(self.host)

    @property
    def cache_dir(self) -> Path:
        return self.home / "web" / "images"
