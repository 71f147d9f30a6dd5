"""`codedesk bench search` (or `python -m bench.search`): recall and latency of code search on the dev
query set, against a plain rapidfuzz full scan; prints one table and the targets."""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bots.app import Services, services_from_env
from bots.cli import parser
from core.codes.catalog import Catalog, SystemStatus
from core.codes.record import CodeRecord, RecordKind, System
from core.codes.sources import icd10cm
from core.search.engine import SearchEngine
from core.search.index import build_index, cache_path, save_index
from core.search.query import QueryProblem

ROOT = Path(__file__).resolve().parents[1]
_TOP = 10
_WARM_UP = "chest pain"  # not a benchmark query: it only touches every code path once


@dataclass(frozen=True)
class DevQuery:
    text: str
    system: System | None
    accepted: tuple[str, ...]  # codes without dots, upper case; a trailing * accepts a prefix

    def accepts(self, code: str) -> bool:
        plain = code.replace(".", "").upper()
        for want in self.accepted:
            if want.endswith("*"):
                if plain.startswith(want[:-1]):
                    return True
            elif plain == want:
                return True
        return False


def read_dev_set(path: Path) -> list[DevQuery]:
    out: list[DevQuery] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            text, system_text, codes = parts[0], parts[1].strip(), parts[2]
            if text.strip().lower() == "query":
                continue  # a header row
            system = System.parse(system_text) if system_text.lower() not in ("", "all", "any", "*") else None
            accepted = tuple(c.replace(".", "").upper() for c in codes.replace(",", " ").replace("|", " ")
                             .replace(";", " ").split() if c)
            out.append(DevQuery(text, system, accepted))
    return out


@dataclass(frozen=True)
class Scores:
    recall1: float
    recall5: float
    mrr: float
    median: float
    p95: float
    p99: float

    def line(self, name: str) -> str:
        return (f"{name:<22} {self.recall1:>9.3f} {self.recall5:>9.3f} {self.mrr:>7.3f} "
                f"{self.median:>9.2f} {self.p95:>9.2f} {self.p99:>9.2f}")


def score(queries: list[DevQuery], rankings: list[list[str]], millis: list[float]) -> Scores:
    r1 = r5 = rr = 0.0
    for query, codes in zip(queries, rankings, strict=True):
        rank = next((i for i, c in enumerate(codes[:_TOP], start=1) if query.accepts(c)), None)
        if rank is not None:
            r1 += rank == 1
            r5 += rank <= 5
            rr += 1.0 / rank
    n = max(1, len(queries))
    ordered = sorted(millis)
    return Scores(r1 / n, r5 / n, rr / n, statistics.median(ordered), _percentile(ordered, 95),
                  _percentile(ordered, 99))


def _percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    at = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[at]


def bench_catalog(services: Services, hcpcs_file: Path | None) -> Catalog:
    """The catalog to measure: the configured one, plus the CMS HCPCS file when none is imported."""
    catalog = services.catalog
    if catalog.codes(System.HCPCS) or hcpcs_file is None or not hcpcs_file.exists():
        return catalog
    try:
        from core.codes.sources.hcpcs import read_hcpcs
    except ImportError:
        return catalog
    data = read_hcpcs(hcpcs_file)
    hcpcs = list(data.records)
    others = [r for r in catalog.records() if r.system is not System.ICD10CM]
    statuses = tuple(
        replace(s, source=data.source, version=data.version, records=len(hcpcs),
                billable=sum(1 for r in hcpcs if r.kind is RecordKind.CODE)) if s.system is System.HCPCS else s
        for s in catalog.statuses
    )
    if not any(s.system is System.HCPCS for s in statuses):
        statuses += (SystemStatus(System.HCPCS, data.source, data.version, len(hcpcs), len(hcpcs)),)
    return Catalog(icd10cm.load(services.settings.cache_dir), hcpcs + others, catalog.cpt_ranges, statuses)


