"""The web catalogue (`archive-analyzer serve`): Flask app factory, pages, templates, styles."""

from archive_analyzer.web.app import create_app
from archive_analyzer.web.config import WebConfig, is_loopback

__all__ = ["WebConfig", "create_app", "is_loopback"]
