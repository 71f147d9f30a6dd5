"""What consults need from accounts, behind two narrow functions: a person's tier and quota subject
(for the monthly consult limit) and their registered email (for answers by email). Only this module
knows where accounts keep them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.counters import resolve
from core.accounts.tables import Account, Identity

IdentityKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Standing:
    """Whose consult counter a person draws on, at which tier ("guest", "registered", "unlimited")."""

    tier: str
    subject: str


def standing_of(session: Session, identity: IdentityKey) -> Standing:
    holder = resolve(session, identity)
    return Standing(holder.tier.value, holder.subject)


def email_of(session: Session, identity: IdentityKey) -> str:
    """The email the person registered, or "" when they did not."""
    return _account_value(session, identity, Account.email)


def name_of(session: Session, identity: IdentityKey) -> str:
    """The name the person registered, or "" when they did not."""
    return _account_value(session, identity, Account.name)


def _account_value(session: Session, identity: IdentityKey, column: Any) -> str:
    platform, workspace_id, user_id = identity
    value = session.execute(select(column).join(Identity, Identity.account_id == Account.id).where(
        Identity.platform == platform, Identity.workspace_id == workspace_id, Identity.user_id == user_id)
    ).scalar()
    return str(value or "")
