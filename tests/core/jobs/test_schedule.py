"""The scheduler's set-up: a digest tick every minute that also runs at start-up (the catch-up),
hourly feed import and expiry sweep; a failing job is logged, not fatal."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from core.jobs.digest import DigestRunner
from core.jobs.feeds import FeedImporter
from core.jobs.schedule import DIGEST_JOB, FEEDS_JOB, SWEEP_JOB, build_scheduler
from tests.core.jobs.conftest import RecordingPoster, utc


def test_jobs_and_their_triggers(sqlite_sessions: sessionmaker[Session]) -> None:
    posters = {"slack": RecordingPoster()}
    start = utc(2026, 5, 1, 8, 30, 17)
    runner, importer = DigestRunner(sqlite_sessions, posters), FeedImporter(sqlite_sessions, posters)
    scheduler = build_scheduler(runner, importer, sqlite_sessions, now=lambda: start)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {DIGEST_JOB, FEEDS_JOB, SWEEP_JOB}
        digest = jobs[DIGEST_JOB]
        assert isinstance(digest.trigger, CronTrigger)
        assert digest.next_run_time == start  # runs at once: today's missed digests go out on start-up
        assert digest.trigger.get_next_fire_time(None, start) == utc(2026, 5, 1, 8, 31, 5)
        assert digest.coalesce and digest.max_instances == 1
        assert isinstance(jobs[FEEDS_JOB].trigger, IntervalTrigger)
        assert jobs[FEEDS_JOB].trigger.interval == timedelta(hours=1)
    finally:
        scheduler.shutdown(wait=False)


def test_a_failing_run_is_logged_and_the_schedule_survives(sqlite_sessions: sessionmaker[Session],
                                                            caplog) -> None:  # type: ignore[no-untyped-def]
    class Exploding(DigestRunner):
        def tick(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("database went away")

    posters = {"slack": RecordingPoster()}
    scheduler = build_scheduler(Exploding(sqlite_sessions, posters), FeedImporter(sqlite_sessions, posters),
                                sqlite_sessions)
    job = scheduler.get_job(DIGEST_JOB)
    with time_machine.travel(utc(2026, 5, 1, 9)):
        job.func()  # the scheduler would call exactly this
    assert "scheduled digest tick failed" in caplog.text
    sweep = scheduler.get_job(SWEEP_JOB)
    sweep.func()
