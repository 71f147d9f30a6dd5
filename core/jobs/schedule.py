"""The job board's clockwork on APScheduler 3: a digest tick every minute, the feed import every hour,
and the expiry sweep every hour.

Why one minute tick rather than one cron job per subscription: subscriptions live in the database and
change from any replica, so per-subscription jobs would need a shared job store kept in step with
every /jobs subscribe. A tick that asks the database "who is due now?" has no state to sync, runs on
every replica (the send-log claim keeps it exactly-once), and its first run at start-up is the
catch-up for a digest missed while the process was down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction, utcnow
from core.jobs.digest import DigestRunner
from core.jobs.feeds import FeedImporter
from core.jobs.postings import sweep_expired

log = logging.getLogger(__name__)

DIGEST_JOB, FEEDS_JOB, SWEEP_JOB = "jobs-digest-tick", "jobs-feed-import", "jobs-expiry-sweep"


def _guarded(name: str, work: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except Exception:  # a failed run is logged; the next tick tries again
            log.exception("scheduled %s failed", name)
    return run


def build_scheduler(runner: DigestRunner, importer: FeedImporter, sessions: sessionmaker[Session], *,
                    feed_interval: timedelta = timedelta(hours=1),
                    now: Callable[[], datetime] = utcnow) -> BackgroundScheduler:
    """A scheduler (not started) with the three jobs; each job runs at once on start, then on time."""
    scheduler = BackgroundScheduler(timezone=UTC)
    start = now()
    common = {"coalesce": True, "max_instances": 1, "replace_existing": True}

    def sweep() -> int:
        with transaction(sessions) as session:
            return sweep_expired(session, now())

    # second=5: just after the minute, so an HH:MM digest goes out within seconds of HH:MM.
    scheduler.add_job(_guarded("digest tick", runner.tick), CronTrigger(second=5, timezone=UTC),
                      id=DIGEST_JOB,
                      next_run_time=start, misfire_grace_time=50, **common)
    scheduler.add_job(_guarded("feed import", importer.run),
                      IntervalTrigger(seconds=feed_interval.total_seconds()),
                      id=FEEDS_JOB, next_run_time=start + timedelta(seconds=20), misfire_grace_time=600,
                      **common)
    scheduler.add_job(_guarded("expiry sweep", sweep), IntervalTrigger(hours=1), id=SWEEP_JOB,
                      next_run_time=start, misfire_grace_time=600, **common)
    return scheduler
