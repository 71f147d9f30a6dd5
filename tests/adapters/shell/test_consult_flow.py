"""The whole consult flow in the terminal chat, with the shell poster printing the experts-channel
post and the direct message, and a real SMTP server receiving the emails."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from adapters.shell.chat import ShellSession
from adapters.shell.poster import ShellPoster
from core.accounts.feature import AccountsFeature
from core.accounts.quota import ViewQuota
from core.accounts.service import Accounts
from core.consult.feature import ConsultFeature
from core.consult.outbox import Deliverer
from core.consult.policy import ConsultPolicy
from core.consult.reminders import ConsultReminders
from core.desk import Desk
from core.requests import Actor, Platform
from tests.core.consult.conftest import Clock
from tests.fakes.smtp import SmtpServer, running_smtp


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from running_smtp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


QUESTION = "Can I bill 99214-25 with 11102 when the biopsy was planned?"


def test_ask_post_email_claim_answer_and_the_asker_hears_in_the_terminal(
        sessions: sessionmaker[Session], smtp: SmtpServer, clock: Clock) -> None:
    terminal = io.StringIO()
    deliverer = Deliverer(sessions, {"shell": ShellPoster(terminal)}, smtp.mailer(), now=clock)
    desk = Desk((AccountsFeature(Accounts(ViewQuota(sessions, clock=clock))),
                 ConsultFeature(sessions, deliverer, now=clock)))
    typed: Iterator[str] = iter(())
    shell = ShellSession(desk, Actor(Platform.SHELL, "local", "boss", "boss", is_admin=True),
                         ask=lambda prompt: next(typed))

    assert "New consults now go to #coding-experts" in shell.send("/codedesk consult channel #coding-experts")
    assert "ed@example.org is now a consultant" in shell.send("/codedesk consult add-expert ed@example.org")

    shell.send("/user ana")
    guest = shell.send(f"/consult {QUESTION}")
    assert "needs a (free) registration" in guest and "Register (free)" in guest
    typed = iter(["Ana Asker", "ana@example.org", "y"])
    assert "Welcome, Ana Asker" in shell.send("/register")

    refused = shell.send("/consult John Smith DOB 01/02/1960 needs 99214")
    assert "date of birth" in refused and "John" not in refused and "01/02/1960" not in refused

    typed = iter(["", "99214 11102"])  # Enter keeps the question typed after /consult
    sent = shell.send(f"/consult {QUESTION}")
    assert "Consult #1 is with the experts" in sent and "patient identifiers" in sent
    printed = terminal.getvalue()
    assert "posted to ##coding-experts" in printed and "Consult #1: a coding question for the experts" in printed
    assert "[1] Claim" not in sent
    [mail] = smtp.inbox.to("ed@example.org")
    assert mail["Subject"] == "CodeDesk consult #1: a new coding question"

    shell.send("/user ed")
    typed = iter(["Ed Expert", "ed@example.org", "y"])
    shell.send("/register")  # registered with a consultant's email: an expert anywhere
    listed = shell.send("/consult list")
    assert "Open consults in this workspace" in listed and "#1 — open" in listed
    opened = shell.send("1")  # the list's Open button
    assert "[1] Claim" in opened and "[2] Answer" in opened
    assert "Consult #1 claimed by Ed Expert" in shell.send("1")
    answered = shell.send("/consult answer 1 Yes, if the decision to biopsy was made at the visit; "
                          "a planned biopsy is billed alone.")
    assert "Consult #1 answered by Ed Expert" in answered and "direct message and email" in answered
    assert "message to @ana" in terminal.getvalue()
    assert "Your consult #1 is answered by Ed Expert" in terminal.getvalue()
    [mail] = smtp.inbox.to("ana@example.org")
    assert "answered by Ed Expert" in mail["Subject"]

    shell.send("/user ana")
    assert "Consult #1: answered by Ed Expert" in shell.send("/consult 1")
    assert "Consult #1 closed" in shell.send("/consult close 1")

    # A reminder has nothing left to remind about.
    clock.advance(days=2)
    assert ConsultReminders(sessions, ConsultPolicy(), now=clock).tick().unclaimed == 0
