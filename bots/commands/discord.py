"""`codedesk discord sync [--guild ID]` and `codedesk discord run` (also `codedesk run discord`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from bots.app import Services

if TYPE_CHECKING:
    from adapters.discord.config import DiscordConfig


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("discord", help="the Discord bot: publish its slash commands, or run it")
    actions = p.add_subparsers(dest="discord_action", required=True)
    sync = actions.add_parser("sync", help="publish the slash commands (global, or one guild for "
                              "development)")
    sync.add_argument("--guild", type=int, help="a guild id: its commands update at once (global ones can "
                      "take up to an hour)")
    sync.set_defaults(func=cmd_sync)
    run = actions.add_parser("run", help="run the bot (DISCORD_TOKEN; DISCORD_SHARD_COUNT / _IDS to shard)")
    run.set_defaults(func=cmd_run)


def _config(services: Services) -> DiscordConfig | None:
    from adapters.discord.config import ConfigError, DiscordConfig

    try:
        config = DiscordConfig.from_env(services.env)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return None
    if not config.token:
        print("error: set DISCORD_TOKEN to the bot token from the Discord developer portal.", file=sys.stderr)
        return None
    return config


def cmd_sync(args: argparse.Namespace, services: Services) -> int:
    import discord

    from adapters.discord.bot import sync_commands

    config = _config(services)
    if config is None:
        return 2
    services.upgrade()
    try:
        names = asyncio.run(sync_commands(services.desk(), config, args.guild))
    except discord.LoginFailure:
        print("error: Discord rejected DISCORD_TOKEN; copy the bot token again.", file=sys.stderr)
        return 1
    except discord.HTTPException as error:
        print(f"error: Discord refused the commands (HTTP {error.status}, code {error.code}).",
              file=sys.stderr)
        return 1
    where = f"guild {args.guild}" if args.guild else "all servers (global; may take up to an hour to show)"
    print(f"Synced {len(names)} commands to {where}: " + ", ".join(f"/{name}" for name in names))
    return 0


def cmd_run(args: argparse.Namespace, services: Services) -> int:
    import discord

    from adapters.discord.bot import run_bot

    config = _config(services)
    if config is None:
        return 2
    from adapters.discord.poster import DiscordPoster
    from bots.commands.jobs import start_scheduler

    services.upgrade()
    services.search_engine  # noqa: B018 - load the index before connecting, so no request waits for it
    services.assistant().warm()  # notes and clinical vocabulary: the first mention should not wait
    # Every shard runs the digest scheduler; the send log makes each digest go out once.
    scheduler = start_scheduler(services, {"discord": DiscordPoster.from_config(config)})
    metrics_server = _serve_metrics(services)
    try:
        asyncio.run(run_bot(services.desk(), config))  # returns on SIGTERM/SIGINT, the bot closed
    except discord.LoginFailure:
        print("error: Discord rejected DISCORD_TOKEN; copy the bot token again.", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("error: Discord says an intent is not enabled for this bot.", file=sys.stderr)
        return 1
    finally:
        scheduler.shutdown(wait=True)  # a digest or feed job in progress finishes: nothing half written
        if metrics_server is not None:
            metrics_server.shutdown()
    return 0


def _serve_metrics(services: Services) -> Any:
    """Prometheus /metrics for this process on CODEDESK_METRICS_PORT (0 turns it off)."""
    port = services.config.codedesk_metrics_port
    if not port:
        return None
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, registry=services.metrics.registry)
    print(f"CodeDesk for Discord: metrics at http://0.0.0.0:{port}/metrics", file=sys.stderr, flush=True)
    return server
