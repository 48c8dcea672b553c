"""`archive-analyzer serve`: the web catalogue on 127.0.0.1 (search, artworks, reviews)."""

from __future__ import annotations

import argparse

from werkzeug.serving import BaseWSGIServer, make_server

from archive_analyzer.db.database import resolve_url
from archive_analyzer.errors import ConfigError
from archive_analyzer.settings import load_settings
from archive_analyzer.web import WebConfig, create_app
from archive_analyzer.web.auth import require_password_check
from archive_analyzer.web.config import DEFAULT_CATALOGER, DEFAULT_HOST, DEFAULT_PORT


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help="the web catalogue: search, artworks, reviews (127.0.0.1 by default)"
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on; anything but loopback makes every page ask for a password",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument(
        "--cataloger",
        default=DEFAULT_CATALOGER,
        help="the PostgreSQL role whose password signs catalogers in (`db roles --cataloger`)",
    )
    parser.set_defaults(func=run)


def web_config(args: argparse.Namespace) -> WebConfig:
    settings = load_settings(args.config)
    return WebConfig(
        database_url=resolve_url(settings),
        home=settings.home,
        host=args.host,
        cataloger_role=args.cataloger,
        max_image_pixels=settings.max_image_pixels,
    )


def build_server(config: WebConfig, port: int) -> BaseWSGIServer:
    """The checked app behind werkzeug's threaded WSGI server, bound but not yet serving."""
    if not 0 <= port <= 65535:
        raise ConfigError(f"port must be 0..65535, got {port}")
    if config.reads_need_sign_in:
        require_password_check(config.database_url, config.cataloger_role)
    return make_server(config.host, port, create_app(config), threaded=True)


def run(args: argparse.Namespace) -> int:
    config = web_config(args)
    server = build_server(config, args.port)
    host = f"[{config.host}]" if ":" in config.host else config.host
    print(f"The web catalogue is at http://{host}:{server.server_port}/ (Ctrl-C stops it)")
    if config.reads_need_sign_in:
        print(f"Bound beyond loopback: every page asks for the {config.cataloger_role} password.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
