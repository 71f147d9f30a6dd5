"""Consult test helpers: a real SMTP server in-process (aiosmtpd, with STARTTLS and login), a clock
the test moves, a recording ChannelPoster, and a consult feature wired to all three."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy.orm import Session, sessionmaker

from core.accounts import Accounts, AccountsFeature
from core.channels import PostOutcome, PostResult
from core.consult.feature import ConsultFeature
from core.consult.mail import Mailer, SmtpSettings
from core.consult.outbox import Deliverer
from core.consult.policy import ConsultPolicy
from core.desk import Desk
from core.quota import ViewQuota
from core.replies import Reply
from core.requests import Actor, Platform, Request

SMTP_USER, SMTP_PASSWORD = "codedesk", "s3cret"
SENDER = "codedesk@example.org"
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
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, workspace_id: str, channel_id: str, reply: Reply) -> PostResult:
        if self.down:
            return PostResult(PostOutcome.FAILED, "ratelimited")
        with self.lock:
            self.posts.append((workspace_id, channel_id, reply))
            return PostResult(PostOutcome.SENT, message_id=f"m{len(self.posts)}")

    def notify_user(self, workspace_id: str, user_id: str, reply: Reply) -> PostResult:
        if self.down:
            return PostResult(PostOutcome.FAILED, "ratelimited")
        with self.lock:
            self.notices.append((workspace_id, user_id, reply))
        return PostResult(PostOutcome.SENT)


class Inbox:
    """What the SMTP server accepted: each message parsed, with the envelope and the login used."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.tls: list[bool] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.tls.append(session.ssl is not None)
        self.logins.append(session.auth_data.login.decode() if session.auth_data else "")
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, (_, rcpts) in zip(self.messages, self.envelopes, strict=True) if address in rcpts]


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() \
        and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@dataclass
class SmtpServer:
    """A real SMTP server on loopback that requires STARTTLS and a login; `stop()`/`start()` make an
    outage the client sees as a refused connection."""

    port: int
    cert: Path
    key: Path
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    def start(self) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, tls_context=context,
                                     require_starttls=True, authenticator=_authenticate, auth_require_tls=True,
                                     server_hostname="localhost")
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mailer(self) -> Mailer:
        settings = SmtpSettings.from_url(f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{self.port}", SENDER)
        return Mailer(settings, ssl.create_default_context(cafile=str(self.cert)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1, so STARTTLS is real and verified."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(key),
                    "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def smtp(smtp_cert: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = SmtpServer(_free_port(), *smtp_cert)
    server.start()
    yield server
    server.stop()


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
