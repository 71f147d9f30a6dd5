"""The accounts service: registration, leaving, cross-platform links, admin grants, workspace plans
and the usage report. Platform-free and wording-free (core/accounts/feature.py speaks to people);
every method is one transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.accounts.counters import (
    IdentityKey,
    account_subject,
    add_to_counter,
    identity_subject,
    insert_for,
    lock_identity_counters,
    move_views,
    raise_counter_to,
    resolve,
    used_in,
)
from core.accounts.policy import Plan, Tier
from core.accounts.quota import ViewQuota
from core.accounts.tables import Account, CodeView, GrantAudit, Identity, LinkCode, ViewCounter, WorkspacePlan
from core.requests import Actor

TERMS_VERSION = "2026-11"
LINK_CODE_TTL = timedelta(minutes=10)
LINK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: people copy it by eye
LINK_CODE_LENGTH = 8
MAX_NAME = 100
MAX_EMAIL = 254
USAGE_ROWS = 25

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$")
# Slack escapes a mention as <@U123> or <@U123|name>; Discord as <@123> or <@!123>.
_ESCAPED_MENTION = re.compile(r"^<@!?([A-Za-z0-9_.-]{1,64})(?:\|([^>]{0,100}))?>$")
_PLAIN_MENTION = re.compile(r"^@([^\s@<>|]{1,64})$")


@dataclass(frozen=True)
class Mention:
    """Someone an admin named: a platform user id when the platform escaped it, else a typed name."""

    user_id: str
    name: str = ""
    by_id: bool = True  # False for a plain "@name", which still has to be matched to a person


def parse_mention(text: str) -> Mention | None:
    text = text.strip()
    escaped = _ESCAPED_MENTION.match(text)
    if escaped:
        return Mention(escaped.group(1), (escaped.group(2) or "").strip())
    plain = _PLAIN_MENTION.match(text)
    if plain:
        return Mention(plain.group(1), plain.group(1), by_id=False)
    return None


def valid_email(email: str) -> bool:
    return len(email) <= MAX_EMAIL and _EMAIL.match(email) is not None


def clean_name(name: str) -> str:
    """The name with control characters dropped and spaces collapsed."""
    kept = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalize_link_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _key(row: Identity) -> IdentityKey:
    return (row.platform, row.workspace_id, row.user_id)


@dataclass(frozen=True)
class UsageLine:
    user_id: str
    display_name: str
    tier: Tier
    views: int


@dataclass(frozen=True)
class Usage:
    """A workspace's code views this window, for its admins."""

    plan: Plan
    total_views: int
    registered: int
    lines: tuple[UsageLine, ...]
    grants: tuple[UsageLine, ...]


