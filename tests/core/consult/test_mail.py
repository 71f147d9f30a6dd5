"""core/consult/mail.py: settings from CODEDESK_SMTP_URL / CODEDESK_MAIL_FROM, and a real send over
STARTTLS with login, plain-text and HTML parts."""

from __future__ import annotations

import smtplib
import ssl

import pytest

from core.consult.mail import Email, MailConfigError, Mailer, SmtpSettings, error_code
from tests.core.consult.conftest import SENDER, SMTP_PASSWORD, SMTP_USER, SmtpServer


def test_settings_from_the_environment() -> None:
    assert SmtpSettings.from_env({}) is None
    s = SmtpSettings.from_env({"CODEDESK_SMTP_URL": "smtp://ann%40x.org:p%3Ass@mail.example.org:2525",
                               "CODEDESK_MAIL_FROM": "codedesk@example.org"})
    assert s == SmtpSettings("mail.example.org", 2525, "ann@x.org", "p:ss", "starttls", "codedesk@example.org")
    implicit = SmtpSettings.from_url("smtps://u:p@mail.example.org", "a@b.org")
    assert (implicit.port, implicit.tls) == (465, "ssl")
    assert SmtpSettings.from_url("smtp://mail.example.org", "a@b.org").port == 587


@pytest.mark.parametrize(("url", "sender", "names"), [
    ("http://mail.example.org", "a@b.org", "CODEDESK_SMTP_URL"),
    ("smtp://", "a@b.org", "CODEDESK_SMTP_URL"),
    ("smtp://mail.example.org:abc", "a@b.org", "CODEDESK_SMTP_URL"),
    ("smtp://mail.example.org", "", "CODEDESK_MAIL_FROM"),
])
def test_bad_settings_name_the_variable(url: str, sender: str, names: str) -> None:
    with pytest.raises(MailConfigError, match=names):
        SmtpSettings.from_url(url, sender)


def test_a_real_send_uses_starttls_login_and_two_parts(smtp: SmtpServer) -> None:
    smtp.mailer().send(Email("ed@example.org", "Subject here", "Plain body", "<p>HTML body</p>"))
    [message] = smtp.inbox.messages
    assert smtp.inbox.envelopes == [(SENDER, ["ed@example.org"])]
    assert smtp.inbox.tls == [True] and smtp.inbox.logins == [SMTP_USER]
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and plain.get_content().strip() == "Plain body"
    assert html is not None and "<p>HTML body</p>" in html.get_content()


def test_a_wrong_password_and_an_untrusted_certificate_fail_loudly(smtp: SmtpServer) -> None:
    wrong = SmtpSettings.from_url(f"smtp://{SMTP_USER}:nope@127.0.0.1:{smtp.port}", SENDER)
    with pytest.raises(smtplib.SMTPAuthenticationError) as failed:
        Mailer(wrong, ssl.create_default_context(cafile=str(smtp.cert))).send(Email("a@b.org", "s", "t", "h"))
    assert error_code(failed.value) == "SMTPAuthenticationError 535"
    right = SmtpSettings.from_url(f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{smtp.port}", SENDER)
    with pytest.raises(ssl.SSLError):
        Mailer(right).send(Email("a@b.org", "s", "t", "h"))  # the system's trust store does not know it
    assert smtp.inbox.messages == []
