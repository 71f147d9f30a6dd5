"""Tables for consults: each workspace's experts channel and ticket counter, its consultants' emails,
the tickets themselves, monthly consult counters, the reminder claims and the delivery outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class ConsultDesk(Base):
    """A workspace's consult settings and the last ticket number it handed out."""

    __tablename__ = "consult_desks"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(100), default="")  # the experts channel; "" = none yet
    last_number: Mapped[int] = mapped_column(Integer, default=0)  # only ever bumped by one UPDATE
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsultExpert(Base):
    """A consultant who gets each new question by email."""

    __tablename__ = "consult_experts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), primary_key=True)  # stored lower-case
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsultTicket(Base):
    """One question for the experts, from asking to answer (or closing)."""

    __tablename__ = "consult_tickets"
    __table_args__ = (
        UniqueConstraint("platform", "workspace_id", "number", name="uq_consult_ticket_number"),
        Index("ix_consult_tickets_post", "platform", "workspace_id", "post_message_id"),
        Index("ix_consult_tickets_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)  # what people type: /consult 3
    asker_id: Mapped[str] = mapped_column(String(64))
    asker_name: Mapped[str] = mapped_column(String(100), default="")
    asker_channel_id: Mapped[str] = mapped_column(String(100), default="")  # where it was asked
    question: Mapped[str] = mapped_column(Text)
    codes: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16))  # open, claimed, answered, closed
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_by_name: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(64), default="")
    answered_by_name: Mapped[str] = mapped_column(String(100), default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    post_channel_id: Mapped[str] = mapped_column(String(100), default="")  # the experts-channel post
    post_message_id: Mapped[str] = mapped_column(String(100), default="")  # Slack ts, Discord message id
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsultCounter(Base):
    """Consults asked by one quota subject in one monthly window. Only changed by one atomic UPDATE."""

    __tablename__ = "consult_counters"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[str] = mapped_column(String(16), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


class ConsultReminder(Base):
    """A reminder sent for a ticket: the row is the claim, so of many replicas exactly one sends it."""

    __tablename__ = "consult_reminders"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("consult_tickets.id", ondelete="CASCADE"),
                                           primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # unclaimed, still_open
    replica: Mapped[str] = mapped_column(String(100), default="")
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsultDelivery(Base):
    """One message to deliver after its transaction committed: a channel post, a direct message or an
    email. Retried with backoff; a failure stays here (and on the ticket) for admins to see."""

    __tablename__ = "consult_outbox"
    __table_args__ = (Index("ix_consult_outbox_due", "state", "next_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("consult_tickets.id", ondelete="CASCADE"), index=True)
    medium: Mapped[str] = mapped_column(String(8))  # channel, dm, email
    template: Mapped[str] = mapped_column(String(16))  # new, answered, reminder, still_open
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(254))  # channel id, user id or email address
    state: Mapped[str] = mapped_column(String(8), default="pending")  # pending, sending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(String(200), default="")  # an error class or code, never text
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
