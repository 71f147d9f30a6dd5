"""The consult outbox: every channel post, direct message and email a consult causes is written as a
row in the same transaction as the change that causes it, and delivered after that commits.

A replica claims a due row with one UPDATE (pending and due, or a lapsed lease), so each message goes
out once however many replicas run. A failed send is tried again with growing waits; after
MAX_ATTEMPTS it stays `failed`, shown on the ticket to admins until `/codedesk consult retry` puts it
back. Nothing is dropped silently."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from core import logsafe
from core.channels import ChannelPoster, PostOutcome
from core.consult import cards
from core.consult.mail import Email, Mailer, error_code
from core.consult.tables import ConsultDelivery, ConsultDesk, ConsultTicket
from core.consult.tickets import Ticket
from core.db import transaction, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
LEASE = timedelta(minutes=5)  # a replica that dies mid-send frees its row after this
BATCH = 100
STUCK = timedelta(minutes=10)  # an unsent row this old is shown to admins even without an error


class Medium(enum.StrEnum):
    CHANNEL = "channel"
    DM = "dm"
    EMAIL = "email"


class Template(enum.StrEnum):
    NEW = "new"
    ANSWERED = "answered"
    REMINDER = "reminder"
    STILL_OPEN = "still_open"


class State(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, 8, 16 minutes… at most an hour."""
    return min(FIRST_WAIT * (2 ** max(0, attempts - 1)), LONGEST_WAIT)


def enqueue(session: Session, ticket: Ticket, medium: Medium, template: Template, target: str,
            now: datetime) -> None:
    session.add(ConsultDelivery(ticket_id=ticket.id, medium=medium.value, template=template.value,
                                platform=ticket.where.platform, workspace_id=ticket.where.workspace_id,
                                target=target, state=State.PENDING.value, attempts=0, next_at=now,
                                lease_until=None, last_error="", created_at=now, sent_at=None))


def problems(rows: list[ConsultDelivery], now: datetime) -> tuple[str, ...]:
    """Deliveries that failed at least once or are overdue, as admins read them (an email shows only
    its domain)."""
    out = []
    for row in rows:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)  # SQLite
        if row.state == State.SENT or not (row.last_error or created < now - STUCK):
            continue
        to = f"email to …@{row.target.rpartition('@')[2]}" if row.medium == Medium.EMAIL else \
            f"{row.medium} {row.target}"
        state = "gave up (`/codedesk consult retry`)" if row.state == State.FAILED else \
            f"retrying at {row.next_at:%H:%M} UTC"
        if not row.last_error:  # nothing in this deployment can send it (no poster or no SMTP settings)
            out.append(f"{row.template} {to}: not sent yet (is CODEDESK_SMTP_URL set, is the bot running?)")
            continue
        out.append(f"{row.template} {to}: {row.last_error} after {row.attempts} attempt"
                   f"{'s' if row.attempts != 1 else ''}; {state}")
    return tuple(out)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


