"""The `codedesk` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bots.app import services_from_env
from bots.commands import assistant, cases, chat, codes, coverage, discord, edits, icd10cm, jobs, search, slack

COMMAND_MODULES = (codes, chat, discord, jobs, slack, search, icd10cm, assistant, cases, edits, coverage)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="codedesk", description="CodeDesk: medical coding in your team chat.")
    sub = top.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args, services_from_env()) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
