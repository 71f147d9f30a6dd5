"""The `codedesk` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import InterfaceError, OperationalError

from bots.app import services_from_env
from bots.commands import (
    assistant,
    cases,
    chat,
    codes,
    config,
    coverage,
    discord,
    edits,
    icd10cm,
    jobs,
    search,
    slack,
)
from bots.config import ConfigError, masked_url

COMMAND_MODULES = (codes, chat, discord, jobs, slack, search, config, icd10cm, assistant, cases, edits, coverage)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="codedesk", description="CodeDesk: medical coding in your team chat.")
    sub = top.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        services = services_from_env()
    except ConfigError as exc:
        print(f"codedesk: configuration error: {exc}", file=sys.stderr)
        return 1
    try:
        return int(args.func(args, services) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except (OperationalError, InterfaceError) as exc:
        # Not a traceback with the URL in it: which database, password masked, and the error's type.
        print(f"codedesk: cannot reach the database {masked_url(services.settings.database_url)} "
              f"({type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__}). Check "
              "DATABASE_URL and that the server is running.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
