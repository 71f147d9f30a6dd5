"""core/consult/outbox.py: sends after commit, an SMTP outage recorded on the ticket and retried with
backoff on a controlled clock, giving up visibly, admins' retry, and one send per row across replicas."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import db
from core.consult.outbox import MAX_ATTEMPTS, Deliverer, backoff
from core.consult.tables import ConsultDelivery
from core.db import transaction
from core.requests import Request
from tests.core.consult.conftest import Clock, ConsultRig, SmtpServer, actor


def _emails(sessions: sessionmaker[Session]) -> list[ConsultDelivery]:
    with transaction(sessions) as session:
        return list(session.scalars(select(ConsultDelivery).where(ConsultDelivery.medium == "email")
                                    .order_by(ConsultDelivery.id)))


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [int(backoff(n).total_seconds() // 60) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_an_smtp_outage_is_recorded_on_the_ticket_and_retried(rig: ConsultRig, smtp: SmtpServer,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    boss = rig.setup(experts=("ed@example.org",))
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    smtp.stop()  # the mail server is down when the question is asked

    sent = rig.ask(ana, "Is 20610 with ultrasound guidance billed as 20611?")
    assert not sent.is_error  # the ticket exists and the channel post went out
    assert len(rig.poster.posts) == 1
    [row] = _emails(rig.sessions)
    assert row.state == "pending" and row.attempts == 1 and row.last_error.startswith("ConnectionRefusedError")

    # Admins see the failure on the ticket (the address only by its domain) and in the settings.
    card = rig.command(boss, "1")
    problems = next(s for s in card.sections if s.heading.startswith("Delivery problems")).text
    assert "email to …@example.org" in problems and "ConnectionRefusedError" in problems
    assert "ed@example.org" not in problems
    assert "#1:" in repr(rig.command(boss, "settings"))
    assert not any(s.heading.startswith("Delivery") for s in rig.command(ana, "1").sections)  # not the asker

    # Not due yet: nothing is tried before the backoff ends, even with the server back.
    smtp.start()
    rig.deliverer.deliver_due()
    assert smtp.inbox.messages == []
    rig.clock.advance(minutes=1, seconds=1)
    report = rig.deliverer.deliver_due()
    assert report.sent == 1
    [mail] = smtp.inbox.to("ed@example.org")
    assert mail["Subject"] == "CodeDesk consult #1: a new coding question"
    [row] = _emails(rig.sessions)
    assert row.state == "sent" and row.attempts == 2
    assert not any(s.heading.startswith("Delivery") for s in rig.command(boss, "1").sections)
    assert "ed@example.org" not in caplog.text and "20610" not in caplog.text


def test_a_long_outage_gives_up_visibly_and_admins_can_retry(rig: ConsultRig, smtp: SmtpServer) -> None:
    boss = rig.setup(experts=("ed@example.org",))
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    smtp.stop()
    rig.ask(ana, "Does 97110 need modifier GP for Medicare?")
    for attempt in range(2, MAX_ATTEMPTS + 1):
        rig.clock.advance(hours=1)
        rig.deliverer.deliver_due()
        assert _emails(rig.sessions)[0].attempts == attempt
    [row] = _emails(rig.sessions)
    assert row.state == "failed"
    assert "gave up" in repr(rig.command(boss, "1"))
    rig.clock.advance(hours=5)
    rig.deliverer.deliver_due()
    assert _emails(rig.sessions)[0].attempts == MAX_ATTEMPTS  # no more tries on its own

    smtp.start()
    assert rig.desk.handle(Request.command_of(boss, "codedesk", "consult retry")).title == \
        "1 failed delivery queued again"
    assert len(smtp.inbox.to("ed@example.org")) == 1
    assert _emails(rig.sessions)[0].state == "sent"


def test_a_platform_outage_is_retried_too(rig: ConsultRig) -> None:
    rig.setup(experts=())
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    rig.poster.down = True
    rig.ask(ana, "Is 99406 billable with 99214?")
    assert rig.poster.posts == []
    rig.poster.down = False
    rig.clock.advance(minutes=2)
    rig.deliverer.deliver_due()
    [(_, channel, post)] = rig.poster.posts
    assert channel == "C0EXPERTS" and post.title.startswith("Consult #1")


def test_two_replicas_deliver_each_message_once(rig: ConsultRig, smtp: SmtpServer, db_url: str,
                                                clock: Clock) -> None:
    rig.setup(experts=("ed@example.org", "flo@example.org", "gil@example.org"))
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    smtp.stop()
    for n in range(3):  # a registered person's month
        assert not rig.ask(ana, f"Question {n} about 99213 and G2211?").is_error
    smtp.start()
    clock.advance(minutes=5)
    engines = [db.make_engine(db_url) for _ in range(2)]
    replicas = [Deliverer(db.session_factory(e), {"slack": rig.poster}, smtp.mailer(), now=clock) for e in engines]
    barrier = threading.Barrier(2)

    def run(replica: Deliverer) -> None:
        barrier.wait()
        replica.deliver_due()
    threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for e in engines:
        e.dispose()
    assert len(smtp.inbox.messages) == 9  # 3 questions x 3 consultants, each once
    assert sorted(r.state for r in _emails(rig.sessions)) == ["sent"] * 9
