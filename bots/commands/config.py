"""`codedesk config check`: validate every setting and print the effective configuration, secrets
masked (tokens show only their kind prefix; a database URL's password is hidden)."""

from __future__ import annotations

import argparse

from bots.app import Services


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="settings: `config check` prints the effective configuration, secrets masked")
    p.add_argument("action", choices=["check"])
    p.set_defaults(func=cmd_config)


def cmd_config(args: argparse.Namespace, services: Services) -> int:
    # Reaching here means the settings validated (bots.cli prints the one-line error otherwise).
    values = services.config.effective()
    width = max(len(name) for name in values)
    for name, value in sorted(values.items()):
        print(f"{name.ljust(width)}  {value if value != '' else '(not set)'}")
    print("configuration OK")
    return 0
