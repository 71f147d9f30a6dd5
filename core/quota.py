"""Code-view quotas: tiers and their limits (configuration), monthly windows in a configured time
zone, and the atomic check-and-consume the Desk calls before it shows a full code card.

Check-and-consume is one transaction: record the (system, code) view if it is new, make sure the
window's counter row exists, then `UPDATE … SET used = used + 1 WHERE used < limit RETURNING used`.
No row back means the limit was reached, and the whole transaction (view record included) is rolled
back. Nothing here reads a count and then writes it, so concurrent requests on any number of
processes can never grant more views than the limit. Nothing here knows about any chat platform.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, DateTime, Engine, bindparam, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core import replies
from core.accounts_tables import CodeView, ViewCounter
from core.codes.cards import register_action
from core.codes.record import System
from core.codes.views import ViewDecision
from core.db import utcnow
from core.replies import ErrorKind, Reply, error_reply
from core.requests import Actor

log = logging.getLogger(__name__)

IdentityKey = tuple[str, str, str]  # (platform, workspace id, user id), as Actor.identity gives it
Clock = Callable[[], datetime]


class Tier(enum.StrEnum):
    """The stored tier keys. What people see is the configured name (QuotaPolicy.name)."""

    GUEST = "guest"
    REGISTERED = "registered"
    UNLIMITED = "unlimited"


class Plan(enum.StrEnum):
    """A workspace-wide plan: "standard" keeps per-person tiers, "unlimited" lifts every limit."""

    STANDARD = "standard"
    UNLIMITED = "unlimited"


@dataclass(frozen=True)
class QuotaPolicy:
    """How many code views each tier gets per monthly window, and what the tiers are called."""

    guest_views: int = 1
    registered_views: int = 6  # the total for a registered person: the guest's 1 plus 5 more
    timezone: str = "UTC"  # where a month starts and ends
    guest_name: str = "guest"
    registered_name: str = "registered"
    unlimited_name: str = "unlimited"

    def __post_init__(self) -> None:
        if self.guest_views < 0 or self.registered_views < self.guest_views:
            raise ValueError("code view limits must be 0 or more, and registered views at least guest views")
        self.zone  # noqa: B018 - fail at start-up on an unknown time zone, not on the first view
        names = {self.guest_name, self.registered_name, self.unlimited_name}
        if len(names) != 3 or not all(n.strip() for n in names):
            raise ValueError("the three tier names must be different and not empty")

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown quota time zone {self.timezone!r}; use a name such as "
                             "'UTC' or 'America/Chicago'") from exc

    @property
    def registration_bonus(self) -> int:
        return self.registered_views - self.guest_views

    def limit(self, tier: Tier) -> int | None:
        """Views a month for the tier; None means unlimited."""
        return {Tier.GUEST: self.guest_views, Tier.REGISTERED: self.registered_views}.get(tier)

    def name(self, tier: Tier) -> str:
        return {Tier.GUEST: self.guest_name, Tier.REGISTERED: self.registered_name,
                Tier.UNLIMITED: self.unlimited_name}[tier]

    def parse_tier(self, word: str) -> Tier | None:
        """A tier from what an admin typed: the configured name or the stored key."""
        word = word.strip().lower()
        for tier in Tier:
            if word in (tier.value, self.name(tier).lower()):
                return tier
        return None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> QuotaPolicy:
        """Read CODEDESK_GUEST_VIEWS, CODEDESK_REGISTERED_VIEWS (the registered total),
        CODEDESK_QUOTA_TZ and CODEDESK_TIER_GUEST / _REGISTERED / _UNLIMITED (display names)."""
        defaults = cls()
        return cls(
            guest_views=_int(env, "CODEDESK_GUEST_VIEWS", defaults.guest_views),
            registered_views=_int(env, "CODEDESK_REGISTERED_VIEWS", defaults.registered_views),
            timezone=env.get("CODEDESK_QUOTA_TZ", "").strip() or defaults.timezone,
            guest_name=env.get("CODEDESK_TIER_GUEST", "").strip() or defaults.guest_name,
            registered_name=env.get("CODEDESK_TIER_REGISTERED", "").strip() or defaults.registered_name,
            unlimited_name=env.get("CODEDESK_TIER_UNLIMITED", "").strip() or defaults.unlimited_name,
        )


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{key} must be a whole number, not {raw!r}") from None


@dataclass(frozen=True)
class Window:
    """One monthly quota window in the policy's time zone."""

    key: str  # "2026-11": what counters and view records are stored under
    starts: datetime
    resets_at: datetime

    def resets_text(self) -> str:
        """When the views come back, as a person reads it: "1 December 2026, 00:00 UTC"."""
        return f"{self.resets_at.day} {self.resets_at:%B %Y, %H:%M} {self.resets_at.tzname()}"


