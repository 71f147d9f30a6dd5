"""`codedesk bench edits` (or `python -m bench.edits`): write a full-size NCCI PTP set (practitioner
f1–f4 and outpatient hospital, about 4.5 million rows) in CMS's tab-delimited layout, import it into a
fresh database, time pair lookups."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bots.app import Services, services_from_env
from bots.cli import parser
from core import db
from core.db import transaction
from core.edits import ptp
from core.edits.periods import Period

PREAMBLE = ("CPT codes, descriptions and other data only are copyright 2025 American Medical Association. "
            "All rights reserved.\nApplicable FARS/DFARS restrictions apply to government use.\n\n")
HEADER = ("Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
          "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n")
RATIONALES = ("Standards of medical / surgical practice", "Mutually exclusive procedures",
              "CPT Manual or CMS manual coding instructions", "Misuse of column two code with column one code",
              "HCPCS/CPT procedure code definition", "More extensive procedure")


def codes_pool(rng: random.Random, count: int) -> list[str]:
    numbers = rng.sample(range(10000, 99999), count - count // 10)
    letters = [f"{rng.choice('ACEGJLQ')}{rng.randrange(10000):04d}" for _ in range(count // 10)]
    return sorted({f"{n:05d}" for n in numbers} | set(letters))


def write_set(folder: Path, rows: int, rng: random.Random, name: str, parts: int) -> list[Path]:
    """`rows` edits across `parts` files named as CMS names them, sorted by column 1 then column 2."""
    pool = codes_pool(rng, 14_000)
    per_code = max(1, rows // len(pool))
    paths = [folder / f"{name}-f{i + 1}.txt" for i in range(parts)]
    handles = [p.open("w", encoding="ascii", newline="\r\n") for p in paths]
    for handle in handles:
        handle.write(PREAMBLE + HEADER)
    written = 0
    for index, c1 in enumerate(pool):
        handle = handles[min(parts - 1, index * parts // len(pool))]
        partners = sorted(rng.sample(pool, min(len(pool), per_code + (1 if index < rows % len(pool) else 0))))
        lines = []
        for c2 in partners:
            if c2 == c1:
                continue
            deleted = "*" if rng.random() > 0.2 else f"20{rng.randrange(10, 26)}0101"
            lines.append(f"{c1}\t{c2}\t{'*' if rng.random() < 0.1 else ''}\t20{rng.randrange(10, 26)}0101\t"
                         f"{deleted}\t{rng.choice('0119')}\t{rng.choice(RATIONALES)}\n")
        handle.write("".join(lines))
        written += len(lines)
        if written >= rows:
            break
    for handle in handles:
        handle.close()
    return paths


def measure(sessions: sessionmaker[Session], folder: Path, db_size: Callable[[], int], *, rows: int = 4_500_000,
        lookups: int = 2000, out: Callable[[str], None] = print) -> None:
    rng = random.Random(20261001)
    started = time.perf_counter()
    practitioner = write_set(folder, rows * 55 // 100, rng, "ccipra-v323r0", 4)
    hospital = write_set(folder, rows - rows * 55 // 100, rng, "ccioph-v323r0", 4)
    size = sum(p.stat().st_size for p in practitioner + hospital)
    out(f"generated {len(practitioner) + len(hospital)} files, {size / 1e6:.0f} MB, in "
        f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with transaction(sessions) as session:
        imported = ptp.import_ptp(session, practitioner + hospital, period=Period(2026, 4))
    seconds = time.perf_counter() - started
    total = sum(i.rows for i in imported)
    out(f"import: {total:,} rows in {seconds:.1f} s ({total / seconds:,.0f} rows/s)")
    release = next(i.release for i in imported if i.release.kind == "ptp_practitioner")
    sample: list[tuple[str, str]] = []
    for path in practitioner:
        with path.open() as handle:
            lines = [line.split("\t") for line in handle if line[:1].isdigit() or line[:1].isupper()]
        sample.extend((cells[0], cells[1]) for cells in lines if len(cells) == 7)
    pairs = rng.sample(sample, min(lookups, len(sample)))
    timings = []
    with sessions() as session:
        conn = session.connection()
        ptp.edits_between(conn, release.id, *pairs[0])  # warm the statement cache
        for a, b in pairs:
            begin = time.perf_counter()
            found = ptp.edits_between(conn, release.id, b, a)
            timings.append(time.perf_counter() - begin)
            assert found, (a, b)
    timings.sort()
    p50 = statistics.median(timings) * 1000
    p95 = timings[int(len(timings) * 0.95)] * 1000
    out(f"pair lookup: p50 {p50:.3f} ms, p95 {p95:.3f} ms over {len(timings):,} pairs")
    out(f"database size: {db_size() / 1e6:.0f} MB")


def run(args: argparse.Namespace, services: Services) -> int:
    with tempfile.TemporaryDirectory(prefix="codedesk-bench-edits-") as folder:
        path = Path(folder) / "bench.db"
        url = f"sqlite:///{path}"
        db.upgrade(url)
        engine = db.make_engine(url)
        try:
            measure(db.session_factory(engine), Path(folder),
                    lambda: sum(p.stat().st_size for p in Path(folder).glob("bench.db*")), rows=args.rows)
        finally:
            engine.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(["bench", "edits", *(sys.argv[1:] if argv is None else argv)])
    return run(args, services_from_env())


if __name__ == "__main__":
    sys.exit(main())
