"""Tables for accounts and code-view quotas: who a person is on each platform, what they registered,
what an admin granted, and how many code views each quota subject used in each window.

A quota *subject* is the string a counter is kept under: "account:<id>" for a registered person
(shared by every identity linked to the account) or "identity:<platform>:<workspace>:<user>" for a
guest. Keeping it a string lets a guest's counter exist without any other row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class Account(Base):
    """A registered person. Deleted outright on /unregister (the right to leave)."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    terms_version: Mapped[str] = mapped_column(String(32))
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Identity(Base):
    """One platform identity: (platform, workspace or guild, user). Rows exist only once something
    about the identity must be remembered: a registration, a link or an admin's grant."""

    __tablename__ = "identities"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True)
    granted_tier: Mapped[str | None] = mapped_column(String(16), nullable=True)  # set by a workspace admin
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ViewCounter(Base):
    """Views used by one subject in one window ("2026-11"). Only ever changed by one atomic UPDATE."""

    __tablename__ = "view_counters"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[str] = mapped_column(String(16), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


class CodeView(Base):
    """A code a subject opened in a window: opening it again in the same window is free."""

    __tablename__ = "code_views"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[str] = mapped_column(String(16), primary_key=True)
    system: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    # Who opened it, so a workspace admin's usage report can count views per person.
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    viewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LinkCode(Base):
    """A one-time code that joins another platform identity to an account. Only its hash is kept."""

    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WorkspacePlan(Base):
    """A workspace-wide plan set by its admin: "unlimited" lifts every member's limit."""

    __tablename__ = "workspace_plans"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan: Mapped[str] = mapped_column(String(16))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GrantAudit(Base):
    """Every grant and plan change: who did it, to whom, what, when. Never updated or deleted."""

    __tablename__ = "grant_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64), index=True)
    admin_user_id: Mapped[str] = mapped_column(String(64))
    target_user_id: Mapped[str] = mapped_column(String(64))  # "*" for a workspace plan
    action: Mapped[str] = mapped_column(String(16))  # "grant" or "plan"
    value: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
