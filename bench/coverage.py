"""`codedesk bench coverage` (or `python -m bench.coverage`): generate an MCD article export of the full
export's size in the official layout, import it, and time coverage and crosswalk questions."""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bots.app import Services, services_from_env
from bots.cli import parser
from core.codes.normalize import icd_canonical
from core.codes.record import System
from core.coverage import store
from core.coverage.export import (
    ARTICLE,
    ARTICLE_CONTRACTOR,
    CONTRACTOR,
    HCPC,
    ICD_COVERED,
    ICD_NONCOVERED,
    INNER_ZIP,
    JURISDICTION,
    STATES,
    UPDATE_PERIOD,
    read_export,
)
from core.db import transaction
from core.requests import Actor, Platform, Request


def _quoted(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells) + "\r\n"


def generate_export(folder: Path, articles: int, covered: int, noncovered: int, seed: int,
                    icd_codes: list[str]) -> tuple[Path, list[str]]:
    """A current_article.zip of the given size in the official layout; returns it and the procedure codes."""
    rng = random.Random(seed)
    procedures = [f"{n:05d}" for n in rng.sample(range(10_000, 99_999), 6000)] + \
                 [f"{letter}{n:04d}" for letter in "GJ" for n in rng.sample(range(1, 9999), 1000)]
    ids = list(range(50_000, 50_000 + articles))
    files: dict[str, list[str]] = {}
    files[ARTICLE] = [_quoted(["article_id", "article_version", "article_type", "title", "status", "last_updated",
                               "date_retired", "display_id"])]
    files[ARTICLE] += [_quoted([str(a), "1", "1", f"Billing and Coding: Generated Article {a}", "A",
                                "2026-11-20 08:00:00", "", f"A{a}"]) for a in ids]
    hcpc = [_quoted(["article_id", "article_version", "hcpc_code_id", "hcpc_code_version", "hcpc_code_group",
                     "range", "last_updated", "long_description", "short_description"])]
    for a in ids:
        for code in rng.sample(procedures, rng.randint(5, 40)):
            hcpc.append(_quoted([str(a), "1", code, "1", str(rng.randint(1, 3)), "N", "2026-11-20", "", ""]))
    files[HCPC] = hcpc
    # Skewed sizes, as in the real export: a few articles list thousands of diagnoses, most list few.
    weights = [rng.paretovariate(1.2) for _ in ids]
    for name, group_column, rows in ((ICD_COVERED, "icd10_covered_group", covered),
                                     (ICD_NONCOVERED, "icd10_noncovered_group", noncovered)):
        total = sum(weights)
        sizes = [max(1, int(rows * w / total)) for w in weights]
        out = [_quoted(["article_id", "article_version", "icd10_code_id", "icd10_code_version", group_column,
                        "range", "last_updated", "sort_order", "description", "asterisk"])]
        for a, size in zip(ids, sizes, strict=True):
            size = min(size, len(icd_codes))
            start = rng.randrange(0, len(icd_codes) - size + 1)
            for i, code in enumerate(icd_codes[start:start + size]):
                group = 1 + i * 4 // size
                mark = "B" if i % 50 == 0 else "E" if i % 50 == 9 else "M" if i % 50 < 9 else "N"
                out.append(_quoted([str(a), "1", code, "1", str(group), mark, "2026-11-20", str(i + 1), "", "N"]))
        files[name] = out
    contractors = list(range(300, 316))
    states = ["FL", "PA", "SC", "NY", "TX", "CA", "OH", "GA", "NC", "VA", "WA", "IL", "MI", "NJ", "MA", "AZ"]
    files[CONTRACTOR] = [_quoted(["contractor_id", "contractor_type_id", "contractor_version",
                                  "contractor_bus_name", "contractor_number"])]
    files[CONTRACTOR] += [_quoted([str(c), "1", "1", f"Generated MAC {c}", f"{c * 37:05d}"]) for c in contractors]
    files[STATES] = [_quoted(["state_id", "state_abbrev", "description"])]
    files[STATES] += [_quoted([str(i), s, s]) for i, s in enumerate(states)]
    files[JURISDICTION] = [_quoted(["contractor_id", "contractor_type_id", "contractor_version", "state_id",
                                    "last_updated", "active_date", "term_date"])]
    files[JURISDICTION] += [_quoted([str(c), "1", "1", str(i), "", "", ""]) for i, c in enumerate(contractors)]
    files[ARTICLE_CONTRACTOR] = [_quoted(["article_id", "article_version", "article_type", "contractor_id",
                                          "contractor_type_id", "contractor_version", "last_updated"])]
    files[ARTICLE_CONTRACTOR] += [_quoted([str(a), "1", "1", str(c), "1", "1", ""])
                                  for a in ids for c in rng.sample(contractors, rng.randint(1, 3))]
    files[UPDATE_PERIOD] = [_quoted(["period_id", "begin_date", "dis_end_date"]),
                            _quoted(["1", "2026-11-20 00:00:00", "2026-11-27 00:00:00"])]
    inner = folder / INNER_ZIP
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, lines in files.items():
            archive.writestr(name, "".join(lines))
    outer = folder / "current_article.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as archive:
        archive.write(inner, INNER_ZIP)
    inner.unlink()
    return outer, procedures


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct))]


