"""Thư điện tử (e-mail) of notifications, over SMTP with the standard library.

Settings: ARCHIVE_SMTP_HOST (empty: e-mail off, notifications stay in the app), _PORT, _USER,
_PASSWORD, _FROM, _STARTTLS, _TIMEOUT_SECONDS. Only the `notify_mail` job sends (never a
request): a server that is down makes the job fail and be retried, the request that caused the
notification never waits for it. Messages are UTF-8 (Vietnamese subject and body), built with
email.message.EmailMessage, which encodes the headers as RFC 2047 words.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from archive.settings import Settings


class MailFailed(Exception):
    """The SMTP server could not be reached or refused the message (an operator's problem: the job retries)."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def enabled(settings: Settings) -> bool:
    return bool(settings.smtp_host.strip())


def _message(settings: Settings, mail: Mail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or "localhost")
    msg.set_content(mail.body, charset="utf-8")
    return msg


def send_all(settings: Settings, mails: list[Mail], *,
             sent: Callable[[Mail], None] | None = None) -> list[tuple[Mail, str]]:
    """Send `mails` over one connection; `sent(mail)` is called after each accepted one.

    Returns the (mail, reason) pairs the server refused one by one; MailFailed when the server
    cannot be reached or the connection breaks (what was accepted before stays accepted)."""
    if not enabled(settings) or not mails:
        return []
    refused: list[tuple[Mail, str]] = []
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
            smtp.ehlo()
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            for mail in mails:
                try:
                    smtp.send_message(_message(settings, mail))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                    refused.append((mail, str(exc)[:300]))
                    continue
                if sent is not None:
                    sent(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailFailed(f"máy chủ thư {settings.smtp_host}:{settings.smtp_port} không nhận thư: {exc}") from exc
    return refused