def window_of(moment: datetime, zone: ZoneInfo) -> Window:
    if moment.tzinfo is None:
        raise ValueError("the quota clock must return an aware datetime")
    local = moment.astimezone(zone)
    starts = datetime(local.year, local.month, 1, tzinfo=zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return Window(f"{local.year:04d}-{local.month:02d}", starts, datetime(year, month, 1, tzinfo=zone))


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


def lock_identity_counters(session: Session | Connection, identities: list[IdentityKey], window: str) -> None:
    """Serialise everything that counts views for these identities or moves their counts (a view,
    registration, a link, leaving) on each identity's own counter row. Without it, a view resolved
    to the guest counter just before registration moved that counter could be counted where nobody
    looks any more. PostgreSQL only: SQLite's BEGIN IMMEDIATE already lets one writer in at a time."""
    conn = session.connection() if isinstance(session, Session) else session
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
    conn = session.connection() if isinstance(session, Session) else session
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


@dataclass(frozen=True)
class Standing:
    """Where a person stands this window: what /me shows and what a refusal explains."""

    tier: Tier
    limit: int | None
    used: int
    window: Window
    registered: bool

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


@dataclass(frozen=True)
class Consumption:
    allowed: bool
    standing: Standing


class _Refused(Exception):
    """Raised inside the transaction to roll the view record back when the limit is reached."""


class ViewQuota:
    """The Desk's ViewGate: one atomic check-and-consume per full code card."""

    def __init__(self, sessions: sessionmaker[Session], policy: QuotaPolicy | None = None,
                 clock: Clock = utcnow) -> None:
        self.sessions = sessions
        self._engine: Engine = sessions.kw["bind"]
        self.policy = policy or QuotaPolicy()
        self.clock = clock

    def window(self) -> Window:
        return window_of(self.clock(), self.policy.zone)

    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision:
        try:
            result = self.consume(actor.identity, system.value, code)
        except SQLAlchemyError as exc:
            # The error class only: a statement could carry what the person typed.
            log.warning("code view not counted: database unavailable (%s)", type(exc).__name__)
            return ViewDecision(False, refusal=unavailable_reply())
        if not result.allowed:
            return ViewDecision(False, refusal=self.refusal(result.standing))
        return ViewDecision(True, remaining=result.standing.remaining)

    def consume(self, identity: IdentityKey, system: str, code: str) -> Consumption:
        """Count one view of (system, code) unless it was already opened this window. Raises
        SQLAlchemyError when the database fails; then nothing was counted."""
        window = self.window()
        refused: Standing | None = None
        try:
            # A Core transaction, not an ORM session: the hot path needs none of the session's machinery.
            with self._engine.begin() as conn:
                lock_identity_counters(conn, [identity], window.key)
                holder = resolve(conn, identity)
                limit = self.policy.limit(holder.tier)
                new_view = conn.execute(_VIEW_SQL, {
                    "s": holder.subject, "w": window.key, "sys": system, "c": code, "p": identity[0],
                    "ws": identity[1], "u": identity[2], "at": self.clock().astimezone(UTC)}).first()
                # A free re-open is a registered person's benefit: a guest's one view is one card, so
                # a guest who opens the same code twice meets the register offer the second time.
                if new_view is None and holder.registered:  # opened before in this window: free
                    used = used_in(conn, holder.subject, window.key)
                else:
                    conn.execute(_COUNTER_SQL, {"s": holder.subject, "w": window.key})
                    bump = _BUMP_SQL if limit is None else _BUMP_BELOW_SQL
                    counted = conn.execute(bump, {"s": holder.subject, "w": window.key, "limit": limit}).scalar()
                    if counted is None:
                        refused = Standing(holder.tier, limit, used_in(conn, holder.subject, window.key),
                                           window, holder.registered)
                        raise _Refused
                    used = int(counted)
                standing = Standing(holder.tier, limit, used, window, holder.registered)
        except _Refused:
            assert refused is not None
            return Consumption(False, refused)
        return Consumption(True, standing)

    def standing(self, identity: IdentityKey) -> Standing:
        window = self.window()
        with self.sessions() as session, session.begin():
            holder = resolve(session, identity)
            return Standing(holder.tier, self.policy.limit(holder.tier),
                            used_in(session, holder.subject, window.key), window, holder.registered)

    def refusal(self, standing: Standing) -> Reply:
        """No views left: say so plainly; a guest is offered registration, never the card."""
        policy = self.policy
        resets = f"Your views come back on {standing.window.resets_text()}."
        if standing.tier is Tier.GUEST and not standing.registered and policy.registration_bonus > 0:
            title = (f"0 code views left this month. {policy.guest_name.capitalize()}s get "
                     f"{policy.guest_views}; register for free to get {policy.registration_bonus} more.")
            return error_reply(ErrorKind.QUOTA, title, f"Type `/register` or press Register. {resets}",
                               register_action())
        limit = standing.limit or 0
        title = (f"0 code views left this month. The {policy.name(standing.tier)} tier gets {limit} "
                 f"code view{'s' if limit != 1 else ''} a month.")
        return error_reply(ErrorKind.QUOTA, title,
                           f"{resets} For more, ask a workspace admin about unlimited access.")


def unavailable_reply() -> Reply:
    return replies.unavailable_reply()  # one wording for every command during an outage
