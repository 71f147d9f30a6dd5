"""`codedesk bench digest` (or `python -m bench.digest`): seed many due digest subscriptions in a fresh
database and time one digest tick through a poster; prints sends/s and the send log."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from adapters.shell.poster import ShellPoster
from bots.app import Services, services_from_env
from bots.cli import parser
from core import db
from core.channels import ChannelPoster
from core.db import transaction
from core.jobs.digest import DigestRunner, send_log
from core.jobs.models import DigestSubscriptionRow, JobPostingRow

BENCH_ZONES = ("UTC", "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
               "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland")


def load_poster(spec: str) -> ChannelPoster:
    if spec == "quiet":
        return ShellPoster(open(os.devnull, "w"))
    if spec == "shell":
        return ShellPoster(sys.stdout)
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise SystemExit(f"--poster {spec!r}: use quiet, shell, or module:factory")
    factory: Callable[[], Any] = getattr(importlib.import_module(module_name), attr)
    return factory()


def run(args: argparse.Namespace, services: Services) -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        db.upgrade(url)
        engine = db.make_engine(url)
        sessions = db.session_factory(engine)
        now = datetime.now(UTC)
        started = time.perf_counter()
        _seed(sessions, args, now)
        print(f"seeded {args.subscriptions:,} subscriptions and {args.postings * args.workspaces:,} postings "
              f"in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        poster = load_poster(args.poster)
        runner = DigestRunner(sessions, {args.platform: poster}, replica="bench", batch=500,
                              workers=args.workers)
        started = time.perf_counter()
        report = runner.tick()
        took = time.perf_counter() - started
        print(f"digest tick: {report.due:,} due, {report.sent:,} sent, {report.empty:,} empty, "
              f"{report.failed:,} failed in {took:.2f} s — {report.sent / took:,.0f} sends/s "
              f"(poster: {args.poster}, {args.workers} workers)")
        started = time.perf_counter()
        again = runner.tick()
        print(f"second tick at once: {again.sent} sent (every digest already claimed) in "
              f"{time.perf_counter() - started:.2f} s")
        with transaction(sessions) as session:
            states: dict[str, int] = {}
            for record in send_log(session):
                states[record.state] = states.get(record.state, 0) + 1
        print("send log:", ", ".join(f"{k} {v:,}" for k, v in sorted(states.items())))
        close = getattr(poster, "close", None)
        if callable(close):
            close()
        engine.dispose()
    return 0 if report.sent + report.empty == args.subscriptions else 1


def _seed(sessions: Any, args: argparse.Namespace, now: datetime) -> None:
    """Every subscription is due now: midnight local time, made two days ago, window from yesterday."""
    creds = ("CPC", "CCS", "CRC", "RHIT", "CIC")
    postings = []
    for w in range(args.workspaces):
        for n in range(args.postings):
            postings.append(dict(
                platform=args.platform, workspace_id=f"W{w}", title=f"{'Remote ' if n % 2 else ''}Coder {n}",
                employer=f"Employer {n % 7}", location="" if n % 2 else "Austin, TX",
                workplace="remote" if n % 2 else "onsite", employment_type="Full-time",
                credentials=creds[n % len(creds)], specialty="denials" if n % 3 == 0 else "cardiology",
                experience="2+ years", salary_min=50_000 + 1000 * n, salary_max=60_000 + 1000 * n,
                apply_url=f"https://jobs.example/{w}/{n}", description="Bench posting.", posted_by="bench",
                created_at=now - timedelta(hours=2), expires_at=now + timedelta(days=28),
                live_at=now - timedelta(hours=1, minutes=n), status="live", source="chat",
                source_id=f"bench:{w}:{n}", moderated_by=""))
    filters = ("", "remote", "cpc", "remote ccs denials", "$60k+")
    subs = [dict(platform=args.platform, workspace_id=f"W{i % args.workspaces}", channel_id=f"C{i}",
                 subscriber_id=f"U{i}", local_time="00:00", timezone=BENCH_ZONES[i % len(BENCH_ZONES)],
                 filters=filters[i % len(filters)], cap=10, post_when_empty=True, status="active",
                 pause_reason="", created_at=now - timedelta(days=2), since=now - timedelta(days=1))
            for i in range(args.subscriptions)]
    with transaction(sessions) as session:
        for start in range(0, len(postings), 1000):
            session.execute(insert(JobPostingRow), postings[start:start + 1000])
        for start in range(0, len(subs), 1000):
            session.execute(insert(DigestSubscriptionRow), subs[start:start + 1000])


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(["bench", "digest", *(sys.argv[1:] if argv is None else argv)])
    return run(args, services_from_env())


if __name__ == "__main__":
    sys.exit(main())
