"""`codedesk bench <target>`: the one `bench` command every benchmark module adds a target to."""

from __future__ import annotations

import argparse


def targets(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The sub-command list under `bench`, made by whichever module asks first."""
    bench = sub.choices.get("bench")
    if bench is None:
        bench = sub.add_parser("bench", help="benchmarks that print numbers")
        bench.set_defaults(bench_targets=bench.add_subparsers(dest="target", required=True))
    found: argparse._SubParsersAction = bench.get_default("bench_targets")
    return found


def source_checkout_on_path() -> bool:
    """Benchmarks drive the fakes in tests/fakes/, which live only in a source checkout: make that
    checkout importable (the console script does not put it on sys.path) and say whether it exists."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    if not (root / "tests" / "fakes").is_dir():
        return False
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return True
