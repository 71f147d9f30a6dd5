"""The job board's tables: postings, per-workspace board settings, feeds, digest subscriptions and the
digest send log. Every row carries (platform, workspace_id) so a workspace only ever sees its own."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class JobPostingRow(Base):
    __tablename__ = "job_postings"
    __table_args__ = (
        UniqueConstraint("platform", "workspace_id", "source_id", name="uq_job_postings_source"),
        Index("ix_job_postings_board", "platform", "workspace_id", "status", "live_at"),
        Index("ix_job_postings_url", "platform", "workspace_id", "apply_url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    employer: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200), default="")  # "Austin, TX" or "" when remote
    workplace: Mapped[str] = mapped_column(String(16), default="onsite")  # onsite, remote, hybrid
    employment_type: Mapped[str] = mapped_column(String(32), default="")
    credentials: Mapped[str] = mapped_column(String(200), default="")  # "CPC,CCS" in canonical spelling
    specialty: Mapped[str] = mapped_column(String(200), default="")
    experience: Mapped[str] = mapped_column(String(100), default="")
    salary_min: Mapped[int | None] = mapped_column(Integer, nullable=True)  # whole dollars per year
    salary_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    apply_url: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text, default="")
    posted_by: Mapped[str] = mapped_column(String(64))  # a user id, or "feed:<id>"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    live_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # pending, live, expired, removed
    source: Mapped[str] = mapped_column(String(16))  # chat, feed
    source_id: Mapped[str] = mapped_column(String(500))
    moderated_by: Mapped[str] = mapped_column(String(64), default="")


class JobBoardSettingsRow(Base):
    __tablename__ = "job_board_settings"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    require_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    # The board's own time zone for digests: the first one anyone gave, or what an admin set ("" = none).
    timezone: Mapped[str] = mapped_column(String(64), default="", server_default="")


class JobFeedRow(Base):
    __tablename__ = "job_feeds"
    __table_args__ = (UniqueConstraint("platform", "workspace_id", "url", name="uq_job_feeds_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(1000))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    etag: Mapped[str] = mapped_column(String(300), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ok_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    imported_total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(300), default="")  # the last failure; "" when healthy
    error_reported: Mapped[bool] = mapped_column(Boolean, default=False)  # the adder was told once


class DigestSubscriptionRow(Base):
    __tablename__ = "digest_subscriptions"
    __table_args__ = (
        UniqueConstraint("platform", "workspace_id", "channel_id", name="uq_digest_subscriptions_channel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    subscriber_id: Mapped[str] = mapped_column(String(64))
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    timezone: Mapped[str] = mapped_column(String(64))
    filters: Mapped[str] = mapped_column(String(300), default="")  # the same words /jobs search takes
    cap: Mapped[int] = mapped_column(Integer, default=10)
    post_when_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, paused
    pause_reason: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # end of the previous digest's window


class DigestSendRow(Base):
    """The claim that makes a digest send exactly once: one row per (subscription, local date)."""

    __tablename__ = "digest_sends"
    __table_args__ = (UniqueConstraint("subscription_id", "local_date", name="uq_digest_sends_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("digest_subscriptions.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))  # claimed, sent, empty, failed
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    posting_count: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")  # why it failed: a platform error code
