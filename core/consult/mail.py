"""Email through the standard library's smtplib: STARTTLS and login, configured by CODEDESK_SMTP_URL
(smtp://user:pass@host:587) and CODEDESK_MAIL_FROM. Every message has a plain-text and an HTML part.

`Mailer.send` raises on failure; the outbox records the error class (never the message, which can
hold addresses) and tries again later."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit


class MailConfigError(ValueError):
    """CODEDESK_SMTP_URL or CODEDESK_MAIL_FROM is malformed; the message names the setting."""


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str = ""
    password: str = ""
    tls: str = "starttls"  # starttls (smtp://), ssl (smtps://)
    sender: str = ""
    timeout: float = 20.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings | None:
        url = env.get("CODEDESK_SMTP_URL", "").strip()
        if not url:
            return None
        sender = env.get("CODEDESK_MAIL_FROM", "").strip()
        return cls.from_url(url, sender)

    @classmethod
    def from_url(cls, url: str, sender: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailConfigError("CODEDESK_SMTP_URL must look like smtp://user:pass@host:587 "
                                  "(or smtps://… for implicit TLS on 465)")
        if "@" not in sender:
            raise MailConfigError("CODEDESK_MAIL_FROM must be the sender address, e.g. codedesk@example.org")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 587)
        except ValueError:
            raise MailConfigError("CODEDESK_SMTP_URL has a port that is not a number") from None
        return cls(host=parts.hostname, port=port, username=unquote(parts.username or ""),
                   password=unquote(parts.password or ""), tls="ssl" if parts.scheme == "smtps" else "starttls",
                   sender=sender)


class Mailer:
    """Sends one Email per connection (consult mail is rare; a fresh connection never goes stale)."""

    def __init__(self, settings: SmtpSettings, tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.tls_context = tls_context or ssl.create_default_context()

    def message(self, email: Email) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2] or None)
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        return message

    def send(self, email: Email) -> None:
        s = self.settings
        smtp: smtplib.SMTP
        if s.tls == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self.tls_context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        with smtp:
            smtp.ehlo()
            if s.tls == "starttls":
                smtp.starttls(context=self.tls_context)  # refuses to go on in clear text
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password)
            smtp.send_message(self.message(email))


def error_code(exc: BaseException) -> str:
    """What the outbox records about a failed send: the class and SMTP code, never the text."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"[:200]
