"""`codedesk jobs …` (run the job board's scheduled work by hand), the scheduler start-up that
`codedesk run` uses, and the `codedesk bench digest` target (its code is bench/digest.py)."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from adapters.shell.poster import ShellPoster
from bots.app import Services
from bots.commands import bench
from core.channels import ChannelPoster
from core.consult.reminders import ConsultReminders
from core.consult.schedule import ConsultRunner, add_consult_job
from core.db import transaction
from core.edits.schedule import add_notice_job
from core.edits.watches import NoticeSender
from core.jobs.digest import DigestRunner, send_log
from core.jobs.feeds import FeedImporter
from core.jobs.postings import sweep_expired
from core.jobs.schedule import build_scheduler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("jobs", help="job board upkeep: import feeds, send due digests, expire postings now")
    p.add_argument("action", choices=["import-feeds", "digest-now", "sweep", "sends"])
    p.add_argument("--platform", default="shell", help="whose feeds/digests (this process posts as it)")
    p.set_defaults(func=cmd_jobs)

    p = bench.add_target(sub, "digest", "bench.digest",
                         help="build and send digests for many subscriptions; prints sends/s")
    p.add_argument("--subscriptions", type=int, default=10_000)
    p.add_argument("--postings", type=int, default=20, help="live postings per workspace")
    p.add_argument("--workspaces", type=int, default=100)
    p.add_argument("--workers", type=int, default=8, help="posting threads")
    p.add_argument("--platform", default="slack", help="the platform the subscriptions belong to")
    p.add_argument("--poster", default="bench.digest_slack:poster",
                   help="default: the real Slack poster against the fake Slack Web API; also quiet (shell "
                        "rendering to /dev/null), shell (print every digest), or module:factory — a "
                        "no-argument callable returning a ChannelPoster")
    p.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary folder")


def posters_for(platform: str, poster: ChannelPoster) -> Mapping[str, ChannelPoster]:
    return {platform: poster}


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start_scheduler(services: Services, posters: Mapping[str, ChannelPoster]) -> BackgroundScheduler:
    """Start the job board's scheduler for `codedesk run`: digests, feed import and expiry sweep, for
    the platforms in `posters` (each process posts only where it has a connection)."""
    from bots.metrics import MeteredDigestRunner  # prometheus-client: only when the scheduler starts

    runner = MeteredDigestRunner(services.sessions, posters, replica=replica_name(), workers=4,
                                 metrics=services.metrics)
    importer = FeedImporter(services.sessions, posters, policy=services.config.feed_policy(),
                            observe=services.metrics.feed_run)
    minutes = services.config.codedesk_feed_minutes  # validated: at least 5, to be kind to feed servers
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
        runs = FeedImporter(services.sessions, posters, policy=services.config.feed_policy()).run()
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
