"""`codedesk run slack [--http --port N]`, `codedesk slack manifest`, and the options of `codedesk bench slack`
(its code is bench/slack.py)."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bots.app import Services
from bots.commands import bench
from bots.commands.jobs import start_scheduler

MANIFEST_PATH = Path("deploy/slack/manifest.yaml")

if TYPE_CHECKING:
    from adapters.slack.app import SlackParts
    from adapters.slack.config import SlackConfig


def register(sub: argparse._SubParsersAction) -> None:
    slack = sub.add_parser("slack", help="the Slack app: write its manifest")
    actions = slack.add_subparsers(dest="slack_action", required=True)
    manifest = actions.add_parser("manifest", help="write deploy/slack/manifest.yaml from the command registry")
    manifest.add_argument("--url", default="https://codedesk.example.org",
                          help="the public base URL of `codedesk run slack --http`")
    manifest.add_argument("--output", type=Path, default=MANIFEST_PATH,
                          help="where to write it ('-' for standard output; default deploy/slack/manifest.yaml)")
    manifest.set_defaults(func=cmd_manifest)
    p = bench.add_target(sub, "slack", "bench.slack",
                         help="signed slash commands from many clients into the HTTP app")
    p.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    p.add_argument("--requests", type=int, default=3000, help="commands to send after warm-up")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http", action="store_true", help="Slack: serve HTTP instead of Socket Mode")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")),
                        help="Slack HTTP port (default $PORT or 3000)")
    parser.add_argument("--host", default="0.0.0.0", help="Slack HTTP bind address")


def run_slack(args: argparse.Namespace, services: Services) -> int:
    from adapters.slack.app import build_app
    from adapters.slack.clients import slack_poster
    from adapters.slack.config import ConfigError, SlackConfig

    try:
        config = SlackConfig.from_env(services.env)
    except ConfigError as err:
        print(f"Cannot start the Slack app: {err}.", file=sys.stderr)
        return 2
    for name in ("slack_sdk", "slack_bolt"):
        # Their DEBUG output prints request payloads, which hold what people typed.
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.INFO))
    services.upgrade()
    services.search_engine  # noqa: B018 - load the index before serving, so no request waits for it
    # Requests allocate many short-lived objects; collecting less often trims the latency tail.
    gc.set_threshold(20_000, 20, 20)
    parts = build_app(services.desk(), config, services.engine)
    # Every replica runs the digest scheduler; the send log makes each digest go out once.
    scheduler = start_scheduler(services, {"slack": slack_poster(config, services.engine)})
    try:
        return _serve(args, parts, config)
    finally:
        scheduler.shutdown(wait=False)


def _serve(args: argparse.Namespace, parts: SlackParts, config: SlackConfig) -> int:
    from adapters.slack.http import SlackHttpServer
    from adapters.slack.socket import socket_handler

    if getattr(args, "http", False) or not config.app_token:
        server = SlackHttpServer(parts, host=getattr(args, "host", "0.0.0.0"),
                                 port=getattr(args, "port", 3000))
        print(f"CodeDesk for Slack: HTTP on {server.url} (events at /slack/events, health at /healthz)",
              file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        finally:
            server.server_close()
        return 0
    print("CodeDesk for Slack: Socket Mode", file=sys.stderr, flush=True)
    socket_handler(parts, config.app_token).start()
    return 0


def cmd_manifest(args: argparse.Namespace, services: Services) -> int:
    from adapters.slack.manifest import manifest_yaml

    text = manifest_yaml(services.desk().registry.commands, args.url.rstrip("/"))
    if str(args.output) == "-":
        sys.stdout.write(text)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
