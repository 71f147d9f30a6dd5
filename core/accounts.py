"""Accounts: free registration, leaving, cross-platform links and admin grants, plus the commands
that expose them (/register, /unregister, /me, /link, and /codedesk grant|plan|usage for admins).

`Accounts` is the platform-free service; `AccountsFeature` turns requests into Replies for the Desk.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.accounts_tables import Account, CodeView, GrantAudit, Identity, LinkCode, ViewCounter, WorkspacePlan
from core.codes.cards import register_action
from core.commands import Command, Handler, Option
from core.quota import (
    IdentityKey,
    Plan,
    Standing,
    Tier,
    ViewQuota,
    account_subject,
    add_to_counter,
    identity_subject,
    insert_for,
    lock_identity_counters,
    move_views,
    raise_counter_to,
    resolve,
    unavailable_reply,
    used_in,
)
from core.replies import Action, ErrorKind, Field, Form, FormField, Reply, Section, error_reply
from core.requests import Actor, Request, RequestKind

TERMS_VERSION = "2026-11"
LINK_CODE_TTL = timedelta(minutes=10)
LINK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: people copy it by eye
LINK_CODE_LENGTH = 8
MAX_NAME = 100
MAX_EMAIL = 254
USAGE_ROWS = 25

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$")
_YES = {"y", "yes", "true", "1", "on", "checked", "agree", "i agree", "x"}
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


class AccountsFeature:
    """The Desk feature for accounts and quotas."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self.quota = accounts.quota
        self.policy = accounts.policy

    def commands(self) -> Sequence[Command]:
        return (
            Command("register", "Register (free) for more code views each month", self._register,
                    Option.text("args", "Optional details"), fast=False),
            Command("me", "Your tier, code views left and when they reset", self._me,
                    Option.text("args", "Optional")),
            Command("link", "Join your CodeDesk accounts on Slack and Discord (one quota)", self._link,
                    Option.text("args", "A link code, or nothing to get one"), fast=False),
            Command("unregister", "Delete your name, email and view history", self._unregister,
                    Option.text("args", "Optional"), fast=False),
            Command("grant", "Admins: give a person a tier", self._grant,
                    usage="/codedesk grant @user unlimited|registered|guest", listed=False, fast=False),
            Command("plan", "Admins: the workspace's plan", self._plan,
                    usage="/codedesk plan unlimited|standard", listed=False, fast=False),
            Command("usage", "Admins: code views used this month, by person", self._usage,
                    usage="/codedesk usage", listed=False, fast=False),
        )

    def actions(self) -> Mapping[str, Handler]:
        return {"register": self._register}

    def _guarded(self, work: Callable[[], Reply]) -> Reply:
        """Run a database step; a database failure becomes a short reply, never a crash."""
        try:
            return work()
        except SQLAlchemyError:
            return unavailable_reply()

    # --- /register -------------------------------------------------------------------------------
    def _register(self, request: Request) -> Reply:
        if request.kind is RequestKind.FORM:
            return self._guarded(lambda: self._submit(request))
        policy = self.policy
        fields = (
            FormField("name", "Your name", placeholder="Jane Coder"),
            FormField("email", "Email", placeholder="jane@example.org", kind="email"),
            FormField("consent", "I agree to the CodeDesk terms of use and to CodeDesk keeping my name "
                                 "and email for my account", kind="checkbox"),
        )
        intro = (f"Registering is free and adds {policy.registration_bonus} code views a month "
                 f"({policy.registered_views} in all). Your name and email are used only for your account; "
                 "`/unregister` deletes them at any time.")
        form = Form(form_id="register", title="Register for CodeDesk", fields=fields, submit_label="Register",
                    intro=intro)
        return Reply(title="Register for CodeDesk (free)", subtitle=intro, form=form)

    def _submit(self, request: Request) -> Reply:
        answers = request.answers
        name = clean_name(answers.get("name", ""))
        email = answers.get("email", "").strip()
        consent = answers.get("consent", "").strip().lower() in _YES
        retry = register_action()
        if not name or len(name) > MAX_NAME:
            return error_reply(ErrorKind.BAD_INPUT, "Please give your name (up to 100 characters).",
                               "Press Register (or type `/register`) and fill in the form again.", retry)
        if not valid_email(email):
            return error_reply(ErrorKind.BAD_INPUT, "That email address does not look right.",
                               "Type it as name@example.org: press Register (or type `/register`) to try "
                               "again.", retry)
        if not consent:
            return error_reply(ErrorKind.BAD_INPUT, "Registration needs your consent to the terms.",
                               "Press Register (or type `/register`) and answer “y” to the consent question.",
                               retry)
        created = self.accounts.register(request.actor, name, email)
        standing = self.quota.standing(request.actor.identity)
        title = f"Welcome, {name}: you are registered" if created else f"Your details are updated, {name}"
        return Reply(title=title, subtitle=_left_sentence(standing, self.policy.name(standing.tier)))

    # --- /unregister -----------------------------------------------------------------------------
    def _unregister(self, request: Request) -> Reply:
        def work() -> Reply:
            if not self.accounts.unregister(request.actor.identity):
                return Reply(title="You are not registered, so there is nothing to delete.",
                             subtitle="Type `/me` to see your tier and views.")
            standing = self.quota.standing(request.actor.identity)
            return Reply(title="Your name, email and view history are deleted.",
                         subtitle="Code views you already used this month still count. "
                                  + _left_sentence(standing, self.policy.name(standing.tier)))
        return self._guarded(work)

    # --- /me -------------------------------------------------------------------------------------
    def _me(self, request: Request) -> Reply:
        def work() -> Reply:
            standing = self.quota.standing(request.actor.identity)
            owned = self.accounts.account_of(request.actor.identity)
            left = "unlimited" if standing.remaining is None else \
                f"{standing.remaining} of {standing.limit}"
            fields = [Field("Tier", self.policy.name(standing.tier)),
                      Field("Code views left this month", left),
                      Field("Resets", standing.window.resets_text())]
            actions: tuple[Action, ...] = ()
            if owned is not None:
                account, members = owned
                fields += [Field("Name", account.name), Field("Email", account.email)]
                others = [m for m in members if m != request.actor.identity]
                if others:
                    where = ", ".join(f"{p} ({w})" for p, w, _ in others)
                    fields.append(Field("Linked", where, inline=False))
            else:
                actions = (register_action(),) if standing.tier is Tier.GUEST else ()
            title = "Your CodeDesk account" if owned else "You are using CodeDesk without registering"
            return Reply(title=title, fields=tuple(fields), actions=actions)
        return self._guarded(work)

    # --- /link -----------------------------------------------------------------------------------
    def _link(self, request: Request) -> Reply:
        text = request.text.strip()
        if text:
            return self._guarded(lambda: self._redeem(request, text))

        def work() -> Reply:
            code = self.accounts.issue_link_code(request.actor.identity)
            if code is None:
                return error_reply(ErrorKind.BAD_INPUT, "Register first, then link.",
                                   "Type `/register` here, then `/link` to get a code for your other "
                                   "platform.", register_action())
            shown = f"{code[:4]}-{code[4:]}"
            minutes = int(LINK_CODE_TTL.total_seconds() // 60)
            return Reply(title=f"Your link code: {shown}",
                         subtitle=f"Within {minutes} minutes, type `/link {shown}` on the other platform "
                                  "(Slack or Discord). Both will then share one account and one quota. "
                                  "The code works once.")
        return self._guarded(work)

    def _redeem(self, request: Request, text: str) -> Reply:
        outcome = self.accounts.redeem_link_code(request.actor, text)
        if outcome == "linked":
            standing = self.quota.standing(request.actor.identity)
            return Reply(title="Linked: this identity now shares your CodeDesk account and quota.",
                         subtitle=_left_sentence(standing, self.policy.name(standing.tier)))
        if outcome == "already":
            return Reply(title="This identity is already linked to that account.")
        reason = {"expired": "That link code has expired.", "used": "That link code was already used."}
        return error_reply(ErrorKind.BAD_INPUT, reason.get(outcome, "That link code is not valid."),
                           "Type `/link` on the platform where you registered to get a new code, then "
                           "`/link CODE` here within 10 minutes.")

    # --- admin -----------------------------------------------------------------------------------
    def _forbidden(self, what: str) -> Reply:
        return error_reply(ErrorKind.FORBIDDEN, f"Only workspace admins can {what}.",
                           "Ask an admin of this workspace; `/me` shows your own tier and views.")

    def _grant(self, request: Request) -> Reply:
        if not request.actor.is_admin:
            return self._forbidden("grant tiers")
        words = request.text.split()
        usage_hint = "Type `/codedesk grant @user unlimited|registered|guest`."
        mention = parse_mention(words[0]) if words else None
        tier = self.policy.parse_tier(words[1]) if len(words) == 2 else None
        if mention is None or tier is None:
            names = "|".join(self.policy.name(t) for t in (Tier.UNLIMITED, Tier.REGISTERED, Tier.GUEST))
            return error_reply(ErrorKind.BAD_INPUT, "Name one person and one tier.",
                               usage_hint.replace("unlimited|registered|guest", names))

        def work() -> Reply:
            actor = request.actor
            user_id = self.accounts.find_user(actor.platform.value, actor.workspace_id, mention)
            self.accounts.grant(actor, user_id, tier, mention.name)
            who = mention.name or user_id
            limit = self.policy.limit(tier)
            detail = "unlimited code views" if limit is None else \
                f"{limit} code view{'s' if limit != 1 else ''} a month"
            return Reply(title=f"{who} now has the {self.policy.name(tier)} tier in this workspace.",
                         subtitle=f"That is {detail}. The grant is recorded in the audit log.")
        return self._guarded(work)

    def _plan(self, request: Request) -> Reply:
        if not request.actor.is_admin:
            return self._forbidden("set the workspace plan")
        word = request.text.strip().lower()
        actor = request.actor
        if not word:
            def current() -> Reply:
                plan = self.accounts.plan_of(actor.platform.value, actor.workspace_id)
                return Reply(title=f"This workspace is on the {plan.value} plan.",
                             subtitle="Change it with `/codedesk plan unlimited|standard`.")
            return self._guarded(current)
        plan = Plan.UNLIMITED if self.policy.parse_tier(word) is Tier.UNLIMITED else \
            (Plan.STANDARD if word == Plan.STANDARD else None)
        if plan is None:
            return error_reply(ErrorKind.BAD_INPUT, f"“{word[:30]}” is not a plan.",
                               "Type `/codedesk plan unlimited` or `/codedesk plan standard`.")

        def work() -> Reply:
            self.accounts.set_plan(actor, plan)
            detail = "everyone here has unlimited code views" if plan is Plan.UNLIMITED else \
                "each person's own tier applies"
            return Reply(title=f"This workspace is now on the {plan.value} plan: {detail}.",
                         subtitle="The change is recorded in the audit log.")
        return self._guarded(work)

    def _usage(self, request: Request) -> Reply:
        if not request.actor.is_admin:
            return self._forbidden("see usage")
        actor = request.actor

        def work() -> Reply:
            usage = self.accounts.usage(actor.platform.value, actor.workspace_id)
            window = self.quota.window()
            label = f"{window.starts:%B %Y}"

            def text(line: UsageLine) -> str:
                who = f"{line.display_name} ({line.user_id})" if line.display_name and \
                    line.display_name != line.user_id else line.user_id
                return f"- {who}: {line.views} view{'s' if line.views != 1 else ''}, " \
                       f"{self.policy.name(line.tier)}"

            sections = [Section("Views by person", "\n".join(text(x) for x in usage.lines)
                                or "Nobody has opened a code card this month.")]
            if usage.grants:
                sections.append(Section("Granted tiers", "\n".join(text(x) for x in usage.grants)))
            return Reply(title=f"CodeDesk usage in this workspace, {label}",
                         fields=(Field("Plan", usage.plan.value), Field("Code views", str(usage.total_views)),
                                 Field("Registered people", str(usage.registered)),
                                 Field("Resets", window.resets_text())),
                         sections=tuple(sections))
        return self._guarded(work)


def _left_sentence(standing: Standing, tier_name: str) -> str:
    if standing.remaining is None:
        return f"Your tier is {tier_name}: unlimited code views."
    left = standing.remaining
    return (f"You have {left} code view{'s' if left != 1 else ''} left this month ({tier_name}: "
            f"{standing.limit} a month); they reset on {standing.window.resets_text()}.")
