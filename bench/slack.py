"""`codedesk bench slack` (or `python -m bench.slack`): the HTTP app in its own process on loopback,
the fake Slack Web API, and many concurrent clients sending signed slash commands. Prints throughput,
latency and errors, then checks the view counters the answers report."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select, text

from bots.app import Services, services_from_env
from bots.cli import parser
from core.accounts.tables import ViewCounter
from core.db import make_engine
from tests.fakes.slack_api import FakeSlack

SECRET = "bench-signing-secret"
TEAM = "T0BENCH"
# /icd10 rides along so real cards (and code views) are in the mix even without CPT data loaded.
COMMANDS = (("/cpt", "99213"), ("/codesearch", "knee pain"), ("/cpt", "86357"),
            ("/codesearch", "chest pain"), ("/icd10", "E11.9"))
WARM_UP = 200
BENCH_VIEWS = 1_000_000
TARGET_RATE = 300
TARGET_P99_MS = 100.0
SCALE_TARGET = 1.6  # 2 workers on a 2-core machine vs 1
_VIEWS_LEFT = re.compile(r"(\d+) code views? left")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    views_left: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    cards: int = 0


@dataclass
class Run:
    workers: int
    paced: Tally
    saturated: Tally
    paced_s: float
    saturated_s: float
    views: str
    errors: dict[str, int]
    cpu_seconds: float  # the server's CPU during the as-fast-as-possible run

    @property
    def rate(self) -> float:
        return len(self.saturated.latencies) / self.saturated_s if self.saturated_s else 0.0


def run_bench(services: Services, clients: int = 50, requests: int = 3000, workers: Sequence[int] = (1,),
              database_url: str = "") -> int:
    runs = [_one_server(services, clients, requests, n, database_url) for n in workers]
    if any(run is None for run in runs):
        return 1
    done = [run for run in runs if run is not None]
    print(f"slack bench: {requests} signed commands per run (/cpt, /codesearch, /icd10), {clients} concurrent "
          f"clients, gunicorn (gthread) in its own process, {'PostgreSQL' if database_url else 'SQLite'}, "
          f"{os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}")
    for run in done:
        print(f"workers {run.workers}:")
        _report(f"paced at {TARGET_RATE}/s", run.paced, requests, run.paced_s)
        _report("as fast as possible", run.saturated, requests, run.saturated_s)
        per = run.cpu_seconds / max(1, len(run.saturated.latencies)) * 1000
        print(f"    server CPU: {per:.2f} ms per command, {run.cpu_seconds / run.saturated_s:.2f} cores busy "
              f"of {min(run.workers, os.cpu_count() or 1)} it could use")
        print("    " + run.views)
    if len(done) > 1:
        base = done[0]
        print("side by side:  " + " | ".join(
            f"{r.workers} worker{'s' if r.workers != 1 else ''}: {r.rate:.0f} commands/s, "
            f"p99 at {TARGET_RATE}/s {_pct(r.paced.latencies, 0.99):.1f} ms" for r in done))
        for run in done[1:]:
            scale = run.rate / base.rate if base.rate else 0.0
            print(f"  {run.workers} workers / {base.workers}: {scale:.2f}x commands/s "
                  f"(target >= {SCALE_TARGET}x: {'met' if scale >= SCALE_TARGET else 'NOT met'})")
    errors = sum(sum(run.errors.values()) for run in done)
    exact = all(run.views.startswith("view counters: exact") for run in done)
    return 0 if not errors and exact else 1


def _one_server(services: Services, clients: int, requests: int, workers: int, database_url: str) -> Run | None:
    with tempfile.TemporaryDirectory(prefix="codedesk-bench-") as tmp, FakeSlack() as fake, \
            _fresh_database(database_url, Path(tmp)) as database:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PROMETHEUS_"))}
        env.update(SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN=f"xoxb-{TEAM}-bench",
                   SLACK_API_URL=fake.api_url, DATABASE_URL=database,
                   # Limits high enough that every /cpt and /icd10 is a counted card view: the write path.
                   CODEDESK_GUEST_VIEWS=str(BENCH_VIEWS), CODEDESK_REGISTERED_VIEWS=str(BENCH_VIEWS),
                   CODEDESK_HOME=str(services.settings.home.resolve()),
                   CODEDESK_CACHE_DIR=str(services.settings.cache_dir.resolve()), CODEDESK_LOG_LEVEL="ERROR",
                   PROMETHEUS_MULTIPROC_DIR=str(Path(tmp) / "metrics"))
        server = subprocess.Popen([sys.executable, "-m", "bots.cli", "run", "slack", "--http", "--host",
                                   "127.0.0.1", "--port", str(port), "--workers", str(workers)], env=env,
                                  cwd=os.getcwd())
        warm, paced, saturated = Tally(), Tally(), Tally()
        try:
            if not _wait_healthy(port, server):
                print("The Slack app did not start.", file=sys.stderr)
                return None
            asyncio.run(_fire(port, clients, WARM_UP * workers, warm, "warm"))
            paced_s = asyncio.run(_fire(port, clients, requests, paced, "paced", rate=TARGET_RATE))
            cpu_before = _tree_cpu_seconds(server.pid)
            saturated_s = asyncio.run(_fire(port, clients, requests, saturated, "full"))
            cpu = _tree_cpu_seconds(server.pid) - cpu_before
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(60)
        counters = _stored_counters(database)
    errors: dict[str, int] = defaultdict(int)
    for tally in (warm, paced, saturated):
        for kind, count in tally.errors.items():
            errors[kind] += count
    return Run(workers, paced, saturated, paced_s, saturated_s, _views_check((warm, paced, saturated), counters),
               dict(errors), cpu)


@contextlib.contextmanager
def _fresh_database(base_url: str, folder: Path) -> Iterator[str]:
    """A new SQLite file, or a new schema of its own on the PostgreSQL server `base_url` names."""
    if not base_url:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server and its worker processes, from /proc: what the commands
    cost, whatever share of the machine other processes took meanwhile."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _stored_counters(database: str) -> dict[str, int]:
    """Views used per bench user, as the database holds them after the run."""
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(ViewCounter.subject, ViewCounter.used)).all()
    finally:
        engine.dispose()
    return {subject.rsplit(":", 1)[-1]: int(used) for subject, used in rows}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(port: int, server: subprocess.Popen[bytes], limit: float = 120.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)  # the catalog is loading
    return False


async def _fire(port: int, clients: int, total: int, tally: Tally, run: str,
                rate: float | None = None) -> float:
    """Send `total` commands; with `rate`, command n is due at start + n/rate (latency counts from then,
    so a slow server cannot hide its queue); without, each client sends as soon as it has its answer.

    Requests are signed up front and sent over plain keep-alive sockets, and answers are read after
    the run, so the load generator spends as little of the shared CPU as it can."""
    signer = SignatureVerifier(SECRET)
    ts = str(int(time.time()))
    wire: list[tuple[str, bytes]] = []
    for n in range(total):
        user = f"U0BENCH{n % clients:03d}"
        command, text = COMMANDS[n % len(COMMANDS)]
        body = urlencode({"token": "legacy", "team_id": TEAM, "team_domain": "bench", "channel_id": "C0BENCH",
                          "channel_name": "bench", "user_id": user, "user_name": user.lower(),
                          "command": command, "text": text, "api_app_id": "A0CODEDESK",
                          "response_url": "", "trigger_id": f"{n}.{run}.bench"})
        signature = signer.generate_signature(timestamp=ts, body=body) or ""
        head = (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"X-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: {signature}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        wire.append((user, head.encode() + body.encode()))
    numbers = itertools.count()
    answers: list[tuple[str, bytes]] = []

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (n := next(numbers)) < total:
                due = start + n / rate if rate else time.perf_counter()
                if rate and (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                user, request = wire[n]
                try:
                    writer.write(request)
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
                    payload = await reader.readexactly(length)
                except (OSError, TimeoutError, asyncio.IncompleteReadError, AttributeError) as err:
                    tally.errors[type(err).__name__] += 1
                    return
                tally.latencies.append(time.perf_counter() - due)
                status = head.split(b" ", 2)[1]
                if status != b"200":
                    tally.errors[f"HTTP {status.decode()}"] += 1
                    continue
                answers.append((user, payload))
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    for user, payload in answers:
        _read_answer(payload, user, tally)
    return elapsed


def _read_answer(payload: bytes, user: str, tally: Tally) -> None:
    try:
        message = json.loads(payload)
    except ValueError:
        tally.errors["not JSON"] += 1
        return
    blocks = message.get("blocks") or []
    if not blocks:
        tally.errors["no blocks"] += 1
        return
    if blocks[0].get("type") == "header":
        tally.cards += 1
    for block in blocks:
        if block.get("type") == "context":
            for element in block.get("elements", []):
                found = _VIEWS_LEFT.search(element.get("text", ""))
                if found:
                    tally.views_left[user].append(int(found.group(1)))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def _report(name: str, tally: Tally, requests: int, elapsed: float) -> None:
    done = len(tally.latencies)
    print(f"  {name}: {done / elapsed:.0f} commands/s ({done} of {requests} answered in {elapsed:.2f} s)")
    print(f"    latency ms: p50 {_pct(tally.latencies, 0.50):.1f}  p95 {_pct(tally.latencies, 0.95):.1f}  "
          f"p99 {_pct(tally.latencies, 0.99):.1f}  max {max(tally.latencies, default=0) * 1000:.1f}  "
          f"mean {statistics.fmean(tally.latencies) * 1000 if tally.latencies else 0:.1f}")
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(tally.errors.items())) or "none"
    print(f"    errors: {sum(tally.errors.values())} ({errors}); code cards shown: {tally.cards}")


def _views_check(tallies: tuple[Tally, ...], counters: dict[str, int]) -> str:
    """Every card answer a user got must be exactly one counted view in the database, no more, no less."""
    shown: dict[str, int] = defaultdict(int)
    for tally in tallies:
        for user, left in tally.views_left.items():
            shown[user] += len(left)
    if not shown:
        return "view counters: NOT checked — no answer showed a views-left footer"
    wrong = [user for user in set(shown) | set(counters) if shown.get(user, 0) != counters.get(user, 0)]
    if wrong:
        return f"view counters: NOT exact for {len(wrong)} user(s): cards shown and views stored differ"
    return (f"view counters: exact — {sum(shown.values()):,} cards shown = {sum(counters.values()):,} views "
            f"stored, across {len(shown)} users")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(["bench", "slack", *(sys.argv[1:] if argv is None else argv)])
    try:
        workers = [int(n) for n in str(args.workers).split(",") if n.strip()]
    except ValueError:
        print("--workers: worker counts separated by commas, e.g. 1,2", file=sys.stderr)
        return 2
    return run_bench(services_from_env(), clients=args.clients, requests=args.requests, workers=workers or [1],
                     database_url=args.database_url)


if __name__ == "__main__":
    sys.exit(main())
