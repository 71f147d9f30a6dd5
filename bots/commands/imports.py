"""`codedesk import <kind> FILE…`: the one `import` command every data module adds a kind to."""

from __future__ import annotations

import argparse


def kinds(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The kinds under `import` (hcpcs, cpt, ncci, …), made by whichever module asks first."""
    command = sub.choices.get("import")
    if command is None:
        command = sub.add_parser("import", help="import a data file (one transaction; the loaded data "
                                 "stays when a file is refused)")
        command.set_defaults(import_kinds=command.add_subparsers(dest="kind", required=True))
    found: argparse._SubParsersAction = command.get_default("import_kinds")
    return found
