"""The accounts feature: /register, /unregister, /me, /link and the admins' /codedesk grant, plan and
usage, as chat Replies. The wording lives here; the work is the Accounts service's."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy.exc import SQLAlchemyError

from core.accounts.actions import REGISTER, register_action
from core.accounts.policy import Plan, Tier
from core.accounts.quota import Standing, unavailable_reply
from core.accounts.service import (
    LINK_CODE_TTL,
    MAX_NAME,
    Accounts,
    UsageLine,
    clean_name,
    parse_mention,
    valid_email,
)
from core.commands import Command, Handler, Option
from core.replies import Action, ErrorKind, Field, Form, FormField, Reply, Section, error_reply
from core.requests import Request, RequestKind

_YES = {"y", "yes", "true", "1", "on", "checked", "agree", "i agree", "x"}


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
        return {REGISTER: self._register}

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
        form = Form(form_id=REGISTER, title="Register for CodeDesk", fields=fields, submit_label="Register",
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