def _rss_kb() -> tuple[int, int]:
    values = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def run(args: argparse.Namespace, services: Services) -> int:
    services.upgrade()
    if args.probe_rss:
        catalog = bench_catalog(services, args.hcpcs)
        engine = SearchEngine.open(catalog, services.settings.cache_dir)
        engine.search(_WARM_UP)
        gc.collect()
        rss, peak = _rss_kb()
        print(json.dumps({"rss_kb": rss, "peak_kb": peak, "documents": engine.index.size}))
        return 0
    if not args.dev.exists():
        print(f"error: {args.dev} does not exist (the dev query set lives in ../shared/eval)", file=sys.stderr)
        return 2
    queries = read_dev_set(args.dev)
    started = time.perf_counter()
    catalog = bench_catalog(services, args.hcpcs)
    catalog_seconds = time.perf_counter() - started
    counts = {s: len(catalog.codes(s)) for s in System}
    print(f"Catalog: {', '.join(f'{s.label} {n:,}' for s, n in counts.items())} codes "
          f"(data version {catalog.version}, loaded in {catalog_seconds:.2f} s)")

    started = time.perf_counter()
    index = build_index(catalog.records(), catalog.version)
    build_seconds = time.perf_counter() - started
    save_index(index, cache_path(services.settings.cache_dir, catalog.version))
    del index
    gc.collect()
    started = time.perf_counter()
    engine = SearchEngine.open(catalog, services.settings.cache_dir)
    load_seconds = time.perf_counter() - started
    assert engine.timing is not None and not engine.timing.built
    # As the bot does after loading (bots.app): long-lived data out of GC passes; one warm-up query.
    gc.collect()
    gc.freeze()
    engine.search(_WARM_UP)

    ours_cpu: list[float] = []
    ours_rank, ours_ms = _run(queries, lambda q: _ours(engine, q), ours_cpu)
    ours = score(queries, ours_rank, ours_ms)
    baseline: Scores | None = None
    if not args.no_baseline:
        base_rank, base_ms = _run(queries, _baseline(catalog))
        baseline = score(queries, base_rank, base_ms)
    rss = _probe_rss(args)

    print(f"Queries: {len(queries)} from {args.dev.name}; a hit is an accepted code in the top 1 / top 5; "
          f"MRR over the top {_TOP}; latency in ms per query, one process, one thread")
    print(f"{'':22} {'recall@1':>9} {'recall@5':>9} {'MRR':>7} {'median ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    print(ours.line("CodeDesk search"))
    if baseline is not None:
        print(baseline.line("rapidfuzz WRatio scan"))
    cpu = sorted(ours_cpu)
    print(f"CodeDesk search CPU time per query (this thread only): median {statistics.median(cpu):.2f} ms, "
          f"p95 {_percentile(cpu, 95):.2f} ms, p99 {_percentile(cpu, 99):.2f} ms; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"Index: {engine.index.size:,} documents, {len(engine.index.vocab):,} terms, "
          f"{len(engine.index.post_docs):,} postings; build {build_seconds:.2f} s; "
          f"cached load {load_seconds:.3f} s; process RSS {rss / 1024:.0f} MB (catalog + index, fresh process)")
    checks = [
        ("recall@5 >= 0.95", ours.recall5 >= 0.95),
        ("p95 <= 5 ms", ours.p95 <= 5.0),
        ("cached load <= 1 s", load_seconds <= 1.0),
        ("RSS <= 300 MB", 0 < rss <= 300 * 1024),
    ]
    print("Targets: " + "; ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in checks))
    return 0


def _ours(engine: SearchEngine, query: DevQuery) -> list[str]:
    result = engine.search(query.text, query.system, page_size=_TOP)
    return [] if isinstance(result, QueryProblem) else [h.code for h in result.hits]


def _baseline(catalog: Catalog) -> Callable[[DevQuery], list[str]]:
    """A plain rapidfuzz full scan: WRatio of the query against every record's description."""
    from rapidfuzz import fuzz, process, utils

    by_system: dict[System | None, tuple[list[str], list[str]]] = {None: ([], [])}
    for record in catalog.records():
        text = _description(record)
        for key in (None, record.system):
            texts, codes = by_system.setdefault(key, ([], []))
            texts.append(text)
            codes.append(record.code)

    def run(query: DevQuery) -> list[str]:
        texts, codes = by_system.get(query.system, by_system[None])
        found = process.extract(query.text, texts, scorer=fuzz.WRatio, processor=utils.default_process,
                                limit=_TOP)
        return [codes[i] for _, _, i in found]

    return run


def _description(record: CodeRecord) -> str:
    return record.description or record.summary or record.title


def _run(queries: list[DevQuery], search: Callable[[DevQuery], list[str]],
         cpu: list[float] | None = None) -> tuple[list[list[str]], list[float]]:
    """Rankings and wall-clock ms per query; `cpu` collects this thread's CPU ms (what one core spent,
    without time the machine gave to other processes)."""
    rankings: list[list[str]] = []
    millis: list[float] = []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.thread_time()
        rankings.append(search(query))
        millis.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - started_cpu) * 1000)
    return rankings, millis


def _probe_rss(args: argparse.Namespace) -> int:
    """RSS of a fresh process that loads the catalog and the cached index (this one holds more)."""
    command = [sys.executable, "-m", "bench.search", "--probe-rss", "--hcpcs", str(args.hcpcs)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), check=False)
    try:
        return int(json.loads(done.stdout.strip().splitlines()[-1])["rss_kb"])
    except (ValueError, IndexError, KeyError):
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(["bench", "search", *(sys.argv[1:] if argv is None else argv)])
    return run(args, services_from_env())


if __name__ == "__main__":
    sys.exit(main())
