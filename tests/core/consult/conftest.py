"""Consult test helpers: a real SMTP server in-process (tests/fakes/smtp.py), a clock the test moves,
a recording ChannelPoster, and a consult feature wired to all three."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.accounts.feature import AccountsFeature
from core.accounts.quota import ViewQuota
from core.accounts.service import Accounts
from core.channels import PostOutcome, PostResult
from core.consult.feature import ConsultFeature
from core.consult.mail import Mailer
from core.consult.outbox import Deliverer
from core.consult.policy import ConsultPolicy
from core.desk import Desk
from core.replies import Reply
from core.requests import Actor, Platform, Request
from tests.fakes.smtp import SENDER, SMTP_PASSWORD, SMTP_USER, SmtpServer, running_smtp

__all__ = ["SENDER", "SMTP_PASSWORD", "SMTP_USER", "SmtpServer"]
START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RecordingPoster:
    """The platform boundary: remembers channel posts and direct messages; `down` fails them all."""

    posts: list[tuple[str, str, Reply]] = field(default_factory=list)
    notices: list[tuple[str, str, Reply]] = field(default_factory=list)
    down: bool = False
    ids: dict[str, str] = field(default_factory=dict)  # "#name" -> the id the platform reports
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, workspace_id: str, channel_id: str, reply: Reply) -> PostResult:
        if self.down:
            return PostResult(PostOutcome.FAILED, "ratelimited")
        with self.lock:
            self.posts.append((workspace_id, channel_id, reply))
            return PostResult(PostOutcome.SENT, message_id=f"m{len(self.posts)}",
                              channel_id=self.ids.get(channel_id, channel_id))

    def notify_user(self, workspace_id: str, user_id: str, reply: Reply) -> PostResult:
        if self.down:
            return PostResult(PostOutcome.FAILED, "ratelimited")
        with self.lock:
            self.notices.append((workspace_id, user_id, reply))
        return PostResult(PostOutcome.SENT)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from running_smtp()


def actor(user: str, workspace: str = "T1", *, admin: bool = False,
          platform: Platform = Platform.SLACK) -> Actor:
    return Actor(platform, workspace, user, user.title(), is_admin=admin)


@dataclass
class ConsultRig:
    """A Desk with accounts and consults, a recording poster for `platform`, real SMTP and a clock."""

    desk: Desk
    feature: ConsultFeature
    deliverer: Deliverer
    poster: RecordingPoster
    clock: Clock
    sessions: sessionmaker[Session]
    accounts: Accounts
    platform: Platform = Platform.SLACK

    def command(self, who: Actor, text: str, channel: str = "C0GENERAL", name: str = "consult") -> Reply:
        return self.desk.handle(Request.command_of(who, name, text, channel))

    def ask(self, who: Actor, question: str, codes: str = "", channel: str = "C0GENERAL") -> Reply:
        return self.desk.handle(Request.form_of(who, "consult_ask", {"question": question, "codes": codes}, channel))

    def register(self, who: Actor, email_address: str) -> None:
        self.accounts.register(who, who.display_name, email_address)

    def setup(self, *, channel: str = "C0EXPERTS", experts: tuple[str, ...] = ("ed@example.org",),
              workspace: str = "T1") -> Actor:
        boss = actor("boss", workspace, admin=True, platform=self.platform)
        set_channel = self.desk.handle(Request.command_of(boss, "codedesk",
                                                          f"consult channel <#{channel}|coding-experts>"))
        assert not set_channel.is_error, set_channel
        for address in experts:
            added = self.desk.handle(Request.command_of(boss, "codedesk", f"consult add-expert {address}"))
            assert not added.is_error, added
        return boss


def make_rig(sessions: sessionmaker[Session], mailer: Mailer | None, clock: Clock,
             policy: ConsultPolicy | None = None, platform: Platform = Platform.SLACK) -> ConsultRig:
    poster = RecordingPoster()
    quota = ViewQuota(sessions, clock=clock)
    accounts = Accounts(quota)
    deliverer = Deliverer(sessions, {platform.value: poster}, mailer, now=clock)
    feature = ConsultFeature(sessions, deliverer, policy=policy, now=clock)
    desk = Desk((AccountsFeature(accounts), feature))
    return ConsultRig(desk, feature, deliverer, poster, clock, sessions, accounts, platform)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rig(sessions: sessionmaker[Session], smtp: SmtpServer, clock: Clock) -> ConsultRig:
    return make_rig(sessions, smtp.mailer(), clock)
