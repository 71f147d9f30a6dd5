"""Reminders: a ticket unclaimed for CODEDESK_CONSULT_REMIND_MINUTES gets one reminder in the experts
channel and to the consultants; one unanswered for a day tells the asker it is still open.

Every replica runs the tick. A reminder is sent only by the transaction that inserts its row into
consult_reminders (`INSERT … ON CONFLICT DO NOTHING RETURNING`, as the digest send log does), and
its messages go through the outbox in that same transaction, so two replicas send one reminder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from core.consult import outbox
from core.consult.outbox import Medium, Template
from core.consult.policy import ConsultPolicy
from core.consult.tables import ConsultReminder, ConsultTicket
from core.consult.tickets import OPEN_STATES, Status, Ticket, _insert, experts, experts_channel
from core.db import transaction, utcnow

UNCLAIMED, STILL_OPEN = "unclaimed", "still_open"
BATCH = 200


@dataclass
class ReminderReport:
    unclaimed: int = 0
    still_open: int = 0


class ConsultReminders:
    def __init__(self, sessions: sessionmaker[Session], policy: ConsultPolicy, *, replica: str = "",
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.policy = policy
        self.replica = replica
        self.now = now

    def tick(self) -> ReminderReport:
        report = ReminderReport()
        now = self.now()
        with transaction(self.sessions) as session:
            for ticket in self._due(session, UNCLAIMED, (Status.OPEN.value,), now - self.policy.remind_after):
                if self._claim(session, ticket, UNCLAIMED, now):
                    report.unclaimed += 1
                    channel = experts_channel(session, ticket.where)
                    if channel:
                        outbox.enqueue(session, ticket, Medium.CHANNEL, Template.REMINDER, channel, now)
                    for email in experts(session, ticket.where):
                        outbox.enqueue(session, ticket, Medium.EMAIL, Template.REMINDER, email, now)
            for ticket in self._due(session, STILL_OPEN, OPEN_STATES, now - self.policy.still_open_after):
                if self._claim(session, ticket, STILL_OPEN, now):
                    report.still_open += 1
                    # By chat only: email is kept for the answer itself.
                    outbox.enqueue(session, ticket, Medium.DM, Template.STILL_OPEN, ticket.asker_id, now)
        return report

    @staticmethod
    def _due(session: Session, kind: str, states: tuple[str, ...], before: datetime) -> list[Ticket]:
        sent = exists().where(ConsultReminder.ticket_id == ConsultTicket.id, ConsultReminder.kind == kind)
        rows = session.scalars(select(ConsultTicket).where(
            ConsultTicket.status.in_(states), ConsultTicket.created_at <= before, ~sent)
            .order_by(ConsultTicket.id).limit(BATCH))
        return [Ticket.of(r) for r in rows]

    def _claim(self, session: Session, ticket: Ticket, kind: str, now: datetime) -> bool:
        won = session.execute(_insert(session, ConsultReminder).values(
            ticket_id=ticket.id, kind=kind, replica=self.replica[:100], sent_at=now)
            .on_conflict_do_nothing().returning(ConsultReminder.ticket_id)).first()
        return won is not None
