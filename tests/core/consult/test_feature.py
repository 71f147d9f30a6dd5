"""The consult flow through the Desk, on SQLite and PostgreSQL, with a real SMTP server: ask (form,
PHI refusal, limits), channel post and email, claim, answer (button form, command, thread reply),
the asker's DM and email, lists, closing and the admin settings."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from core.consult.cards import ANSWER, ANSWER_FORM, ASK_FORM, CLAIM
from core.consult.policy import ConsultPolicy
from core.consult.tables import ConsultCounter, ConsultDelivery, ConsultTicket
from core.db import transaction
from core.replies import ErrorKind, Visibility
from core.requests import Platform, Request
from tests.core.consult.conftest import Clock, ConsultRig, SmtpServer, actor, make_rig

QUESTION = "Can I bill 99214-25 with 11102 when the biopsy was planned before the visit?"


def _text(reply: object) -> str:
    return repr(reply)


def test_consult_opens_a_form_with_the_question_codes_and_a_reminder(rig: ConsultRig) -> None:
    rig.setup()
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    reply = rig.command(ana, QUESTION)
    assert reply.form is not None and reply.form.form_id == ASK_FORM
    fields = {f.name: f for f in reply.form.fields}
    assert fields["question"].value == QUESTION and fields["question"].required
    assert not fields["codes"].required
    assert "patient identifiers" in reply.form.intro


def test_the_whole_flow_ask_post_email_claim_answer_dm_and_email(rig: ConsultRig, smtp: SmtpServer,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the test SMTP server logs what it receives
    rig.setup(experts=("ed@example.org", "flo@example.org"))
    ana = actor("ana")
    rig.register(ana, "ana@example.org")

    sent = rig.ask(ana, QUESTION, "99214, 11102")
    assert not sent.is_error, sent
    assert sent.title == "Consult #1 is with the experts"
    assert "2 consultants by email" in sent.subtitle and "and by email" in sent.subtitle

    # The experts channel got the ticket with Claim and Answer; both consultants got an email.
    [(workspace, channel, post)] = rig.poster.posts
    assert (workspace, channel) == ("T1", "C0EXPERTS")
    assert post.title == "Consult #1: a coding question for the experts"
    assert post.visibility is Visibility.CHANNEL
    assert [a.action_id for a in post.actions] == [CLAIM, ANSWER]
    assert QUESTION in _text(post) and "99214 11102" in _text(post)
    for address in ("ed@example.org", "flo@example.org"):
        [mail] = smtp.inbox.to(address)
        assert mail["Subject"] == "CodeDesk consult #1: a new coding question"
        assert mail["From"] == "codedesk@example.org"
        plain = mail.get_body(("plain",))
        html = mail.get_body(("html",))
        assert plain is not None and QUESTION in plain.get_content()
        assert html is not None and "<h3>Question</h3>" in html.get_content()
    assert all(smtp.inbox.tls) and set(smtp.inbox.logins) == {"codedesk"}  # STARTTLS, then login

    # An expert in the channel claims it: everyone in the channel sees who.
    ed = actor("ed")
    claimed = rig.desk.handle(Request.action_of(ed, CLAIM, "1", "C0EXPERTS"))
    assert claimed.title == "Consult #1 claimed by Ed" and claimed.visibility is Visibility.CHANNEL
    taken = rig.desk.handle(Request.action_of(actor("flo"), CLAIM, "1", "C0EXPERTS"))
    assert taken.is_error and "already claimed by Ed" in taken.title

    # The Answer button opens a form naming the ticket; submitting it answers.
    form = rig.desk.handle(Request.action_of(ed, ANSWER, "1", "C0EXPERTS")).form
    assert form is not None and form.form_id == ANSWER_FORM
    assert {f.name: f.value for f in form.fields}["ticket"] == "1"
    answer = "Yes: a separately identifiable E/M with modifier 25 is supported when the decision to biopsy " \
             "was made at the visit; if it was planned beforehand, bill 11102 alone."
    done = rig.desk.handle(Request.form_of(ed, ANSWER_FORM, {"ticket": "1", "answer": answer}, "C0EXPERTS"))
    assert done.title == "Consult #1 answered by Ed"
    assert "by direct message and email" in done.subtitle

    # The asker: a direct message and an email, both naming the expert.
    [(_, user, notice)] = rig.poster.notices
    assert user == "ana" and notice.title == "Your consult #1 is answered by Ed" and answer in _text(notice)
    [mail] = smtp.inbox.to("ana@example.org")
    assert mail["Subject"] == "Your CodeDesk consult #1 is answered by Ed"
    body = mail.get_body(("plain",))
    assert body is not None and answer in body.get_content()

    shown = rig.command(ana, "1")
    assert shown.title == "Consult #1: answered by Ed" and answer in _text(shown)
    # Neither the question, the answer nor an address reached the logs.
    for secret in (QUESTION, answer, "ana@example.org", "ed@example.org"):
        assert secret not in caplog.text


def test_phi_is_refused_with_what_to_remove_and_nothing_is_stored(rig: ConsultRig, smtp: SmtpServer,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the test SMTP server logs what it receives
    rig.setup()
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    question = "Patient Mary Major DOB 04/05/1950, MRN 5566778, call 555-210-9988: is 99214-25 ok?"
    at_once = rig.command(ana, question)
    assert at_once.is_error and at_once.form is None and at_once.error is ErrorKind.BAD_INPUT
    submitted = rig.ask(ana, question)
    for reply in (at_once, submitted):
        text = _text(reply)
        assert "date of birth" in text and "record" in text and "phone number" in text
        for secret in ("Mary", "Major", "04/05/1950", "5566778", "555-210-9988"):
            assert secret not in text
    with transaction(rig.sessions) as session:
        assert session.scalar(select(func.count()).select_from(ConsultTicket)) == 0
        assert session.scalar(select(func.count()).select_from(ConsultDelivery)) == 0
        assert session.scalar(select(func.coalesce(func.sum(ConsultCounter.used), 0))) == 0
    assert rig.poster.posts == [] and smtp.inbox.messages == []
    for secret in ("Mary", "5566778", "555-210-9988"):
        assert secret not in caplog.text


def test_answer_anywhere_by_command_and_by_thread_reply(rig: ConsultRig) -> None:
    rig.setup()
    ana, ed = actor("ana"), actor("ed")
    rig.register(ana, "ana@example.org")
    rig.ask(ana, "Is 93000 bundled with 99214 for a routine ECG?")
    rig.ask(ana, "Does 36415 go on the same claim as 80053?")
    rig.register(ed, "ed@example.org")  # a registered consultant is an expert anywhere
    by_command = rig.command(ed, "answer 1 No, 93000 is separately reportable.", channel="D0ED")
    assert by_command.title == "Consult #1 answered by Ed", by_command

    # A reply in the thread of ticket #2's post (its message id is m2) answers #2.
    post_id = "m2"
    reply = rig.desk.follow_thread(Request.message_of(actor("flo"), "Yes, both go on one claim.", "C0EXPERTS",
                                                      thread_id=post_id))
    assert reply is not None and reply.title == "Consult #2 answered by Flo"
    assert rig.desk.follow_thread(Request.message_of(actor("flo"), "chit-chat", "C0EXPERTS",
                                                     thread_id="m99")) is None
    # A mention in that thread (Desk.handle) goes to the consult too, not to the code finder.
    again = rig.desk.handle(Request.message_of(actor("flo"), "more", "C0EXPERTS", thread_id=post_id))
    assert again.is_error and "already answered" in again.title
    assert [n.title for _, _, n in rig.poster.notices] == ["Your consult #1 is answered by Ed",
                                                           "Your consult #2 is answered by Flo"]


def test_only_experts_claim_or_answer_and_only_the_asker_or_staff_see_a_ticket(rig: ConsultRig) -> None:
    rig.setup()
    ana, bob = actor("ana"), actor("bob")
    rig.register(ana, "ana@example.org")
    rig.ask(ana, "Which modifier for a bilateral 64483?")
    assert rig.command(bob, "claim 1", channel="C0GENERAL").error is ErrorKind.FORBIDDEN
    assert rig.command(bob, "answer 1 use 50", channel="C0GENERAL").error is ErrorKind.FORBIDDEN
    assert rig.command(bob, "1").error is ErrorKind.NOT_FOUND
    assert rig.command(ana, "1").title == "Consult #1: open"
    assert rig.command(ana, "claim 1").error is ErrorKind.FORBIDDEN


def test_lists_and_closing(rig: ConsultRig) -> None:
    boss = rig.setup()
    ana, bob = actor("ana"), actor("bob")
    rig.register(ana, "ana@example.org")
    rig.register(bob, "bob@example.org")
    rig.ask(ana, "First question about 99497?")
    rig.ask(bob, "Second question about G2211?")
    rig.ask(ana, "Third question about 99417?")
    mine = rig.command(ana, "list")
    assert mine.title == "Your consults" and [r.title[:3] for r in mine.results] == ["#3 ", "#1 "]
    staff = rig.command(actor("ed"), "list", channel="C0EXPERTS")
    assert staff.title == "Open consults in this workspace" and len(staff.results) == 3
    assert rig.command(bob, "close 1").error is ErrorKind.NOT_FOUND  # not his
    assert rig.command(ana, "close 1").title == "Consult #1 closed"
    assert rig.command(boss, "close 2").title == "Consult #2 closed"  # admins may
    assert len(rig.command(boss, "list").results) == 1
    assert rig.command(ana, "1").title == "Consult #1: closed"
    assert rig.command(actor("ed"), "answer 1 late", channel="C0EXPERTS").is_error


def test_monthly_limits_registered_three_guests_none_unlimited_tier_unlimited(rig: ConsultRig) -> None:
    boss = rig.setup()
    ana, guest, vip = actor("ana"), actor("gus"), actor("vip")
    rig.register(ana, "ana@example.org")
    for n in range(3):
        assert not rig.ask(ana, f"Question {n} about 99213?").is_error
    over = rig.ask(ana, "A fourth about 99213?")
    assert over.error is ErrorKind.QUOTA and "3 consults" in over.title
    refused = rig.command(guest, "Is 99211 billable by a nurse?")
    assert refused.error is ErrorKind.QUOTA and "register" in _text(refused).lower()
    assert any(a.action_id == "register" for a in refused.actions)
    assert rig.ask(guest, "Is 99211 billable by a nurse?").error is ErrorKind.QUOTA
    rig.desk.handle(Request.command_of(boss, "codedesk", "grant <@vip> unlimited"))
    for n in range(5):
        assert not rig.ask(vip, f"Unlimited question {n} on 99215?").is_error
    # A new month gives the registered person three again.
    rig.clock.advance(days=31)
    assert not rig.ask(ana, "A new month's question on 99213?").is_error


def test_limits_come_from_settings(sessions: object, smtp: SmtpServer, clock: Clock) -> None:
    custom = make_rig(sessions, smtp.mailer(), clock,  # type: ignore[arg-type]
                      policy=ConsultPolicy(guest=1, registered=1))
    custom.setup()
    assert not custom.ask(actor("gus"), "A guest may ask one about 99213?").is_error
    assert custom.ask(actor("gus"), "But not two about 99213?").error is ErrorKind.QUOTA


def test_asking_without_experts_set_up_says_what_the_admin_types(rig: ConsultRig) -> None:
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    reply = rig.command(ana, "Is 99214 right here?")
    assert reply.is_error and "/codedesk consult channel" in _text(reply)


def test_admin_settings_and_experts(rig: ConsultRig) -> None:
    boss = rig.setup(experts=("ed@example.org",))
    assert rig.command(actor("bob"), "channel here").error is ErrorKind.FORBIDDEN
    assert rig.command(actor("bob"), "add-expert x@example.org").error is ErrorKind.FORBIDDEN
    assert rig.command(boss, "add-expert not-an-email").error is ErrorKind.BAD_INPUT
    assert "already" in rig.command(boss, "add-expert ED@example.org").title
    assert "1 consultant" in rig.desk.handle(Request.command_of(boss, "codedesk", "consult experts")).title
    assert rig.command(boss, "remove-expert ed@example.org").title == "ed@example.org is no longer a consultant"
    assert rig.command(boss, "remove-expert ed@example.org").error is ErrorKind.NOT_FOUND
    moved = rig.command(boss, "channel here", channel="C0NEW")
    assert "<#C0NEW>" in moved.title
    settings = rig.command(boss, "settings")
    values = {f.label: f.value for f in settings.fields}
    assert values["Experts channel"] == "<#C0NEW>" and values["Email"] == "configured"
    assert "registered 3" in values["Consults a month"]


def test_the_assistant_offers_an_expert_when_it_does_not_know(rig: ConsultRig) -> None:
    from core.replies import error_reply

    def finder(request: Request) -> object:
        return error_reply(ErrorKind.NOT_FOUND, "I did not find a code for that.")
    offered = rig.feature.offering(finder)(Request.message_of(actor("ana"), "weird question"))  # type: ignore[arg-type]
    assert offered is not None and any(a.action_id == ASK_FORM for a in offered.actions)


@pytest.mark.parametrize("platform", [Platform.DISCORD, Platform.SHELL])
def test_numbers_are_per_workspace(sessions: object, smtp: SmtpServer, clock: Clock, platform: Platform) -> None:
    multi = make_rig(sessions, smtp.mailer(), clock, platform=platform)  # type: ignore[arg-type]
    for workspace in ("W1", "W2"):
        boss = actor("boss", workspace, admin=True, platform=platform)
        multi.desk.handle(Request.command_of(boss, "codedesk", "consult channel here", "C0X"))
        asker = actor("ana", workspace, platform=platform)
        multi.register(asker, "ana@example.org")
        assert multi.ask(asker, "Same question about 99213?").title == "Consult #1 is with the experts"


def test_a_channel_named_by_name_is_kept_by_the_id_the_platform_reports(rig: ConsultRig) -> None:
    boss = actor("boss", admin=True)
    assert rig.command(boss, "channel #coding-experts").title == "New consults now go to #coding-experts"
    rig.command(boss, "add-expert ed@example.org")
    rig.poster.ids["#coding-experts"] = "C0RESOLVED"
    ana = actor("ana")
    rig.register(ana, "ana@example.org")
    rig.ask(ana, "Is 99417 reported per 15 minutes?")
    settings = {f.label: f.value for f in rig.command(boss, "settings").fields}
    assert settings["Experts channel"] == "<#C0RESOLVED>"
    claimed = rig.desk.handle(Request.action_of(actor("ed"), CLAIM, "1", "C0RESOLVED"))
    assert claimed.title == "Consult #1 claimed by Ed"
