"""`codedesk import ncci|mue|aoc|rvu|gpci` (CMS edit and fee data), and the options of `codedesk bench edits`
(its code is bench/edits.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bots.app import Services
from bots.commands import bench, imports
from bots.progress import progress_bar
from core.edits import imports as edit_imports
from core.edits.files import EditFileError
from core.edits.periods import Period
from core.edits.tables import ReleaseKind

_KINDS = {
    "ncci": "NCCI PTP edits: practitioner and/or outpatient hospital, .txt/.xlsx or the zips (f1–f4 parts)",
    "mue": "a Medically Unlikely Edits CSV (practitioner, outpatient hospital or DME supplier)",
    "aoc": "the NCCI add-on code edits file (AOC_V2025Q4_01-MCR.txt or .xlsx)",
    "rvu": "a PFS PPRRVU CSV (2026: the non-QPP and the QPP file)",
    "gpci": "the PFS GPCI CSV (GPCI2026.csv)",
}


def register(sub: argparse._SubParsersAction) -> None:
    for kind, what in _KINDS.items():
        p = imports.kinds(sub).add_parser(kind, help=what)
        if kind == "ncci":
            p.add_argument("file", type=Path, nargs="+")
            p.add_argument("--setting", choices=["practitioner", "hospital"],
                           help="default: from the file names (ccipra / ccioph) or their preamble")
        else:
            p.add_argument("file", type=Path)
        p.add_argument("--quarter", default="", help="the quarter (2026Q4) or year (2026) the file is for "
                       "(default: from the file name)")
        p.set_defaults(func=cmd_import_edits)
    p = bench.add_target(sub, "edits", "bench.edits", help="import a full-size NCCI PTP set and time pair lookups")
    p.add_argument("--rows", type=int, default=4_500_000, help="PTP rows to generate (default 4.5 million)")


def _progress(label: str) -> Callable[[int, int], None] | None:
    return progress_bar(label) if sys.stderr.isatty() else None


def cmd_import_edits(args: argparse.Namespace, services: Services) -> int:
    period = None
    if args.quarter:
        period = Period.parse(args.quarter)
        if period is None:
            print(f"error: --quarter {args.quarter!r} is not a quarter like 2026Q4 or a year like 2026",
                  file=sys.stderr)
            return 2
    services.upgrade()
    files = args.file if isinstance(args.file, list) else [args.file]
    label = f"Reading {files[0].name}" + (f" and {len(files) - 1} more" if len(files) > 1 else "")
    progress = _progress(label)
    sessions = services.sessions
    try:
        if args.kind == "ncci":
            setting = {"practitioner": ReleaseKind.PTP_PRACTITIONER, "hospital": ReleaseKind.PTP_HOSPITAL}.get(
                args.setting or "")
            done = edit_imports.import_ncci(sessions, files, period=period, setting=setting, progress=progress)
        else:
            run = {"mue": edit_imports.import_mue, "aoc": edit_imports.import_aoc,
                   "rvu": edit_imports.import_rvu, "gpci": edit_imports.import_gpci}[args.kind]
            done = run(sessions, files[0], period=period, progress=progress)
    except EditFileError as exc:
        print(f"error: nothing was imported; the data loaded before is unchanged. {exc}", file=sys.stderr)
        return 1
    for line in done.lines:
        print(line)
    if done.notices:
        print(f"{done.notices} watching channel{'s' if done.notices != 1 else ''} will be told of the changes.")
    return 0