def run(args: argparse.Namespace, services: Services) -> int:
    # A database of its own: the bench must never replace the coverage export a team has loaded.
    with tempfile.TemporaryDirectory(prefix="codedesk-bench-coverage-") as home:
        own = Services(replace(services.settings, database_url=f"sqlite:///{Path(home) / 'bench.db'}",
                               home=Path(home)))
        return _measure(args, own)


def _measure(args: argparse.Namespace, services: Services) -> int:
    services.upgrade()
    catalog = services.catalog
    icd_codes = [c for c in catalog.codes(System.ICD10CM)
                 if (r := catalog.get(System.ICD10CM, c)) is not None and r.billable
                 and icd_canonical(c.replace(".", "")) == c]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        path, procedures = generate_export(Path(folder), args.articles, args.covered, args.noncovered, args.seed,
                                           icd_codes)
        print(f"generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        export = read_export(path)
        read_s = time.perf_counter() - started
        with transaction(services.sessions) as session:
            store.replace_export(session, export)
        total_s = time.perf_counter() - started
    print(f"import: {export.counts['articles']:,} articles, {export.code_rows:,} code rows "
          f"({export.counts['covered']:,} covered, {export.counts['noncovered']:,} non-covered, "
          f"{export.counts['procedures']:,} procedures): {total_s:.1f} s (read {read_s:.1f} s, store "
          f"{total_s - read_s:.1f} s; target <= 60 s)")
    feature = services.coverage_feature
    actor = Actor(Platform.SHELL, "local", "bench")
    rng = random.Random(args.seed + 1)
    kinds: dict[str, list[float]] = {"listing": [], "diagnoses": [], "crosswalk": []}
    # CPU time beside wall time: on a shared machine the wall clock also counts other processes' turns.
    cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
    for n in range(args.questions):
        code = rng.choice(procedures)
        dx = " ".join(rng.sample(icd_codes, 2))
        for kind, command, words in (("listing", "coverage", code), ("diagnoses", "coverage", f"{code} {dx}"),
                                     ("crosswalk", "crosswalk", code)):
            request = Request.command_of(actor, command, words)
            handler = feature.coverage if command == "coverage" else feature.crosswalk
            begun, begun_cpu = time.perf_counter(), time.process_time()
            handler(request)
            if n:  # the first round warms caches and compiled statements
                kinds[kind].append((time.perf_counter() - begun) * 1000)
                cpu[kind].append((time.process_time() - begun_cpu) * 1000)
    for kind, millis in kinds.items():
        print(f"question {kind:10} p50 {_percentile(millis, 0.50):.2f} ms  p95 {_percentile(millis, 0.95):.2f} ms "
              f"(CPU p50 {_percentile(cpu[kind], 0.50):.2f} ms  p95 {_percentile(cpu[kind], 0.95):.2f} ms) "
              f"over {len(millis):,} (target <= 5 ms)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"machine load average while measuring: {load:.1f} on {os.cpu_count()} CPUs")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(["bench", "coverage", *(sys.argv[1:] if argv is None else argv)])
    return run(args, services_from_env())


if __name__ == "__main__":
    sys.exit(main())
