"""`codedesk import icd10cm FILE…`: load a CDC/CMS ICD-10-CM release (the tabular XML and the order file,
or the zips they come in) so a team uses FY2027 the day it is published; the package's data stays the
fallback. The import is one transaction: a refused file leaves the loaded release in place."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bots.app import Services
from bots.commands import imports
from core.codes import icd_releases
from core.codes.sources import icd10cm
from core.codes.sources.icd_tabular import TabularError
from core.db import transaction
from core.edits.changes import ReleaseEntry
from core.edits.imports import record_code_release


def register(sub: argparse._SubParsersAction) -> None:
    p = imports.kinds(sub).add_parser(
        "icd10cm", help="a CDC/CMS ICD-10-CM release: icd10cm_tabular_YYYY.xml and icd10cm_order_YYYY.txt "
                        "(or their zips)")
    p.add_argument("files", type=Path, nargs="+", help="the tabular XML and the order file, or the CDC zips")
    p.add_argument("--fy", type=int, default=None, help="fiscal year (default: from the XML's <version>)")
    p.add_argument("--update", default="", help='a mid-year update, e.g. "April 2027" (default: the '
                                                "October release)")
    p.set_defaults(func=cmd_import_icd10cm)


def cmd_import_icd10cm(args: argparse.Namespace, services: Services) -> int:
    missing = [str(p) for p in args.files if not p.exists()]
    if missing:
        print(f"error: {', '.join(missing)} does not exist", file=sys.stderr)
        return 2
    services.upgrade()
    try:
        files = icd_releases.read_files(args.files)
        data = icd_releases.read_release(files, args.fy, args.update)
        if files.codes_text is None:
            print("note: no order file was given, so every 7th-character code the XML allows was made and "
                  "every leaf counts as billable; add icd10cm_order_YYYY.txt for the exact list.")
        previous = icd10cm.load(services.settings.cache_dir)
        with services.sessions() as session:
            known = icd_releases.releases(session)
        older = [i for i in known if data.release is not None and i.release < data.release]
        if older:
            with services.sessions() as session:
                previous = icd_releases.load_release(session, older[-1], services.settings.cache_dir)
        history = icd_releases.compute_history(previous, data) \
            if previous.release is not None and data.release is not None and previous.release < data.release else []
        source = ", ".join(p.name for p in args.files)
        label = data.release.label if data.release else data.version
        # `/changes icd10cm FY2026 FY2027` names releases by one word: FY2027, or FY2026-APR for an update.
        short = (f"FY{data.release.fiscal_year}" + (f"-{data.release.update[:3].upper()}" if data.release.update
                                                    else "")) if data.release else data.version
        with transaction(services.sessions) as session:
            icd_releases.store_release(session, data, source, history)
            # Kept for `/changes icd10cm …` too, and watched codes' channels are told in the same step.
            told = record_code_release(session, "icd10cm", short, source,
                                       (ReleaseEntry(r.code, r.title) for r in data.rows if r.kind == "code"))
    except (TabularError, OSError) as exc:
        print(f"error: nothing was imported; the previous data is unchanged. {exc}", file=sys.stderr)
        return 1
    print(f"Imported ICD-10-CM {label}: {len(data.rows):,} entries, {data.leaf_entry_count:,} billable codes, "
          f"{len(history):,} codes deleted or expanded since {previous.version}.")
    if told:
        print(f"{told} watching channel{'s' if told != 1 else ''} will be told of the changes.")
    print("Restart CodeDesk (or run `codedesk data prepare`) so the bots and the search index use it.")
    return 0
