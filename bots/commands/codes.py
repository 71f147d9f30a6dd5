"""`codedesk lookup`, `import`, `db`, `data`: the catalog from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bots.app import Services
from bots.commands import imports
from bots.progress import progress_bar
from core.codes import store
from core.codes.cards import lookup_reply, newer_icd_release
from core.codes.lookup import lookup
from core.codes.record import CodeRecord, System
from core.codes.sources import cpt
from core.coverage import store as coverage_store
from core.db import transaction
from core.edits import releases as edit_releases
from core.edits.changes import hcpcs_release_entries
from core.edits.imports import record_code_release
from core.requests import Actor, Platform

# CMS moves this file every quarter; set CODEDESK_HCPCS_URL or pass --url for a newer one.
DEFAULT_HCPCS_URL = "https://www.cms.gov/files/zip/january-2026-alpha-numeric-hcpcs-file.zip"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lookup", help="show one code's card")
    p.add_argument("code", nargs="+")
    p.add_argument("--system", choices=[s.value for s in System])
    p.add_argument("--json", action="store_true", help="print the record as JSON")
    p.set_defaults(func=cmd_lookup)

    for kind, what in (("hcpcs", "the CMS HCPCS Level II alpha-numeric file (.txt or .xlsx)"),
                       ("cpt", "your organisation's licensed CPT descriptors (CSV or TSV)")):
        p = imports.kinds(sub).add_parser(kind, help=what)
        p.add_argument("file", type=Path)
        p.add_argument("--version", default="", help="version label (default: from the file)")
        p.add_argument("--force", action="store_true",
                       help="import even when the file holds far fewer records than the data loaded now")
        p.set_defaults(func=cmd_import)

    p = sub.add_parser("db", help="database schema")
    p.add_argument("action", choices=["upgrade"])
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("data", help="what data is loaded; prepare caches; download the CMS HCPCS file")
    p.add_argument("action", choices=["status", "prepare", "update"])
    p.add_argument("--url", default="", help="for update: the CMS HCPCS zip (default: $CODEDESK_HCPCS_URL)")
    p.set_defaults(func=cmd_data)


def record_json(record: CodeRecord) -> dict[str, object]:
    data = asdict(record)
    data["system"] = record.system.value
    data["kind"] = record.kind.value
    data["notes"] = [{"kind": n.kind.value, "text": n.text, "inherited_from": n.inherited_from}
                     for n in record.notes]
    data["attributes"] = dict(record.attributes)
    for key in ("effective", "terminated"):
        value = getattr(record, key)
        data[key] = value.isoformat() if value else None
    return data


def cmd_lookup(args: argparse.Namespace, services: Services) -> int:
    from adapters.shell.render import render

    catalog = services.catalog
    system = System(args.system) if args.system else None
    result = lookup(catalog, " ".join(args.code), system)
    if args.json:
        payload: dict[str, object] = {"input": result.typed, "outcome": result.outcome.value,
                                      "reason": result.reason, "suggestions": list(result.suggestions)}
        if result.record is not None:
            record = result.record
            payload["record"] = record_json(record) | {
                "notes": [{"kind": n.kind.value, "text": n.text, "inherited_from": n.inherited_from}
                          for n in catalog.all_notes(record)],
                "ancestors": [a.code for a in catalog.ancestors(record)],
            }
        if result.seventh:
            payload["seventh_characters"] = result.seventh
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        actor = Actor(Platform.SHELL, "local", "cli")
        reply = services.codes_feature.open_result(actor, result) if result.outcome.shows_card \
            else lookup_reply(catalog, result)
        print(render(reply))
    return 0 if result.outcome.shows_card else 1


def cmd_import(args: argparse.Namespace, services: Services) -> int:
    path: Path = args.file
    if not path.exists():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    from core.codes.sources import hcpcs  # the CMS parser: only needed here

    services.upgrade()
    try:
        if args.kind == "hcpcs":
            data = hcpcs.read_hcpcs(path, progress=progress_bar(f"Reading {path.name}"))
            if not _enough(services, store.HCPCS_DATASET, len(data.records), path, args):
                return 1
            with transaction(services.sessions) as session:
                store.replace_dataset(session, store.HCPCS_DATASET, data.records, source=data.source,
                                      version=args.version or data.version,
                                      detail={"codes": data.code_count, "modifiers": data.modifier_count})
                # Also kept as a release of its own, so `/changes hcpcs 2019 2020` can compare years.
                told = record_code_release(session, "hcpcs", args.version or data.version, data.source,
                                           hcpcs_release_entries(data.records))
            print(f"Imported HCPCS {args.version or data.version}: {data.code_count:,} codes and "
                  f"{data.modifier_count:,} modifiers from {path.name}.")
            if told:
                print(f"{told} watching channel{'s' if told != 1 else ''} will be told of the changes.")
            services.metrics.import_run(args.kind, ok=True)
        else:
            licensed = cpt.read_licensed(path, args.version, progress=progress_bar(f"Reading {path.name}"))
            records = [CodeRecord(system=System.CPT, code=code, title=text[:200], description=text,
                                  source=licensed.source, version=licensed.version)
                       for code, text in licensed.descriptors.items()]
            if not _enough(services, store.CPT_LICENSED_DATASET, len(records), path, args):
                return 1
            with transaction(services.sessions) as session:
                store.replace_dataset(session, store.CPT_LICENSED_DATASET, records, source=licensed.source,
                                      version=licensed.version)
            print(f"Imported {len(records):,} licensed CPT descriptors ({licensed.version}) from {path.name}.")
            services.metrics.import_run(args.kind, ok=True)
    except (hcpcs.HcpcsFileError, cpt.CptFileError) as exc:
        print(f"error: nothing was imported; the previous data is unchanged. {exc}", file=sys.stderr)
        services.metrics.import_run(args.kind, ok=False)
        return 1
    except SQLAlchemyError as exc:
        # Never the exception's text: its SQL parameters are the file's descriptor text.
        print(f"error: nothing was imported; the previous data is unchanged. The database refused the "
              f"import ({type(exc).__name__}).", file=sys.stderr)
        return 1
    return 0


# A new year's file adds and retires a few hundred codes; one with under this share of the loaded
# records is a download that stopped, or the wrong file.
ENOUGH_SHARE = 0.8


def _enough(services: Services, dataset: str, count: int, path: Path, args: argparse.Namespace) -> bool:
    """Refuse (unless --force) a file with far fewer records than the version loaded now."""
    with transaction(services.sessions) as session:
        loaded = store.datasets(session).get(dataset)
        have, version = (loaded.record_count, loaded.version) if loaded is not None else (0, "")
    if args.force or not have or count >= have * ENOUGH_SHARE:
        return True
    print(f"error: nothing was imported; the previous data is unchanged. {path.name} holds {count:,} records, "
          f"far fewer than the {have:,} of version {version} loaded now: the file may be cut short. If it "
          f"is right, run `codedesk import {args.kind} {path} --force`.", file=sys.stderr)
    return False


def _update_hcpcs(url: str, services: Services) -> int:
    """Download the CMS alpha-numeric HCPCS zip and import the file inside it."""
    from core.codes.sources import download

    if not url.startswith(("https://", "http://")):
        print("error: --url must be an http(s) address of the CMS HCPCS zip", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = download.fetch_hcpcs(url, Path(folder))
        except download.DownloadError as exc:
            print(f"error: {exc}. Nothing was imported. Download the file yourself and run "
                  "`codedesk import hcpcs FILE`.", file=sys.stderr)
            return 1
        return cmd_import(argparse.Namespace(kind="hcpcs", file=path, version="", force=False), services)


def cmd_db(args: argparse.Namespace, services: Services) -> int:
    services.upgrade()
    print("Database schema is up to date.")
    return 0


def cmd_data(args: argparse.Namespace, services: Services) -> int:
    services.upgrade()
    if args.action == "update":
        return _update_hcpcs(args.url or services.config.codedesk_hcpcs_url or DEFAULT_HCPCS_URL, services)
    catalog = services.catalog
    if args.action == "prepare":
        started = time.perf_counter()
        documents = services.search_engine.index.size
        print(f"Catalog and search index ready (data version {catalog.version}, {documents:,} documents "
              f"searchable, {time.perf_counter() - started:.1f} s).")
    today = date.today()
    for status in catalog.statuses:
        print(f"{status.system.label:16} {status.records:>7,} records, {status.billable:>7,} billable  "
              f"release: {status.version or '-'}")
        if status.released is not None:
            days = (today - status.released).days
            age = f"{days // 365} years" if days >= 730 else f"{days // 30} months" if days >= 60 else f"{days} days"
            stale = "  ⚠ more than a year old: load a newer file" if days > 365 + 90 else ""
            print(f"{'':16} in effect from {status.released:%-d %B %Y} ({age} ago){stale}")
        newer = newer_icd_release(catalog, today) if status.system is System.ICD10CM else ""
        if newer:
            print(f"{'':16} ⚠ {newer}")
        print(f"{'':16} source: {status.source}")
        if status.detail:
            print(f"{'':16} {status.detail}")
    with services.sessions() as session:
        for release in edit_releases.loaded(session):
            print(f"{release.label:38} {release.row_count:>10,} rows  from {release.starts:%Y-%m-%d}")
        export = coverage_store.export_info(session)
    if export is None:
        print(f"{'Medicare coverage':16} not loaded: `codedesk import coverage current_article.zip` (weekly)")
    else:
        print(f"{'Medicare coverage':16} {export.articles:,} articles, {export.code_rows:,} code rows  "
              f"export of {export.exported or 'an unknown date'} ({export.source})")
    return 0