class Deliverer:
    """Sends due outbox rows through the platform posters and the mailer this process has."""

    def __init__(self, sessions: sessionmaker[Session], posters: Mapping[str, ChannelPoster],
                 mailer: Mailer | None, *, now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.posters = posters  # shared with the entry point, which adds its platform's poster
        self.mailer = mailer
        self.now = now

    def deliver_due(self) -> DeliveryReport:
        report = DeliveryReport()
        now = self.now()
        reachable = []
        if self.mailer is not None:
            reachable.append(ConsultDelivery.medium == Medium.EMAIL.value)
        if self.posters:
            reachable.append((ConsultDelivery.medium != Medium.EMAIL.value)
                             & ConsultDelivery.platform.in_(list(self.posters)))
        if not reachable:
            return report
        with transaction(self.sessions) as session:
            due = session.scalars(select(ConsultDelivery.id).where(
                or_(*reachable), ConsultDelivery.state.in_([State.PENDING.value, State.SENDING.value]),
                ConsultDelivery.next_at <= now).order_by(ConsultDelivery.id).limit(BATCH)).all()
        for delivery_id in due:
            claimed = self._claim(delivery_id, now)
            if claimed is None:
                continue  # another replica has it
            outcome = self._send(*claimed)
            self._finish(claimed[0], outcome, report)
        return report

    def _claim(self, delivery_id: int, now: datetime) -> tuple[ConsultDelivery, Ticket] | None:
        with transaction(self.sessions) as session:
            got = session.execute(update(ConsultDelivery).where(
                ConsultDelivery.id == delivery_id,
                or_((ConsultDelivery.state == State.PENDING.value) & (ConsultDelivery.next_at <= now),
                    (ConsultDelivery.state == State.SENDING.value) & (ConsultDelivery.lease_until < now)))
                .values(state=State.SENDING.value, lease_until=now + LEASE, attempts=ConsultDelivery.attempts + 1)
                .returning(ConsultDelivery.id).execution_options(synchronize_session=False)).first()
            if got is None:
                return None
            row = session.get(ConsultDelivery, delivery_id, populate_existing=True)
            ticket_row = session.get(ConsultTicket, row.ticket_id) if row is not None else None
            if row is None or ticket_row is None:
                return None
            session.expunge(row)
            return row, Ticket.of(ticket_row)

    def _send(self, row: ConsultDelivery, ticket: Ticket) -> tuple[bool, bool, str, str, str]:
        """(sent, worth retrying, error code, posted message id, channel id the platform reported)."""
        try:
            if row.medium == Medium.EMAIL:
                assert self.mailer is not None
                self.mailer.send(self._email(row, ticket))
                return True, False, "", "", ""
            poster = self.posters[row.platform]
            if row.medium == Medium.CHANNEL:
                result = poster.post(row.workspace_id, row.target,
                                     cards.channel_post(ticket, reminder=row.template == Template.REMINDER))
            else:
                notice = cards.answered_notice(ticket) if row.template == Template.ANSWERED else \
                    cards.still_open_notice(ticket)
                result = poster.notify_user(row.workspace_id, row.target, notice)
        except Exception as exc:  # SMTP and network errors; a bug too must not lose the row
            log.warning("consult delivery failed id=%s medium=%s error=%s", row.id, row.medium,
                        logsafe.describe(exc))
            return False, True, error_code(exc), "", ""
        if result.ok:
            return True, False, "", result.message_id, result.channel_id
        return False, result.outcome is not PostOutcome.CHANNEL_GONE, result.detail[:100] or result.outcome, "", ""

    @staticmethod
    def _email(row: ConsultDelivery, ticket: Ticket) -> Email:
        if row.template == Template.ANSWERED:
            return cards.answered_email(ticket, row.target)
        return cards.new_ticket_email(ticket, row.target, reminder=row.template == Template.REMINDER)

    def _finish(self, row: ConsultDelivery, outcome: tuple[bool, bool, str, str, str],
                report: DeliveryReport) -> None:
        sent, retry, error, message_id, channel_id = outcome
        now = self.now()
        with transaction(self.sessions) as session:
            values: dict[str, object]
            if sent:
                values = {"state": State.SENT.value, "sent_at": now, "lease_until": None}
                report.sent += 1
                if row.medium == Medium.CHANNEL and row.template == Template.NEW and message_id:
                    # Thread replies to this post answer the ticket.
                    session.execute(update(ConsultTicket).where(ConsultTicket.id == row.ticket_id).values(
                        post_channel_id=channel_id or row.target, post_message_id=message_id))
                if row.medium == Medium.CHANNEL and channel_id and channel_id != row.target:
                    # An admin typed "#name": keep the id, which is what clicks and replies from it carry.
                    session.execute(update(ConsultDesk).where(
                        ConsultDesk.platform == row.platform, ConsultDesk.workspace_id == row.workspace_id,
                        ConsultDesk.channel_id == row.target).values(channel_id=channel_id))
            elif retry and row.attempts < MAX_ATTEMPTS:
                values = {"state": State.PENDING.value, "next_at": now + backoff(row.attempts),
                          "lease_until": None, "last_error": error}
                report.retrying += 1
            else:
                values = {"state": State.FAILED.value, "lease_until": None, "last_error": error}
                report.failed += 1
            session.execute(update(ConsultDelivery).where(ConsultDelivery.id == row.id).values(**values))

    def retry_failed(self, platform: str, workspace_id: str) -> int:
        """Put a workspace's given-up deliveries back in the queue (admins, after fixing the cause)."""
        with transaction(self.sessions) as session:
            result = session.execute(update(ConsultDelivery).where(
                ConsultDelivery.platform == platform, ConsultDelivery.workspace_id == workspace_id,
                ConsultDelivery.state == State.FAILED.value).values(
                    state=State.PENDING.value, attempts=0, next_at=self.now()))
            return int(getattr(result, "rowcount", 0) or 0)
