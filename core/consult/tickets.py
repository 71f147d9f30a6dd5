"""Consult tickets and each workspace's consult desk (experts channel, consultants, numbering): the
store the feature, the outbox and the reminders share. Every function runs inside the caller's
transaction; counters move only by single UPDATE statements, so replicas never hand out one number
twice or let a month's limit be passed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.consult.tables import ConsultCounter, ConsultDelivery, ConsultDesk, ConsultExpert, ConsultTicket

MAX_QUESTION = 3000
MAX_ANSWER = 3000
MAX_CODES = 300


class Status(enum.StrEnum):
    OPEN = "open"  # waiting for an expert to claim it
    CLAIMED = "claimed"
    ANSWERED = "answered"
    CLOSED = "closed"


OPEN_STATES = (Status.OPEN.value, Status.CLAIMED.value)


@dataclass(frozen=True, slots=True)
class Where:
    """A workspace on one platform: consult numbers, settings and experts are kept per workspace."""

    platform: str
    workspace_id: str


@dataclass(frozen=True)
class Ticket:
    id: int
    where: Where
    number: int
    asker_id: str
    asker_name: str
    asker_channel_id: str
    question: str
    codes: str
    status: Status
    claimed_by: str
    claimed_by_name: str
    claimed_at: datetime | None
    answer: str
    answered_by: str
    answered_by_name: str
    answered_at: datetime | None
    closed_at: datetime | None
    post_channel_id: str
    post_message_id: str
    created_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status in (Status.OPEN, Status.CLAIMED)

    @classmethod
    def of(cls, row: ConsultTicket) -> Ticket:
        return cls(row.id, Where(row.platform, row.workspace_id), row.number, row.asker_id, row.asker_name,
                   row.asker_channel_id, row.question, row.codes, Status(row.status), row.claimed_by,
                   row.claimed_by_name, row.claimed_at, row.answer, row.answered_by, row.answered_by_name,
                   row.answered_at, row.closed_at, row.post_channel_id, row.post_message_id, row.created_at)


def _insert(session: Session, entity: type) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(entity) if dialect == "postgresql" else sqlite.insert(entity)


# --- the workspace's desk ----------------------------------------------------------------------------
def _ensure_desk(session: Session, where: Where, now: datetime) -> None:
    session.execute(_insert(session, ConsultDesk).values(
        platform=where.platform, workspace_id=where.workspace_id, channel_id="", last_number=0, updated_by="",
        updated_at=now).on_conflict_do_nothing())


def experts_channel(session: Session, where: Where) -> str:
    row = session.get(ConsultDesk, (where.platform, where.workspace_id))
    return row.channel_id if row is not None else ""


def set_channel(session: Session, where: Where, channel_id: str, by: str, now: datetime) -> None:
    _ensure_desk(session, where, now)
    session.execute(update(ConsultDesk).where(ConsultDesk.platform == where.platform,
                                              ConsultDesk.workspace_id == where.workspace_id)
                    .values(channel_id=channel_id, updated_by=by, updated_at=now))


def next_number(session: Session, where: Where, now: datetime) -> int:
    _ensure_desk(session, where, now)
    return int(session.execute(update(ConsultDesk).where(
        ConsultDesk.platform == where.platform, ConsultDesk.workspace_id == where.workspace_id)
        .values(last_number=ConsultDesk.last_number + 1).returning(ConsultDesk.last_number)
        .execution_options(synchronize_session=False)).scalar_one())


def experts(session: Session, where: Where) -> list[str]:
    return list(session.scalars(select(ConsultExpert.email).where(
        ConsultExpert.platform == where.platform, ConsultExpert.workspace_id == where.workspace_id)
        .order_by(ConsultExpert.email)))


def add_expert(session: Session, where: Where, email: str, by: str, now: datetime) -> bool:
    """Add a consultant; False when the address was already on the list."""
    added = session.execute(_insert(session, ConsultExpert).values(
        platform=where.platform, workspace_id=where.workspace_id, email=email.lower(), added_by=by, added_at=now)
        .on_conflict_do_nothing().returning(ConsultExpert.email)).first()
    return added is not None


def remove_expert(session: Session, where: Where, email: str) -> bool:
    result = session.execute(delete(ConsultExpert).where(
        ConsultExpert.platform == where.platform, ConsultExpert.workspace_id == where.workspace_id,
        ConsultExpert.email == email.lower()))
    return bool(getattr(result, "rowcount", 0))


# --- monthly limits ----------------------------------------------------------------------------------
_BUMP = text('UPDATE consult_counters SET used = used + 1 WHERE subject = :s AND "window" = :w '
             "RETURNING used")
_BUMP_BELOW = text('UPDATE consult_counters SET used = used + 1 WHERE subject = :s AND "window" = :w '
                   "AND used < :limit RETURNING used")


def take_consult(session: Session, subject: str, window: str, limit: int | None) -> bool:
    """Count one consult for the subject this window unless the limit is reached (False)."""
    session.execute(_insert(session, ConsultCounter).values(subject=subject, window=window, used=0)
                    .on_conflict_do_nothing())
    params = {"s": subject, "w": window, "limit": limit}
    return session.execute(_BUMP if limit is None else _BUMP_BELOW, params).first() is not None


def consults_used(session: Session, subject: str, window: str) -> int:
    row = session.get(ConsultCounter, (subject, window))
    return row.used if row is not None else 0


# --- tickets -----------------------------------------------------------------------------------------
def create(session: Session, where: Where, *, asker_id: str, asker_name: str, channel_id: str, question: str,
           codes: str, now: datetime) -> Ticket:
    row = ConsultTicket(platform=where.platform, workspace_id=where.workspace_id,
                        number=next_number(session, where, now), asker_id=asker_id, asker_name=asker_name[:100],
                        asker_channel_id=channel_id[:100], question=question[:MAX_QUESTION],
                        codes=codes[:MAX_CODES], status=Status.OPEN.value, claimed_by="", claimed_by_name="",
                        answer="", answered_by="", answered_by_name="", post_channel_id="", post_message_id="",
                        created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return Ticket.of(row)


def row_of(session: Session, where: Where, number: int, *, lock: bool = False) -> ConsultTicket | None:
    query = select(ConsultTicket).where(ConsultTicket.platform == where.platform,
                                        ConsultTicket.workspace_id == where.workspace_id,
                                        ConsultTicket.number == number)
    return session.scalars(query.with_for_update() if lock else query).first()


def number_of_post(session: Session, where: Where, message_id: str) -> int | None:
    """The ticket whose experts-channel post a thread reply answers, if any."""
    if not message_id:
        return None
    return session.scalar(select(ConsultTicket.number).where(
        ConsultTicket.platform == where.platform, ConsultTicket.workspace_id == where.workspace_id,
        ConsultTicket.post_message_id == message_id))


def asked_by(session: Session, where: Where, asker_id: str, limit: int = 20) -> list[Ticket]:
    rows = session.scalars(select(ConsultTicket).where(
        ConsultTicket.platform == where.platform, ConsultTicket.workspace_id == where.workspace_id,
        ConsultTicket.asker_id == asker_id).order_by(ConsultTicket.number.desc()).limit(limit))
    return [Ticket.of(r) for r in rows]


def open_tickets(session: Session, where: Where, limit: int = 25) -> list[Ticket]:
    rows = session.scalars(select(ConsultTicket).where(
        ConsultTicket.platform == where.platform, ConsultTicket.workspace_id == where.workspace_id,
        ConsultTicket.status.in_(OPEN_STATES)).order_by(ConsultTicket.number).limit(limit))
    return [Ticket.of(r) for r in rows]


def count_open(session: Session, where: Where) -> int:
    return int(session.scalar(select(func.count()).select_from(ConsultTicket).where(
        ConsultTicket.platform == where.platform, ConsultTicket.workspace_id == where.workspace_id,
        ConsultTicket.status.in_(OPEN_STATES))) or 0)


def deliveries(session: Session, ticket_id: int) -> list[ConsultDelivery]:
    return list(session.scalars(select(ConsultDelivery).where(ConsultDelivery.ticket_id == ticket_id)
                                .order_by(ConsultDelivery.id)))
