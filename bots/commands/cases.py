"""The options of `codedesk bench cases`: Case2Code's exact-set accuracy, micro precision/recall/F1 and
latency on the dev and held-out case sets, each beside the plain code search's top result per condition
(its code is bench/cases.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bots.commands import bench

ROOT = Path(__file__).resolve().parents[2]
DEV_CASES = ROOT / "data" / "eval" / "cases.tsv"
HELD_OUT_CASES = ROOT / "data" / "eval" / "cases_holdout.tsv"
READERS = ("negspacy", "trigger")


def register(sub: argparse._SubParsersAction) -> None:
    b = bench.add_target(sub, "cases", "bench.cases", help="Case2Code code sets vs the plain search, dev and held-out")
    b.add_argument("--dev", type=Path, default=DEV_CASES, help=f"dev case set (default {DEV_CASES.name})")
    b.add_argument("--held-out", type=Path, default=HELD_OUT_CASES,
                   help=f"held-out case set, never tuned on (default {HELD_OUT_CASES.name})")
    b.add_argument("--context", choices=READERS, default="negspacy",
                   help="negation/uncertainty reader: negspacy (the library, default) or trigger (hand-written)")
    b.add_argument("--no-baseline", action="store_true", help="skip the plain-search baseline")
    b.add_argument("--misses", action="store_true", help="list the cases whose code set differs")
