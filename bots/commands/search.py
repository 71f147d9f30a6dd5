"""`codedesk search` (find codes from words), and the options of `codedesk bench search` (measure it
against a plain rapidfuzz scan on the dev query set; its code is bench/search.py)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bots.app import Services
from bots.commands import bench
from core.codes.record import RecordKind, System
from core.search.engine import SearchResult
from core.search.query import QueryProblem

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DEV_SET = SHARED / "eval" / "search_dev.tsv"
HCPCS_FILE = SHARED / "data" / "cms" / "hcpcs-2020" / "HCPC2020_ANWEB_w_disclaimer.txt"
_TOP = 10
_WARM_UP = "chest pain"  # not a benchmark query: it only touches every code path once


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="find codes from words: abbreviations, lay terms and typos are fine")
    p.add_argument("query", nargs="*", help="the words to search for")
    p.add_argument("--system", choices=[s.value for s in System], help="search one code system")
    p.add_argument("--limit", type=int, default=10, help="results to show (default 10, at most 100)")
    p.add_argument("--page", type=int, default=1, help="page of results (default 1)")
    p.add_argument("--billable", action="store_true", help="billable codes only")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--batch", type=Path, help="a file with one query a line; prints one JSON line per query")
    p.set_defaults(func=cmd_search)

    b = bench.add_target(sub, "search", "bench.search",
                         help="recall and latency of code search vs a rapidfuzz full scan")
    b.add_argument("--dev", type=Path, default=DEV_SET, help=f"query set (default {DEV_SET})")
    b.add_argument("--hcpcs", type=Path, default=HCPCS_FILE,
                   help="CMS HCPCS file to include when none is imported (default: the 2020 file in ../shared)")
    b.add_argument("--no-baseline", action="store_true", help="skip the rapidfuzz baseline")
    b.add_argument("--probe-rss", action="store_true", help=argparse.SUPPRESS)


# --- codedesk search ---------------------------------------------------------------------------------
def hits_json(result: SearchResult) -> list[dict[str, object]]:
    return [{"system": h.system.value, "code": h.code, "title": h.title, "score": h.score,
             "matched": list(h.matched), "billable": h.billable, "kind": h.kind.value} for h in result.hits]


def cmd_search(args: argparse.Namespace, services: Services) -> int:
    if args.batch is None and not args.query:
        print("error: give the words to search for, or --batch FILE", file=sys.stderr)
        return 2
    services.upgrade()  # the catalog reads imported codes from the database
    engine = services.search_engine
    system = System(args.system) if args.system else None
    limit = max(1, min(args.limit, 100))

    def run(text: str) -> tuple[SearchResult | QueryProblem, float]:
        started = time.perf_counter()
        result = engine.search(text, system, billable_only=args.billable, page=args.page, page_size=limit)
        return result, (time.perf_counter() - started) * 1000

    if args.batch is not None:
        if not args.batch.exists():
            print(f"error: {args.batch} does not exist", file=sys.stderr)
            return 2
        with args.batch.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                text = line.rstrip("\n")
                if not text.strip():
                    continue
                result, ms = run(text)
                row: dict[str, object] = {"query": text, "results": [], "ms": round(ms, 3)}
                if isinstance(result, QueryProblem):
                    row["error"] = result.reason
                else:
                    row["results"] = hits_json(result)
                print(json.dumps(row, ensure_ascii=False))
        return 0

    text = " ".join(args.query)
    result, ms = run(text)
    if isinstance(result, QueryProblem):
        if args.json:
            print(json.dumps({"query": text, "results": [], "ms": round(ms, 3), "error": result.reason}))
        else:
            print(f"error: {result.reason} {result.hint}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"query": text, "results": hits_json(result), "ms": round(ms, 3),
                          "total": result.total, "page": result.page}, ensure_ascii=False))
        return 0 if result.hits else 1
    _print_result(result, ms)
    return 0 if result.hits else 1


def _print_result(result: SearchResult, ms: float) -> None:
    plan = result.plan
    if plan is not None:
        for typed, used in plan.corrections:
            print(f"(“{typed}” read as “{used}”)")
        for typed, used in plan.expansions:
            print(f"(“{typed}” also searched as {used})")
        if plan.unknown:
            print("(not recognised: " + ", ".join(plan.unknown) + ")")
    if not result.hits:
        print(f"No codes match “{result.query}”.")
        return
    width = max(len(h.code) for h in result.hits)
    for hit in result.hits:
        flag = "  [modifier]" if hit.kind is RecordKind.MODIFIER else "" if hit.billable else "  [header]"
        print(f"{hit.code.ljust(width)}  {hit.system.label:<15} {hit.score:7.2f}  {hit.title}{flag}")
    first = (result.page - 1) * result.page_size + 1
    print(f"— {first}–{first + len(result.hits) - 1} of {result.total:,} in {ms:.1f} ms")
