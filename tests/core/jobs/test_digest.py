"""Daily digests on a controlled clock: local times, DST, both sides of midnight UTC, catch-up,
channels the bot left, crashes between claim and post, and two replicas on one database."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy.orm import Session, sessionmaker

from core import db
from core.db import transaction
from core.jobs.digest import INTERRUPTED, DigestRunner, send_log
from core.jobs.feature import JobsFeature
from core.replies import Reply, Visibility
from core.requests import Request
from tests.core.jobs.conftest import RecordingPoster, actor, command, post_job, utc

ANA = actor("ana")
BOSS = actor("boss", admin=True)


def subscribe(feature: JobsFeature, text: str, channel: str = "C1", tz: str = "") -> Reply:
    reply = feature.jobs(command(ANA, f"subscribe {text}", channel, tz))
    assert not reply.is_error, reply
    return reply


def new_job(feature: JobsFeature, n: int, **changes: str) -> None:
    reply = post_job(feature, ANA, apply_url=f"https://jobs.example/{n}", **changes)
    assert not reply.is_error, reply


def titles(reply: Reply) -> list[str]:
    return [r.title for r in reply.results]


@pytest.fixture
def board(sqlite_sessions: sessionmaker[Session]) -> tuple[JobsFeature, DigestRunner, RecordingPoster]:
    poster = RecordingPoster()
    return JobsFeature(sqlite_sessions), DigestRunner(sqlite_sessions, {"slack": poster}), poster


def test_digest_arrives_at_local_time_newest_first_capped_and_once(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    with time_machine.travel(utc(2026, 11, 27, 14, 0), tick=False) as clock:  # 08:00 in Chicago
        assert "today at 09:00" in subscribe(feature, "09:00 America/Chicago").sections[0].text
        for n in range(12):
            clock.shift(timedelta(minutes=1))
            new_job(feature, n, title=f"Coder {n}")
        clock.move_to(utc(2026, 11, 27, 14, 59))
        assert runner.tick().sent == 0 and poster.posts == []
        clock.move_to(utc(2026, 11, 27, 15, 0))
        assert runner.tick().sent == 1
        digest = poster.to("C1")[0]
        assert digest.visibility is Visibility.CHANNEL
        assert digest.title == "Coding jobs: 12 new postings"
        assert titles(digest)[0].startswith("#12 Coder 11") and len(digest.results) == 10
        assert digest.sections[0].text == "and 2 more: /jobs"
        clock.shift(timedelta(minutes=1))
        assert runner.tick().sent == 0 and len(poster.posts) == 1
        clock.move_to(utc(2026, 11, 28, 15, 0))  # nothing new: nothing posted
        report = runner.tick()
        assert report.empty == 1 and len(poster.posts) == 1
        clock.move_to(utc(2026, 11, 28, 20, 0))
        new_job(feature, 99, title="Late coder")
        clock.move_to(utc(2026, 11, 29, 15, 0))
        runner.tick()
        assert titles(poster.to("C1")[-1]) == ["#13 Late coder — Acme Health"]


def test_filters_and_always_option(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    with time_machine.travel(utc(2026, 6, 1, 8, 0), tick=False) as clock:
        subscribe(feature, "09:00 UTC remote cpc", channel="REMOTE")
        subscribe(feature, "09:00 UTC always RHIT", channel="ALWAYS")
        clock.shift(timedelta(minutes=1))
        new_job(feature, 1, title="Remote CPC coder")
        new_job(feature, 2, title="Onsite coder", where="Austin, TX", details="CCS only")
        clock.move_to(utc(2026, 6, 1, 9, 0))
        runner.tick()
        assert titles(poster.to("REMOTE")[0]) == ["#1 Remote CPC coder — Acme Health"]
        assert poster.to("REMOTE")[0].subtitle == "Matching “remote cpc”"
        assert poster.to("ALWAYS")[0].title == "Coding jobs: nothing new today"


def test_approved_postings_count_from_their_approval(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    with time_machine.travel(utc(2026, 6, 1, 8, 0), tick=False) as clock:
        feature.jobs(command(BOSS, "settings approval on"))
        subscribe(feature, "09:00 UTC")
        clock.shift(timedelta(minutes=1))
        new_job(feature, 1)
        clock.move_to(utc(2026, 6, 1, 9, 0))
        assert runner.tick().empty == 1
        clock.move_to(utc(2026, 6, 1, 12, 0))
        feature.jobs(command(BOSS, "approve 1"))
        clock.move_to(utc(2026, 6, 2, 9, 0))
        runner.tick()
        assert len(poster.to("C1")) == 1 and len(poster.to("C1")[0].results) == 1


def test_new_york_spring_forward(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    with time_machine.travel(utc(2026, 3, 6, 12, 0), tick=False) as clock:
        subscribe(feature, "09:00 America/New_York always", channel="NINE")
        subscribe(feature, "02:30 America/New_York always", channel="GAP")  # 02:30 does not exist on Mar 8
        clock.move_to(utc(2026, 3, 7, 14, 0))  # 09:00 EST
        runner.tick()
        assert len(poster.to("NINE")) == 1
        clock.move_to(utc(2026, 3, 8, 7, 29))  # 03:29 EDT: the skipped 02:30 has not come yet
        runner.tick()
        assert len(poster.to("GAP")) == 1  # Mar 7's 02:30 EST, caught up
        clock.move_to(utc(2026, 3, 8, 7, 30))  # 03:30 EDT, one hour after the skipped 02:30
        runner.tick()
        assert len(poster.to("GAP")) == 2
        clock.move_to(utc(2026, 3, 8, 12, 59))
        runner.tick()
        assert len(poster.to("NINE")) == 1
        clock.move_to(utc(2026, 3, 8, 13, 0))  # 09:00 EDT is an hour earlier in UTC
        runner.tick()
        assert len(poster.to("NINE")) == 2
        clock.move_to(utc(2026, 3, 8, 14, 0))
        runner.tick()
        assert len(poster.to("NINE")) == 2


def test_new_york_fall_back_sends_the_repeated_hour_once(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    with time_machine.travel(utc(2026, 10, 30, 12, 0), tick=False) as clock:
        subscribe(feature, "01:30 America/New_York always")
        clock.move_to(utc(2026, 11, 1, 5, 29))
        runner.tick()
        clock.move_to(utc(2026, 11, 1, 5, 30))  # 01:30 EDT, the first time
        runner.tick()
        assert len(poster.to("C1")) == 1
        clock.move_to(utc(2026, 11, 1, 6, 30))  # 01:30 EST, the same wall time again
        runner.tick()
        assert len(poster.to("C1")) == 1
        clock.move_to(utc(2026, 11, 2, 6, 30))  # the next day, 01:30 EST
        runner.tick()
        assert len(poster.to("C1")) == 2
        with transaction(runner.sessions) as session:
            assert [r.local_date for r in send_log(session)][-2:] == [date(2026, 11, 1), date(2026, 11, 2)]


def test_auckland_digest_goes_out_the_utc_evening_before(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    with time_machine.travel(utc(2026, 11, 28, 10, 0), tick=False) as clock:  # Nov 28, 23:00 NZDT
        subscribe(feature, "09:00 Pacific/Auckland always")
        clock.move_to(utc(2026, 11, 28, 19, 59))
        runner.tick()
        assert poster.posts == []
        clock.move_to(utc(2026, 11, 28, 20, 0))  # Nov 29, 09:00 in Auckland
        runner.tick()
        clock.move_to(utc(2026, 11, 29, 8, 0))  # still Nov 29 in Auckland, the next UTC day
        runner.tick()
        assert len(poster.posts) == 1
        with transaction(runner.sessions) as session:
            assert [r.local_date for r in send_log(session)] == [date(2026, 11, 29)]


def test_los_angeles_evening_digest_is_after_midnight_utc(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    with time_machine.travel(utc(2026, 7, 1, 18, 0), tick=False) as clock:  # 11:00 PDT
        subscribe(feature, "6pm America/Los_Angeles always")
        clock.move_to(utc(2026, 7, 2, 0, 59))
        runner.tick()
        assert poster.posts == []
        clock.move_to(utc(2026, 7, 2, 1, 0))  # Jul 1, 18:00 PDT
        runner.tick()
        clock.move_to(utc(2026, 7, 2, 6, 0))  # Jul 1, 23:00 PDT
        runner.tick()
        assert len(poster.posts) == 1
        with transaction(runner.sessions) as session:
            assert [r.local_date for r in send_log(session)] == [date(2026, 7, 1)]


def test_subscription_made_after_todays_time_starts_tomorrow(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    with time_machine.travel(utc(2026, 5, 4, 15, 0), tick=False) as clock:  # 10:00 in Chicago
        assert "tomorrow" in subscribe(feature, "09:00 America/Chicago always").sections[0].text
        clock.shift(timedelta(minutes=1))
        runner.tick()
        assert poster.posts == []
        clock.move_to(utc(2026, 5, 5, 14, 0))
        runner.tick()
        assert len(poster.posts) == 1


def test_catch_up_sends_todays_missed_digest_once_and_skips_older_days(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    with time_machine.travel(utc(2026, 5, 1, 8, 0), tick=False) as clock:
        subscribe(feature, "09:00 UTC")
        clock.shift(timedelta(minutes=1))
        new_job(feature, 1)
        clock.move_to(utc(2026, 5, 4, 13, 0))  # the process was down for three digest times
        new_job(feature, 2)
        runner.tick()
        runner.tick()
        assert len(poster.posts) == 1 and len(poster.posts[0][2].results) == 2
        with transaction(runner.sessions) as session:
            assert [r.local_date for r in send_log(session)] == [date(2026, 5, 4)]


def test_channel_gone_pauses_and_tells_the_subscriber_once(board) -> None:  # type: ignore[no-untyped-def]
    feature, runner, poster = board
    poster.gone.add("C1")
    with time_machine.travel(utc(2026, 5, 1, 8, 0), tick=False) as clock:
        subscribe(feature, "09:00 UTC always")
        clock.move_to(utc(2026, 5, 1, 9, 0))
        report = runner.tick()
        assert report.failed == 1 and report.paused == 1
        paused = ("ana", "Your CodeDesk job digest is paused")
        assert [(user, n.title) for _, user, n in poster.notices] == [paused]
        clock.move_to(utc(2026, 5, 2, 9, 0))
        assert runner.tick().due == 0
        assert len(poster.notices) == 1
        listed = feature.jobs(command(ANA, "subscriptions"))
        assert "paused" in listed.results[0].subtitle
        with transaction(runner.sessions) as session:
            assert send_log(session)[0].reason == "channel_gone: channel_not_found"
        poster.gone.clear()
        subscribe(feature, "09:30 UTC always")  # invited back: subscribing again resumes it
        clock.move_to(utc(2026, 5, 2, 9, 30))
        runner.tick()
        assert len(poster.to("C1")) == 1


class Crash(BaseException):
    """The process dying mid-post: not an error the runner could catch."""


class CrashingPoster(RecordingPoster):
    def post(self, workspace_id: str, channel_id: str, reply: Reply):  # type: ignore[no-untyped-def]
        raise Crash()


def test_crash_between_claim_and_post_is_recorded_failed_not_lost(sqlite_sessions) -> None:  # type: ignore[no-untyped-def]
    feature = JobsFeature(sqlite_sessions)
    survivor = RecordingPoster()
    with time_machine.travel(utc(2026, 5, 1, 8, 0), tick=False) as clock:
        subscribe(feature, "09:00 UTC")
        clock.shift(timedelta(minutes=1))
        new_job(feature, 1)
        clock.move_to(utc(2026, 5, 1, 9, 0))
        with pytest.raises(Crash):
            DigestRunner(sqlite_sessions, {"slack": CrashingPoster()}, replica="a").tick()
        other = DigestRunner(sqlite_sessions, {"slack": survivor}, replica="b")
        assert other.tick().sent == 0  # the claim stands: no second digest today
        with transaction(sqlite_sessions) as session:
            assert send_log(session)[0].state == "claimed"
        clock.shift(timedelta(minutes=16))
        assert other.tick().stale_marked == 1
        with transaction(sqlite_sessions) as session:
            record = send_log(session)[0]
        assert (record.state, record.reason) == ("failed", INTERRUPTED)
        clock.move_to(utc(2026, 5, 2, 9, 0))
        other.tick()
        assert len(survivor.to("C1")) == 1 and len(survivor.to("C1")[0].results) == 1  # the job was not lost


def test_poster_errors_are_recorded_as_failed_with_reason(board) -> None:  # type: ignore[no-untyped-def]
    feature, _, _ = board

    class Broken(RecordingPoster):
        def post(self, workspace_id: str, channel_id: str, reply: Reply):  # type: ignore[no-untyped-def]
            raise ConnectionError("boom")

    runner = DigestRunner(feature.sessions, {"slack": Broken()})
    with time_machine.travel(utc(2026, 5, 1, 8, 0), tick=False) as clock:
        subscribe(feature, "09:00 UTC always")
        clock.move_to(utc(2026, 5, 1, 9, 0))
        assert runner.tick().failed == 1
        with transaction(feature.sessions) as session:
            assert send_log(session)[0].reason == "error: ConnectionError"


def test_two_schedulers_on_one_database_send_each_digest_once(db_url: str) -> None:
    engines = [db.make_engine(db_url), db.make_engine(db_url)]
    try:
        factories = [db.session_factory(e) for e in engines]
        feature = JobsFeature(factories[0])
        posters = [RecordingPoster(), RecordingPoster()]
        zones = ["UTC", "America/Chicago", "Pacific/Auckland", "America/Los_Angeles", "Europe/London"]
        with time_machine.travel(utc(2026, 5, 1, 0, 0), tick=False) as clock:
            for n in range(40):
                feature.jobs(Request.command_of(actor(f"u{n}", f"T{n % 3}"), "jobs",
                                                f"subscribe 00:00 {zones[n % len(zones)]} always", f"CH{n}"))
            clock.shift(timedelta(minutes=1))
            post_job(feature, actor("ana", "T0"))
            clock.move_to(utc(2026, 5, 2, 12, 0))  # every zone is past midnight, at most a day apart
            runners = [DigestRunner(f, {"slack": p}, replica=f"r{i}", batch=7)
                       for i, (f, p) in enumerate(zip(factories, posters, strict=True))]
            barrier = threading.Barrier(2)
            errors: list[BaseException] = []

            def fire(runner: DigestRunner) -> None:
                try:
                    barrier.wait()
                    for _ in range(3):
                        runner.tick()
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=fire, args=(r,)) for r in runners]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
            channels = [c for p in posters for _, c, _ in p.posts]
            assert sorted(channels) == sorted(f"CH{n}" for n in range(40))
            with transaction(factories[0]) as session:
                assert {r.state for r in send_log(session)} == {"sent"}
    finally:
        for engine in engines:
            engine.dispose()


