"""core/consult/reminders.py on the scheduler: an unclaimed ticket gets one reminder (channel and
consultants) and an unanswered one tells its asker once, however many replicas tick."""

from __future__ import annotations

import threading

from apscheduler.schedulers.background import BackgroundScheduler

from core import db
from core.consult.outbox import Deliverer
from core.consult.policy import ConsultPolicy
from core.consult.reminders import ConsultReminders
from core.consult.schedule import CONSULT_JOB, ConsultRunner, add_consult_job
from core.requests import Request
from tests.core.consult.conftest import Clock, ConsultRig, SmtpServer, actor


def _replica(db_url: str, rig: ConsultRig, smtp: SmtpServer, clock: Clock, name: str) -> BackgroundScheduler:
    """One replica: its own engine and scheduler with the consult job (not started: the test fires it)."""
    sessions = db.session_factory(db.make_engine(db_url))
    runner = ConsultRunner(ConsultReminders(sessions, ConsultPolicy(), replica=name, now=clock),
                           Deliverer(sessions, {"slack": rig.poster}, smtp.mailer(), now=clock))
    scheduler = BackgroundScheduler()
    add_consult_job(scheduler, runner, clock())
    return scheduler


def _fire_together(schedulers: list[BackgroundScheduler]) -> None:
    barrier = threading.Barrier(len(schedulers))

    def fire(scheduler: BackgroundScheduler) -> None:
        job = scheduler.get_job(CONSULT_JOB)
        assert job is not None
        barrier.wait()
        job.func()
    threads = [threading.Thread(target=fire, args=(s,)) for s in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)


def test_two_schedulers_send_one_reminder(rig: ConsultRig, smtp: SmtpServer, clock: Clock, db_url: str) -> None:
    rig.setup(experts=("ed@example.org",))
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    rig.ask(ana, "Can 99152 be billed by the surgeon doing 45378?")
    rig.ask(ana, "Is 96372 bundled with J1885?")
    rig.desk.handle(Request.action_of(actor("ed"), "consult_claim", "2", "C0EXPERTS"))  # #2 is claimed
    replicas = [_replica(db_url, rig, smtp, clock, f"replica-{n}") for n in range(2)]
    posts_before, mails_before = len(rig.poster.posts), len(smtp.inbox.messages)

    clock.advance(minutes=59)
    _fire_together(replicas)
    assert len(rig.poster.posts) == posts_before and len(smtp.inbox.messages) == mails_before

    clock.advance(minutes=2)
    _fire_together(replicas)
    _fire_together(replicas)
    reminders = [r for _, _, r in rig.poster.posts if r.title.startswith("Reminder")]
    assert [r.title for r in reminders] == ["Reminder: consult #1 is still waiting for an expert"]
    assert [m["Subject"] for m in smtp.inbox.messages[mails_before:]] == \
        ["Reminder: CodeDesk consult #1 is waiting for an expert"]
    assert rig.poster.notices == []  # the asker hears nothing yet

    clock.advance(hours=23)
    _fire_together(replicas)
    _fire_together(replicas)
    still = [(user, r.title) for _, user, r in rig.poster.notices]
    assert still == [("ana", "Your consult #1 is still open"), ("ana", "Your consult #2 is still open")]
    assert len([r for _, _, r in rig.poster.posts if r.title.startswith("Reminder")]) == 1


def test_the_remind_minutes_setting_and_answered_tickets(rig: ConsultRig, smtp: SmtpServer, clock: Clock) -> None:
    rig.setup(experts=())
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    rig.ask(ana, "Is 99497 billable with an AWV?")
    rig.command(actor("ed"), "answer 1 Yes, with modifier 33.", channel="C0EXPERTS")
    rig.ask(ana, "Second: 99406 with 99214?")
    policy = ConsultPolicy.from_env({"CODEDESK_CONSULT_REMIND_MINUTES": "15"})
    reminders = ConsultReminders(rig.sessions, policy, now=clock)
    clock.advance(minutes=14)
    assert reminders.tick().unclaimed == 0
    clock.advance(minutes=2)
    report = reminders.tick()
    assert report.unclaimed == 1  # #1 is answered: no reminder for it
    rig.deliverer.deliver_due()
    assert [r.title for _, _, r in rig.poster.posts if r.title.startswith("Reminder")] == \
        ["Reminder: consult #2 is still waiting for an expert"]