class Accounts:
    """Registration, leaving, links and grants. Every method is one transaction."""

    def __init__(self, quota: ViewQuota) -> None:
        self.quota = quota
        self.sessions = quota.sessions
        self.policy = quota.policy

    def now(self) -> datetime:
        return self.quota.clock().astimezone(UTC)  # stored in UTC whatever zone the clock reports

    # --- rows ------------------------------------------------------------------------------------
    def _identity(self, session: Session, key: IdentityKey, display_name: str = "") -> Identity:
        """The identity row, made if missing, locked for this transaction (PostgreSQL)."""
        session.execute(insert_for(session, Identity).values(
            platform=key[0], workspace_id=key[1], user_id=key[2], display_name=display_name[:MAX_NAME],
            created_at=self.now()).on_conflict_do_nothing())
        row = session.execute(select(Identity).where(
            Identity.platform == key[0], Identity.workspace_id == key[1], Identity.user_id == key[2])
            .with_for_update()).scalar_one()
        if display_name and not row.display_name:
            row.display_name = display_name[:MAX_NAME]
        return row

    # --- registration ----------------------------------------------------------------------------
    def register(self, actor: Actor, name: str, email: str) -> bool:
        """Create the account (True), or update name and email when already registered (False).
        The views used this window come along, so registering adds views rather than resetting."""
        window = self.quota.window().key
        with self.sessions() as session, session.begin():
            lock_identity_counters(session, [actor.identity], window)
            row = self._identity(session, actor.identity, actor.display_name)
            if row.account_id is not None:
                account = session.get(Account, row.account_id)
                if account is not None:
                    account.name, account.email = name, email
                    return False
            now = self.now()
            account = Account(name=name, email=email, terms_version=TERMS_VERSION, consented_at=now,
                              registered_at=now)
            session.add(account)
            session.flush()
            row.account_id = account.id
            old, new = identity_subject(actor.identity), account_subject(account.id)
            raise_counter_to(session, new, window, used_in(session, old, window))
            move_views(session, old, new, window)
            return True

    def unregister(self, identity: IdentityKey) -> bool:
        """Delete the account, its name, email, links and view history. Each identity it covered
        keeps this window's used count, so leaving never resets a quota. False if not registered."""
        window = self.quota.window().key
        with self.sessions() as session, session.begin():
            row = session.get(Identity, identity)
            if row is None or row.account_id is None:
                return False
            account_id = row.account_id
            subject = account_subject(account_id)
            # Counter rows first, then identity rows: the order every view and registration uses.
            keys = session.execute(select(Identity.platform, Identity.workspace_id, Identity.user_id)
                                   .where(Identity.account_id == account_id)).all()
            lock_identity_counters(session, [(p, w, u) for p, w, u in keys], window)
            members = session.execute(select(Identity).where(Identity.account_id == account_id)
                                      .with_for_update()).scalars().all()
            used = used_in(session, subject, window)
            for member in members:
                raise_counter_to(session, identity_subject(_key(member)), window, used)
                session.execute(delete(CodeView).where(CodeView.subject == identity_subject(_key(member))))
                member.account_id = None
                member.display_name = ""
                if member.granted_tier is None:
                    session.delete(member)  # nothing left to remember about this identity
            session.flush()
            session.execute(delete(CodeView).where(CodeView.subject == subject))
            session.execute(delete(ViewCounter).where(ViewCounter.subject == subject))
            session.execute(delete(LinkCode).where(LinkCode.account_id == account_id))
            session.execute(delete(Account).where(Account.id == account_id))
            return True

    def account_of(self, identity: IdentityKey) -> tuple[Account, list[IdentityKey]] | None:
        with self.sessions() as session, session.begin():
            row = session.get(Identity, identity)
            if row is None or row.account_id is None:
                return None
            account = session.get(Account, row.account_id)
            if account is None:
                return None
            members = session.execute(select(Identity).where(Identity.account_id == row.account_id)).scalars()
            return account, sorted(_key(m) for m in members)

    # --- links -----------------------------------------------------------------------------------
    def issue_link_code(self, identity: IdentityKey) -> str | None:
        """A one-time code for another identity of the same person; None when not registered."""
        code = "".join(secrets.choice(LINK_ALPHABET) for _ in range(LINK_CODE_LENGTH))
        with self.sessions() as session, session.begin():
            row = session.get(Identity, identity)
            if row is None or row.account_id is None:
                return None
            session.add(LinkCode(code_hash=_hash(code), account_id=row.account_id,
                                 expires_at=self.now() + LINK_CODE_TTL))
        return code

    def redeem_link_code(self, actor: Actor, text: str) -> str:
        """Join this identity to the account that issued the code. Returns "linked", "already",
        "expired", "used" or "unknown"."""
        code_hash = _hash(_normalize_link_code(text))
        window = self.quota.window().key
        with self.sessions() as session, session.begin():
            lock_identity_counters(session, [actor.identity], window)
            now = self.now()
            # One statement claims the code, so two people racing with it cannot both succeed.
            account_id = session.execute(
                update(LinkCode).where(LinkCode.code_hash == code_hash, LinkCode.used_at.is_(None),
                                       LinkCode.expires_at > now)
                .values(used_at=now).returning(LinkCode.account_id)
                .execution_options(synchronize_session=False)).scalar_one_or_none()
            if account_id is None:
                stale = session.get(LinkCode, code_hash)
                if stale is None:
                    return "unknown"
                return "used" if stale.used_at is not None else "expired"
            row = self._identity(session, actor.identity, actor.display_name)
            if row.account_id == account_id:
                return "already"
            new = account_subject(account_id)
            old = account_subject(row.account_id) if row.account_id is not None \
                else identity_subject(actor.identity)
            add_to_counter(session, new, window, used_in(session, old, window))
            move_views(session, old, new, window)
            if row.account_id is not None:
                self._merge_account(session, row.account_id, account_id)
            row.account_id = account_id
            return "linked"

    def _merge_account(self, session: Session, old_id: int, new_id: int) -> None:
        """The person registered separately on both sides: one account remains (the code issuer's)."""
        session.execute(update(Identity).where(Identity.account_id == old_id).values(account_id=new_id)
                        .execution_options(synchronize_session=False))
        old = account_subject(old_id)
        session.execute(delete(CodeView).where(CodeView.subject == old))
        session.execute(delete(ViewCounter).where(ViewCounter.subject == old))
        session.execute(delete(LinkCode).where(LinkCode.account_id == old_id))
        session.execute(delete(Account).where(Account.id == old_id))

    # --- admin -----------------------------------------------------------------------------------
    def find_user(self, platform: str, workspace_id: str, mention: Mention) -> str:
        """The user id a mention names: an escaped mention is an id already; "@name" is matched
        against known ids and display names in the workspace, else taken as the id itself."""
        if mention.by_id:
            return mention.user_id
        with self.sessions() as session:
            here = (Identity.platform == platform, Identity.workspace_id == workspace_id)
            for condition in (Identity.user_id == mention.user_id,
                              func.lower(Identity.display_name) == mention.name.lower()):
                found = session.execute(select(Identity.user_id).where(*here, condition).limit(1)).scalar()
                if found:
                    return str(found)
        return mention.user_id

    def grant(self, admin: Actor, user_id: str, tier: Tier, display_name: str = "") -> None:
        with self.sessions() as session, session.begin():
            row = self._identity(session, (admin.platform.value, admin.workspace_id, user_id), display_name)
            row.granted_tier = tier.value
            session.add(GrantAudit(platform=admin.platform.value, workspace_id=admin.workspace_id,
                                   admin_user_id=admin.user_id, target_user_id=user_id, action="grant",
                                   value=tier.value, at=self.now()))

    def set_plan(self, admin: Actor, plan: Plan) -> None:
        with self.sessions() as session, session.begin():
            now = self.now()
            values: dict[str, Any] = {"plan": plan.value, "set_by": admin.user_id, "set_at": now}
            stmt = insert_for(session, WorkspacePlan).values(
                platform=admin.platform.value, workspace_id=admin.workspace_id, **values)
            keys = ["platform", "workspace_id"]
            session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=values))
            session.add(GrantAudit(platform=admin.platform.value, workspace_id=admin.workspace_id,
                                   admin_user_id=admin.user_id, target_user_id="*", action="plan",
                                   value=plan.value, at=now))

    def plan_of(self, platform: str, workspace_id: str) -> Plan:
        with self.sessions() as session:
            row = session.get(WorkspacePlan, (platform, workspace_id))
            return Plan(row.plan) if row is not None else Plan.STANDARD

    def audit(self, platform: str, workspace_id: str) -> list[GrantAudit]:
        with self.sessions() as session:
            return list(session.execute(select(GrantAudit).where(
                GrantAudit.platform == platform, GrantAudit.workspace_id == workspace_id)
                .order_by(GrantAudit.id)).scalars())

    def usage(self, platform: str, workspace_id: str) -> Usage:
        window = self.quota.window().key
        with self.sessions() as session, session.begin():
            plan_row = session.get(WorkspacePlan, (platform, workspace_id))
            plan = Plan(plan_row.plan) if plan_row is not None else Plan.STANDARD
            where = (CodeView.platform == platform, CodeView.workspace_id == workspace_id,
                     CodeView.window == window)
            counts = session.execute(select(CodeView.user_id, func.count()).where(*where)
                                     .group_by(CodeView.user_id)
                                     .order_by(func.count().desc(), CodeView.user_id)).all()
            known = {r.user_id: r for r in session.execute(select(Identity).where(
                Identity.platform == platform, Identity.workspace_id == workspace_id)).scalars()}

            def line(user_id: str, views: int) -> UsageLine:
                row = known.get(user_id)
                tier = resolve(session, (platform, workspace_id, user_id)).tier
                return UsageLine(user_id, row.display_name if row else "", tier, views)

            views_by_user = {user_id: int(n) for user_id, n in counts}
            lines = tuple(line(u, n) for u, n in list(views_by_user.items())[:USAGE_ROWS])
            grants = tuple(line(r.user_id, views_by_user.get(r.user_id, 0))
                           for r in sorted(known.values(), key=lambda r: r.user_id) if r.granted_tier)
            registered = sum(1 for r in known.values() if r.account_id is not None)
            return Usage(plan, sum(views_by_user.values()), registered, lines, grants)
