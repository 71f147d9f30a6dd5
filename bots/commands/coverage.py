"""`codedesk import coverage FILE` (the CMS MCD article export), and the options of `codedesk bench coverage`
(a generated export of the full export's size: import time and question latency; its code is
bench/coverage.py)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bots.app import Services
from bots.commands import bench, imports
from bots.progress import progress_bar
from core.coverage import store
from core.coverage.export import CoverageFileError, read_export
from core.db import transaction


def register(sub: argparse._SubParsersAction) -> None:
    p = imports.kinds(sub).add_parser(
        "coverage", help="the CMS Medicare Coverage Database article export (current_article.zip, or a folder "
                         "of its CSVs)")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_import)

    b = bench.add_target(sub, "coverage", "bench.coverage",
                         help="import a generated full-size MCD article export and time coverage questions")
    b.add_argument("--articles", type=int, default=2000)
    b.add_argument("--covered", type=int, default=425_000, help="covered ICD-10-CM rows")
    b.add_argument("--noncovered", type=int, default=45_000, help="non-covered ICD-10-CM rows")
    b.add_argument("--questions", type=int, default=2000)
    b.add_argument("--seed", type=int, default=14)


def cmd_import(args: argparse.Namespace, services: Services) -> int:
    path: Path = args.file
    if not path.exists():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    services.upgrade()
    started = time.perf_counter()
    # The bar only on a terminal: piped or scheduled imports keep their logs clean.
    progress = progress_bar(f"Reading {path.name}") if sys.stderr.isatty() else None
    try:
        export = read_export(path, progress=progress)
    except CoverageFileError as exc:
        print(f"error: nothing was imported; the previous coverage data is unchanged. {exc}", file=sys.stderr)
        return 1
    with transaction(services.sessions) as session:
        store.replace_export(session, export)
    counts = export.counts
    skipped = f" ({export.skipped:,} rows of articles the export does not carry were skipped)" \
        if export.skipped else ""
    print(f"Imported the Medicare coverage export of {export.exported or 'an unknown date'} from {path.name}: "
          f"{counts['articles']:,} articles, {counts['procedures']:,} procedure codes, {counts['covered']:,} "
          f"covered and {counts['noncovered']:,} non-covered diagnosis codes, {counts['contractors']:,} "
          f"contractors in {time.perf_counter() - started:.1f} s{skipped}.")
    return 0
