"""The SQL that counts code views: quota subjects, whose counter an identity draws on, the hot path's
fixed statements, and the helpers that carry counts and view records between subjects (registering,
linking, leaving). Every count changes in one statement; nothing reads a count and then writes it.

A quota *subject* is the string a counter is kept under: "account:<id>" for a registered person,
"identity:<platform>:<workspace>:<user>" for a guest (core/accounts/tables.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.accounts.policy import Plan, Tier
from core.accounts.tables import CodeView, ViewCounter

IdentityKey = tuple[str, str, str]  # (platform, workspace id, user id), as Actor.identity gives it


def identity_subject(identity: IdentityKey) -> str:
    return "identity:" + ":".join(identity)


def account_subject(account_id: int) -> str:
    return f"account:{account_id}"


@dataclass(frozen=True)
class Holder:
    """Whose quota an identity draws on and at which tier."""

    tier: Tier
    subject: str
    account_id: int | None

    @property
    def registered(self) -> bool:
        return self.account_id is not None


# The hot path's statements, written once. The same SQL runs on SQLite (3.35+) and PostgreSQL.
_HOLDER_SQL = text("SELECT account_id, granted_tier FROM identities "
                   "WHERE platform = :p AND workspace_id = :w AND user_id = :u")
_PLAN_SQL = text("SELECT plan FROM workspace_plans WHERE platform = :p AND workspace_id = :w")
_VIEW_SQL = text('INSERT INTO code_views (subject, "window", system, code, platform, workspace_id, user_id, '
                 "viewed_at) VALUES (:s, :w, :sys, :c, :p, :ws, :u, :at) ON CONFLICT DO NOTHING RETURNING code"
                 ).bindparams(bindparam("at", type_=DateTime(timezone=True)))  # stored as the ORM stores it
_COUNTER_SQL = text('INSERT INTO view_counters (subject, "window", used) VALUES (:s, :w, 0) '
                    "ON CONFLICT DO NOTHING")
_USED_SQL = text('SELECT used FROM view_counters WHERE subject = :s AND "window" = :w')
_BUMP_SQL = text('UPDATE view_counters SET used = used + 1 WHERE subject = :s AND "window" = :w RETURNING used')
_BUMP_BELOW_SQL = text('UPDATE view_counters SET used = used + 1 WHERE subject = :s AND "window" = :w '
                       "AND used < :limit RETURNING used")
_LOCK_COUNTER_SQL = text('SELECT used FROM view_counters WHERE subject = :s AND "window" = :w FOR UPDATE')


def _conn(session: Session | Connection) -> Connection:
    return session.connection() if isinstance(session, Session) else session


def lock_identity_counters(session: Session | Connection, identities: list[IdentityKey], window: str) -> None:
    """Serialise everything that counts views for these identities or moves their counts (a view,
    registration, a link, leaving) on each identity's own counter row. Without it, a view resolved
    to the guest counter just before registration moved that counter could be counted where nobody
    looks any more. PostgreSQL only: SQLite's BEGIN IMMEDIATE already lets one writer in at a time."""
    conn = _conn(session)
    if conn.dialect.name != "postgresql":
        return
    for identity in sorted(set(identities)):  # one order everywhere, so two lockers never deadlock
        params = {"s": identity_subject(identity), "w": window}
        conn.execute(_COUNTER_SQL, params)
        conn.execute(_LOCK_COUNTER_SQL, params)


def resolve(session: Session | Connection, identity: IdentityKey) -> Holder:
    """The tier and counter subject of an identity: an admin's grant wins, then an unlimited workspace
    plan, then registration; everyone else is a guest."""
    # Fixed SQL on a plain connection: this runs on every card view, and building statements costs
    # more than running them.
    conn = _conn(session)
    platform, workspace_id, user_id = identity
    row = conn.execute(_HOLDER_SQL, {"p": platform, "w": workspace_id, "u": user_id}).first()
    plan = conn.execute(_PLAN_SQL, {"p": platform, "w": workspace_id}).scalar()
    account_id = row.account_id if row is not None else None
    if row is not None and row.granted_tier:
        tier = Tier(row.granted_tier)
    elif plan == Plan.UNLIMITED:
        tier = Tier.UNLIMITED
    elif account_id is not None:
        tier = Tier.REGISTERED
    else:
        tier = Tier.GUEST
    subject = account_subject(account_id) if account_id is not None else identity_subject(identity)
    return Holder(tier, subject, account_id)


def insert_for(session: Session, entity: Any) -> Any:
    """An INSERT that supports ON CONFLICT on the session's database (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(entity) if dialect == "postgresql" else sqlite.insert(entity)


def used_in(session: Session | Connection, subject: str, window: str) -> int:
    used = session.execute(_USED_SQL, {"s": subject, "w": window}).scalar()
    return int(used or 0)


def ensure_counter(session: Session, subject: str, window: str, used: int = 0) -> None:
    session.execute(insert_for(session, ViewCounter).values(subject=subject, window=window, used=used)
                    .on_conflict_do_nothing())


def raise_counter_to(session: Session, subject: str, window: str, used: int) -> None:
    """Make a counter at least `used` in one statement (carrying a count between subjects)."""
    ensure_counter(session, subject, window)
    session.execute(update(ViewCounter)
                    .where(ViewCounter.subject == subject, ViewCounter.window == window,
                           ViewCounter.used < used)
                    .values(used=used).execution_options(synchronize_session=False))


def add_to_counter(session: Session, subject: str, window: str, extra: int) -> None:
    ensure_counter(session, subject, window)
    session.execute(update(ViewCounter)
                    .where(ViewCounter.subject == subject, ViewCounter.window == window)
                    .values(used=ViewCounter.used + extra).execution_options(synchronize_session=False))


def move_views(session: Session, old: str, new: str, window: str) -> None:
    """Hand one window's view records from one subject to another, keeping re-opens free."""
    mine = (CodeView.subject == old, CodeView.window == window)
    rows = session.execute(select(CodeView).where(*mine)).scalars().all()
    values = [{"subject": new, "window": window, "system": r.system, "code": r.code, "platform": r.platform,
               "workspace_id": r.workspace_id, "user_id": r.user_id, "viewed_at": r.viewed_at} for r in rows]
    if values:
        session.execute(insert_for(session, CodeView).values(values).on_conflict_do_nothing())
        session.execute(delete(CodeView).where(*mine))


def record_view(conn: Connection, subject: str, window: str, identity: IdentityKey, system: str, code: str,
                at: datetime) -> bool:
    """Remember that `subject` opened (system, code) in the window; False when it already had."""
    return conn.execute(_VIEW_SQL, {
        "s": subject, "w": window, "sys": system, "c": code, "p": identity[0], "ws": identity[1],
        "u": identity[2], "at": at}).first() is not None


def count_one(conn: Connection, subject: str, window: str, limit: int | None) -> int | None:
    """Add one view to the subject's counter unless that would pass `limit` (None: no limit), in one
    `UPDATE … WHERE used < limit RETURNING used`. The new count, or None when the limit was reached."""
    conn.execute(_COUNTER_SQL, {"s": subject, "w": window})
    bump = _BUMP_SQL if limit is None else _BUMP_BELOW_SQL
    counted = conn.execute(bump, {"s": subject, "w": window, "limit": limit}).scalar()
    return None if counted is None else int(counted)
