"""`codedesk jobs …` (run the job board's scheduled work by hand), the scheduler start-up that
`codedesk run` uses, and `codedesk bench digest`."""

from __future__ import annotations

import argparse
import importlib
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import insert

from adapters.shell.poster import ShellPoster
from bots.app import Services
from bots.commands import bench
from core import db
from core.channels import ChannelPoster
from core.consult.reminders import ConsultReminders
from core.consult.schedule import ConsultRunner, add_consult_job
from core.db import transaction
from core.edits.schedule import add_notice_job
from core.edits.watches import NoticeSender
from core.jobs.digest import DigestRunner, send_log
from core.jobs.feeds import FeedImporter
from core.jobs.models import DigestSubscriptionRow, JobPostingRow
from core.jobs.postings import sweep_expired
from core.jobs.schedule import build_scheduler

BENCH_ZONES = ("UTC", "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
               "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("jobs", help="job board upkeep: import feeds, send due digests, expire postings now")
    p.add_argument("action", choices=["import-feeds", "digest-now", "sweep", "sends"])
    p.add_argument("--platform", default="shell", help="whose feeds/digests (this process posts as it)")
    p.set_defaults(func=cmd_jobs)

    p = bench.targets(sub).add_parser("digest",
                                    help="build and send digests for many subscriptions; prints sends/s")
    p.add_argument("--subscriptions", type=int, default=10_000)
    p.add_argument("--postings", type=int, default=20, help="live postings per workspace")
    p.add_argument("--workspaces", type=int, default=100)
    p.add_argument("--workers", type=int, default=8, help="posting threads")
    p.add_argument("--platform", default="slack", help="the platform the subscriptions belong to")
    p.add_argument("--poster", default="bots.digest_bench_slack:poster",
                   help="default: the real Slack poster against the fake Slack Web API; also quiet (shell "
                        "rendering to /dev/null), shell (print every digest), or module:factory — a "
                        "no-argument callable returning a ChannelPoster")
    p.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary folder")
    p.set_defaults(func=cmd_bench_digest)


def posters_for(platform: str, poster: ChannelPoster) -> Mapping[str, ChannelPoster]:
    return {platform: poster}


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start_scheduler(services: Services, posters: Mapping[str, ChannelPoster]) -> BackgroundScheduler:
    """Start the job board's scheduler for `codedesk run`: digests, feed import and expiry sweep, for
    the platforms in `posters` (each process posts only where it has a connection)."""
    runner = DigestRunner(services.sessions, posters, replica=replica_name(), workers=4)
    importer = FeedImporter(services.sessions, posters)
    minutes = max(5, int(os.environ.get("CODEDESK_FEED_MINUTES", "60")))  # be kind to feed servers
    scheduler = build_scheduler(runner, importer, services.sessions, feed_interval=timedelta(minutes=minutes))
    # Consult reminders and deliveries ride on the same scheduler; this process delivers for its platforms.
    services.posters.update(posters)
    consults = ConsultRunner(ConsultReminders(services.sessions, services.consult_policy, replica=replica_name()),
                             services.consult_deliverer)
    add_consult_job(scheduler, consults, datetime.now(UTC))
    add_notice_job(scheduler, NoticeSender(services.sessions, posters))
    scheduler.start()
    return scheduler


def cmd_jobs(args: argparse.Namespace, services: Services) -> int:
    services.upgrade()
    posters = posters_for(args.platform, ShellPoster(sys.stdout))
    if args.action == "import-feeds":
        runs = FeedImporter(services.sessions, posters).run()
        for run in runs:
            counts = f"{run.imported} new, {run.skipped} skipped"
            state = run.error or ("not modified" if run.not_modified else counts)
            print(f"feed {run.feed_id}: {state}")
        print(f"{len(runs)} feed{'s' if len(runs) != 1 else ''} read.")
    elif args.action == "digest-now":
        report = DigestRunner(services.sessions, posters, replica=replica_name()).tick()
        print(f"{report.due} due, {report.sent} sent, {report.empty} with nothing new, "
              f"{report.failed} failed, "
              f"{report.paused} paused, {report.stale_marked} stale claims marked failed.")
    elif args.action == "sweep":
        with transaction(services.sessions) as session:
            print(f"{sweep_expired(session, datetime.now(UTC))} postings expired.")
    else:
        with transaction(services.sessions) as session:
            for record in send_log(session)[-50:]:
                print(f"subscription {record.subscription_id} {record.local_date} {record.state:7} "
                      f"{record.posting_count} postings {record.reason}")
    return 0


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


def cmd_bench_digest(args: argparse.Namespace, services: Services) -> int:
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
