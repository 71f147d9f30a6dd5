"""The job board through the real Desk: post, find, approve, remove, settings, isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy.orm import Session, sessionmaker

from core.codes.catalog import Catalog
from core.db import transaction
from core.desk import Desk
from core.jobs.feature import JobsFeature
from core.jobs.postings import sweep_expired
from core.replies import ErrorKind
from core.requests import Platform, Request
from tests.core.jobs.conftest import JOB, actor, command, job_id, post_job, utc
from tests.desks import code_desk


@pytest.fixture
def desk(catalog: Catalog, sessions: sessionmaker[Session]) -> Desk:
    return code_desk(catalog, features=(JobsFeature(sessions),))


def test_post_opens_a_form_and_the_submitted_form_becomes_a_live_posting(desk: Desk) -> None:
    ana = actor("ana")
    opened = desk.handle(command(ana, "post"))
    assert opened.form is not None and opened.form.form_id == "jobs_post"
    assert len(opened.form.fields) <= 5  # a Discord modal holds five inputs
    posted = desk.handle(Request.form_of(ana, "jobs_post", JOB, "C1"))
    assert not posted.is_error and "live" in posted.subtitle
    fields = {f.label: f.value for f in posted.fields}
    assert fields["Where"] == "Remote" and fields["Type"] == "Full-time"
    assert fields["Credentials"] == "CPC, CCS" and fields["Salary"] == "$55k–$65k"
    assert fields["Experience"] == "2+ years" and "cardiology" in fields["Specialty"]
    listing = desk.handle(command(actor("ben"), ""))
    expected = f"#{job_id(posted)} Remote CPC Coder — Denials — Acme Health"
    assert [r.title for r in listing.results] == [expected]
    shown = desk.handle(command(actor("ben"), str(job_id(posted))))
    assert shown.title.endswith("Remote CPC Coder — Denials")
    assert not shown.actions  # ben did not post it and is not an admin: no Remove button


def test_bad_apply_link_is_refused_with_what_to_type(desk: Desk) -> None:
    reply = desk.handle(Request.form_of(actor(), "jobs_post", dict(JOB, apply_url="javascript:alert(1)"),
                                        "C1"))
    assert reply.error is ErrorKind.BAD_INPUT and "http" in reply.title
    assert desk.handle(command(actor(), "")).title == "No coding jobs are posted yet"


def test_search_filters_and_forgives_typos(desk: Desk, sessions: sessionmaker[Session]) -> None:
    feature = JobsFeature(sessions)
    ana = actor("ana")
    post_job(feature, ana)
    post_job(feature, ana, title="Inpatient CCS coder", where="Austin, TX · onsite", details="CCS, $70k-$80k",
             apply_url="https://x.example/2")
    post_job(feature, ana, title="Hybrid RHIT abstractor", where="Dallas, TX, hybrid", details="RHIT $20/hr",
             apply_url="https://x.example/3")

    def titles(text: str) -> list[str]:
        return [r.title.split(" — ")[0] for r in desk.handle(command(ana, f"search {text}")).results]

    assert titles("remote cpc denials") == ["#1 Remote CPC Coder"]
    assert titles("remote cpc denails") == ["#1 Remote CPC Coder"]
    assert "denials" in desk.handle(command(ana, "search remote denails")).subtitle
    assert titles("TX") == ["#3 Hybrid RHIT abstractor", "#2 Inpatient CCS coder"]
    assert titles("$60k+") == ["#2 Inpatient CCS coder", "#1 Remote CPC Coder"]
    assert titles("min 75000") == ["#2 Inpatient CCS coder"]
    assert titles("hybrid") == ["#3 Hybrid RHIT abstractor"]
    assert desk.handle(command(ana, "search oncology")).error is ErrorKind.NOT_FOUND
    assert desk.handle(command(ana, "search $5+")).error is ErrorKind.BAD_INPUT


def test_approval_setting_holds_posts_until_an_admin_approves(desk: Desk) -> None:
    ana, boss = actor("ana"), actor("boss", admin=True)
    assert desk.handle(command(ana, "settings approval on")).error is ErrorKind.FORBIDDEN
    assert not desk.handle(command(boss, "settings approval on")).is_error
    pending = desk.handle(Request.form_of(ana, "jobs_post", JOB, "C1"))
    number = job_id(pending)
    assert "approval" in pending.subtitle
    assert desk.handle(command(actor("ben"), "")).title == "No coding jobs are posted yet"
    assert desk.handle(command(actor("ben"), str(number))).error is ErrorKind.NOT_FOUND
    assert desk.handle(command(ana, f"approve {number}")).error is ErrorKind.FORBIDDEN
    queue = desk.handle(command(boss, "pending"))
    assert len(queue.results) == 1
    card = desk.handle(command(boss, str(number)))
    assert [a.label for a in card.actions] == ["Approve", "Reject", "Remove"]
    approved = desk.handle(Request.action_of(boss, "jobs_approve", str(number), "C1"))
    assert approved.title == f"Job #{number} approved: it is live"
    assert len(desk.handle(command(actor("ben"), "")).results) == 1
    second = job_id(desk.handle(Request.form_of(ana, "jobs_post", dict(JOB, apply_url="https://x.example/9"))))
    assert "rejected" in desk.handle(command(boss, f"reject {second}")).title
    assert len(desk.handle(command(actor("ben"), "")).results) == 1


def test_remove_by_poster_or_admin_only(desk: Desk) -> None:
    ana = actor("ana")
    first = job_id(desk.handle(Request.form_of(ana, "jobs_post", JOB, "C1")))
    second = job_id(desk.handle(Request.form_of(ana, "jobs_post", dict(JOB, apply_url="https://x.example/2"))))
    assert desk.handle(command(actor("ben"), f"remove {first}")).error is ErrorKind.FORBIDDEN
    assert desk.handle(command(ana, f"remove {first}")).title == f"Job #{first} removed"
    assert desk.handle(command(actor("boss", admin=True),
                               f"remove #{second}")).title == f"Job #{second} removed"
    assert desk.handle(command(ana, "")).title == "No coding jobs are posted yet"
    assert desk.handle(command(ana, "remove")).error is ErrorKind.BAD_INPUT


def test_a_posting_in_one_workspace_never_shows_in_another(desk: Desk) -> None:
    number = job_id(desk.handle(Request.form_of(actor("ana", "T1"), "jobs_post", JOB, "C1")))
    other = actor("zed", "T2", admin=True)
    assert desk.handle(command(other, "")).title == "No coding jobs are posted yet"
    assert desk.handle(command(other, "search cpc")).error is ErrorKind.NOT_FOUND
    assert desk.handle(command(other, str(number))).error is ErrorKind.NOT_FOUND
    assert desk.handle(command(other, f"remove {number}")).error is ErrorKind.NOT_FOUND
    # The same apply link may be posted on another board.
    assert not desk.handle(Request.form_of(other, "jobs_post", JOB, "C1")).is_error


def test_duplicate_apply_link_is_refused_on_the_same_board(desk: Desk) -> None:
    desk.handle(Request.form_of(actor("ana"), "jobs_post", JOB, "C1"))
    again = desk.handle(Request.form_of(actor("ben"), "jobs_post", JOB, "C1"))
    assert again.error is ErrorKind.BAD_INPUT and "already" in again.title


def test_postings_expire_after_thirty_days(desk: Desk, sessions: sessionmaker[Session]) -> None:
    with time_machine.travel(utc(2026, 3, 1, 12), tick=False) as clock:
        number = job_id(desk.handle(Request.form_of(actor("ana"), "jobs_post", JOB, "C1")))
        clock.shift(timedelta(days=29, hours=23))
        assert len(desk.handle(command(actor("ben"), "")).results) == 1
        clock.shift(timedelta(hours=2))
        assert desk.handle(command(actor("ben"), "")).title == "No coding jobs are posted yet"
        assert {f.label: f.value for f in desk.handle(command(actor("ana"),
                                                              str(number))).fields}["Status"] == "expired"
        with transaction(sessions) as session:
            assert sweep_expired(session, utc(2026, 3, 31, 14)) == 1
        assert desk.handle(command(actor("ben"), str(number))).error is ErrorKind.NOT_FOUND


def test_help_and_unknown_words(desk: Desk) -> None:
    assert any("/jobs" in s.text for s in desk.handle(command(actor(), "help")).sections)
    assert any("/jobs" in s.text for s in desk.handle(Request.command_of(actor(), "help")).sections)
    assert any("/jobs subscribe" in s.text for s in desk.handle(Request.command_of(actor(), "help", "jobs")).sections)
    assert desk.handle(command(actor(), "cardiology")).error is ErrorKind.NOT_FOUND  # treated as a search


def test_misspelt_workplace_still_filters(desk: Desk, sessions: sessionmaker[Session]) -> None:
    feature = JobsFeature(sessions)
    post_job(feature, actor("ana"))
    post_job(feature, actor("ana"), title="Onsite coder", where="Austin, TX", apply_url="https://x.example/2")
    found = desk.handle(command(actor("ana"), "search remot"))
    assert found.title == "1 coding job for “remote”"


# --- the board's digest time zone ------------------------------------------------------------------
def test_a_digest_without_a_zone_uses_the_zone_the_board_was_first_given(desk: Desk) -> None:
    ana = actor(workspace="G1", platform=Platform.DISCORD)
    assert "daily at 09:00 Europe/Paris" in desk.handle(command(ana, "subscribe 09:00 Europe/Paris", "CH1")).subtitle
    assert "daily at 08:00 Europe/Paris" in desk.handle(command(ana, "subscribe 08:00", "CH2")).subtitle
    desk.handle(command(ana, "subscribe 07:00 Asia/Tokyo", "CH3"))  # a later zone is that channel's own
    assert "Europe/Paris" in desk.handle(command(ana, "subscribe", "CH4")).subtitle
    elsewhere = actor(workspace="G2", platform=Platform.DISCORD)
    assert "daily at 09:00 UTC" in desk.handle(command(elsewhere, "subscribe", "CH9")).subtitle


def test_the_board_zone_beats_the_platforms_which_beats_utc(desk: Desk) -> None:
    ana, boss = actor(), actor("boss", admin=True)
    assert "America/Chicago" in desk.handle(command(ana, "subscribe", "C1", tz="America/Chicago")).subtitle
    assert "America/Chicago" in desk.handle(command(ana, "settings", tz="America/Chicago")).fields[1].value
    assert desk.handle(command(boss, "settings timezone Europe/London")).title == \
        "Digests here now default to Europe/London"
    assert "Europe/London" in desk.handle(command(ana, "subscribe", "C2", tz="America/Chicago")).subtitle
    assert desk.handle(command(ana, "settings")).fields[1].value == "Europe/London"


def test_only_admins_set_the_board_zone_and_a_wrong_zone_says_what_to_type(desk: Desk) -> None:
    assert desk.handle(command(actor(), "settings timezone Europe/London")).error is ErrorKind.FORBIDDEN
    wrong = desk.handle(command(actor("boss", admin=True), "settings timezone Mars/Olympus"))
    assert wrong.error is ErrorKind.BAD_INPUT and "America/Chicago" in wrong.sections[0].text
    assert "UTC" in desk.handle(command(actor(), "subscribe", "C1")).subtitle
