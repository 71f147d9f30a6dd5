"""`codedesk bench <target>`: the one `bench` command every benchmark module adds a target to.

Benchmarks live in the top-level `bench/` folder of a source checkout (not packaged, like `tests/`,
because they drive the fakes in `tests/fakes/`). Shipped code never imports them: a target runs
`python -m bench.<name>` as a child process from the checkout's root, and says plainly what is
missing when CodeDesk runs from an installed package without one."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

MISSING = ("codedesk bench needs a source checkout of CodeDesk: the benchmarks live in its bench/ folder "
           "and use the fakes in tests/fakes/, which an installed package does not include. Clone the "
           "repository, `pip install -e .` there, and run `codedesk bench {target}` (or `make bench`) from it.")


def targets(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The sub-command list under `bench`, made by whichever module asks first."""
    bench = sub.choices.get("bench")
    if bench is None:
        bench = sub.add_parser("bench", help="benchmarks that print numbers (from a source checkout)")
        bench.set_defaults(bench_targets=bench.add_subparsers(dest="target", required=True))
    found: argparse._SubParsersAction = bench.get_default("bench_targets")
    return found


def checkout_root(start: Path | None = None) -> Path | None:
    """The source checkout holding this `bots` package, when there is one: a folder with `bench/`
    and `tests/fakes/` next to `bots/`. None when CodeDesk runs from an installed package."""
    root = start if start is not None else Path(__file__).resolve().parents[2]
    if (root / "bench" / "__init__.py").is_file() and (root / "tests" / "fakes").is_dir():
        return root
    return None


def run_in_checkout(module: str, argv: Sequence[str], target: str, root: Path | None = None) -> int:
    """Run `python -m <module> <argv>` from the checkout's root (so `bench` and `tests` import from it
    without touching anyone's sys.path) and return its exit status."""
    found = checkout_root(root) if root is not None else checkout_root()
    if found is None:
        print(MISSING.format(target=target), file=sys.stderr)
        return 2
    done = subprocess.run([sys.executable, "-m", module, *argv], cwd=found, env=dict(os.environ), check=False)
    return done.returncode


def argv_from(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    """The command line that parses back to `args` under `parser` (options that differ from their
    defaults, then positionals), so a bench module sees exactly what was typed."""
    def text(value: Any) -> str:
        # The child runs from the checkout's root: a file named relative to where you typed must not move.
        return str(value.resolve()) if isinstance(value, Path) else str(value)

    out: list[str] = []
    positionals: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.dest in ("func", "bench_module"):
            continue
        value = getattr(args, action.dest, action.default)
        if not action.option_strings:
            positionals.extend(text(v) for v in (value if isinstance(value, list) else [value]) if v is not None)
            continue
        if value == action.default or value is None:
            continue
        flag = action.option_strings[-1]
        if isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction):
            out.append(flag)
        elif isinstance(value, list):
            out.extend([flag, *(text(v) for v in value)])
        else:
            out.extend([flag, text(value)])
    return out + positionals


def in_checkout(parser: argparse.ArgumentParser, module: str,
                target: str) -> Callable[[argparse.Namespace, Any], int]:
    """A target's `func`: hand the parsed options to `python -m <module>` in the source checkout."""

    def run(args: argparse.Namespace, _services: Any) -> int:
        return run_in_checkout(module, argv_from(parser, args), target)

    return run


def add_target(sub: argparse._SubParsersAction, name: str, module: str, help: str) -> argparse.ArgumentParser:
    """Add `codedesk bench <name>`, run by `python -m <module>` in the checkout; the caller adds options."""
    parser: argparse.ArgumentParser = targets(sub).add_parser(name, help=help)
    parser.set_defaults(func=in_checkout(parser, module, name))
    return parser
