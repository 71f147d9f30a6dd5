"""A real SMTP server in-process (aiosmtpd) on loopback that requires STARTTLS and a login, with a
throwaway certificate, and what it received. `stop()` then `start()` is an outage the client sees as
a refused connection."""

from __future__ import annotations

import email
import email.policy
import functools
import socket
import ssl
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from core.consult.mail import Mailer, SmtpSettings

SMTP_USER, SMTP_PASSWORD = "codedesk", "s3cret"
SENDER = "codedesk@example.org"


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


@functools.cache
def certificate() -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (made once per run), so STARTTLS is real and verified."""
    folder = Path(tempfile.mkdtemp(prefix="codedesk-smtp-tls-"))
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(key),
                    "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


def running_smtp() -> Iterator[SmtpServer]:
    """For a fixture: `yield from running_smtp()`."""
    server = SmtpServer(_free_port(), *certificate())
    server.start()
    yield server
    server.stop()
