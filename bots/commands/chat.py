"""`codedesk shell` and `codedesk run`: start a chat front end."""

from __future__ import annotations

import argparse
import sys

from adapters.shell import chat
from adapters.shell.poster import ShellPoster
from bots.app import Services
from bots.commands import slack
from bots.commands.jobs import start_scheduler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("shell", help="the terminal chat (also reads piped input)")
    p.add_argument("--user", default="you", help="act as this user (try quotas as different people)")
    p.add_argument("--admin", action="store_true", help="act as a workspace admin")
    p.set_defaults(func=cmd_shell)

    p = sub.add_parser("run", help="run the bot: Slack or Discord when tokens are set, else the shell")
    p.add_argument("platform", nargs="?", choices=["shell", "slack", "discord"])
    slack.add_run_options(p)
    p.set_defaults(func=cmd_run)


def cmd_shell(args: argparse.Namespace, services: Services) -> int:
    services.upgrade()
    interactive = sys.stdin.isatty()
    if not interactive:
        # Consult posts and notices print here too, in order (no scheduler runs for piped input).
        services.posters.setdefault("shell", ShellPoster(sys.stdout))
        services.consult_sends_inline = True
    desk = services.desk()
    if interactive:
        lines = _prompted_lines()
        # Digests and feed notices print into the terminal as they fall due.
        scheduler = start_scheduler(services, {"shell": ShellPoster(sys.stdout)})
        try:
            chat.run(desk, lines, sys.stdout, user=args.user, admin=args.admin, interactive=True, ask=input)
        finally:
            scheduler.shutdown(wait=False)
    else:
        chat.run(desk, sys.stdin, sys.stdout, user=args.user, admin=args.admin,
                 ask=lambda prompt: _read_piped(prompt))
    return 0


def _read_piped(prompt: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    sys.stdout.write(prompt + line)
    return line


def _prompted_lines():  # type: ignore[no-untyped-def]
    while True:
        try:
            yield input(chat.PROMPT)
        except EOFError:
            print()
            return


def cmd_run(args: argparse.Namespace, services: Services) -> int:
    platform = args.platform
    if platform is None:
        if services.config.slack_bot_token or services.config.slack_client_id:
            platform = "slack"
        elif services.config.discord_token:
            platform = "discord"
        else:
            platform = "shell"
    if platform == "shell":
        return cmd_shell(argparse.Namespace(user="you", admin=False), services)
    if platform == "discord":
        from bots.commands import discord as discord_command

        return discord_command.cmd_run(args, services)
    if platform == "slack":
        return slack.run_slack(args, services)
    print(f"The {platform} adapter is not available in this build.", file=sys.stderr)
    return 2
