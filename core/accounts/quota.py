"""The code-view quota: the ViewGate the code cards ask before showing a full card, what a person's
standing is this window, and the refusal they see when no views are left.

Check-and-consume is one transaction: record the (system, code) view if it is new, make sure the
window's counter row exists, then `UPDATE … SET used = used + 1 WHERE used < limit RETURNING used`
(core/accounts/counters.py). No row back means the limit was reached, and the whole transaction
(view record included) is rolled back. Nothing reads a count and then writes it, so concurrent
requests on any number of processes can never grant more views than the limit. Nothing here knows
about any chat platform.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core import replies
from core.accounts.actions import register_action
from core.accounts.counters import IdentityKey, count_one, lock_identity_counters, record_view, resolve, used_in
from core.accounts.policy import QuotaPolicy, Tier
from core.accounts.windows import Window, window_of
from core.codes.record import System
from core.codes.views import ViewDecision
from core.db import utcnow
from core.replies import ErrorKind, Reply, error_reply
from core.requests import Actor

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


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
                new_view = record_view(conn, holder.subject, window.key, identity, system, code,
                                       self.clock().astimezone(UTC))
                # A free re-open is a registered person's benefit: a guest's one view is one card, so
                # a guest who opens the same code twice meets the register offer the second time.
                if not new_view and holder.registered:  # opened before in this window: free
                    used = used_in(conn, holder.subject, window.key)
                else:
                    counted = count_one(conn, holder.subject, window.key, limit)
                    if counted is None:
                        refused = Standing(holder.tier, limit, used_in(conn, holder.subject, window.key),
                                           window, holder.registered)
                        raise _Refused
                    used = counted
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
