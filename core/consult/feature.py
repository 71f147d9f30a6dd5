"""`/consult …`: ask the workspace's human experts, and everything that follows — the ask form, the
PHI check, tickets, Claim and Answer, thread replies, lists, closing, monthly limits and the admin
settings (`/codedesk consult channel|add-expert|remove-expert|experts|retry|settings`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from core.accounts.actions import register_action
from core.commands import Command, Handler, Option
from core.consult import cards, outbox, phi
from core.consult import tickets as store
from core.consult.cards import ANSWER, ANSWER_FORM, ASK_FORM, CLAIM, NO_IDENTIFIERS, OPEN
from core.consult.contacts import email_of, name_of, standing_of
from core.consult.outbox import Deliverer, Medium, Template
from core.consult.policy import ConsultPolicy
from core.consult.tables import ConsultTicket
from core.consult.tickets import Status, Ticket, Where
from core.db import transaction, utcnow
from core.replies import Action, ActionStyle, ErrorKind, Field, Form, FormField, Reply, Section, error_reply
from core.requests import Request, RequestKind

FreeText = Callable[[Request], Reply | None]

HELP = (
    "`/consult your question` — opens the ask form: the question, optional codes; no patient identifiers",
    "`/consult list` — your consults (experts and admins: every open one); `/consult 3` — one consult",
    "`/consult close 3` — close your consult; `/consult answer 3 your answer` — experts answer anywhere",
    "Experts: press Claim, then Answer, on the post in the experts channel, or reply in its thread",
    "Admins: `/codedesk consult channel #coding-experts` (or `here`), `/codedesk consult add-expert "
    "EMAIL`, `remove-expert EMAIL`, `experts`, `settings`, `retry` (failed deliveries)",
)
ASK_FIELDS = ("question", "codes")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}$")
# Slack escapes a channel as <#C123|name>; Discord as <#123>.
_CHANNEL = re.compile(r"^<#([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_PLAIN_CHANNEL = re.compile(r"^#([\w-]{1,80})$")


class _Refused(Exception):
    """Rolls the ticket back when the month's consults are used up."""


@dataclass(frozen=True)
class _Who:
    """What a request may do with consults here."""

    staff: bool  # an admin, someone in the experts channel, or a registered consultant


class ConsultFeature:
    def __init__(self, sessions: sessionmaker[Session], deliverer: Deliverer, *,
                 policy: ConsultPolicy | None = None, zone: str = "UTC",
                 kick: Callable[[], object] | None = None, now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.deliverer = deliverer
        self.policy = policy or ConsultPolicy()
        self.zone = ZoneInfo(zone)
        # Sends happen after the transaction commits: in production on a background thread (see
        # bots/app.py), in tests at once. The scheduler's tick retries whatever this misses.
        self.kick = kick or deliverer.deliver_due
        self.now = now

    def commands(self) -> Sequence[Command]:
        return (Command("consult", "Ask a certified coder: your question goes to your team's experts",
                        self.consult, Option.text("question", "Your coding question, or list, 3, close 3"),
                        usage="/consult can I bill 99214-25 with 11102 when the biopsy was planned?",
                        details=HELP, fast=False),)

    def actions(self) -> Mapping[str, Handler]:
        return {ASK_FORM: self._ask_action, CLAIM: self._claim_action, ANSWER: self._answer_button,
                ANSWER_FORM: self._answer_form, OPEN: self._open_action}

    # --- routing -----------------------------------------------------------------------------------
    def consult(self, request: Request) -> Reply:
        text = request.text.strip()
        words = text.split()
        verb = words[0].lower() if words else ""
        admin: dict[str, Callable[[Request, list[str]], Reply]] = {
            "channel": self._channel, "add-expert": self._add_expert, "remove-expert": self._remove_expert,
            "experts": self._experts, "list-experts": self._experts, "settings": self._settings,
            "retry": self._retry}
        if verb in admin and len(words) <= 2:
            return admin[verb](request, words[1:])
        if verb == "list" and len(words) == 1:
            return self._list(request)
        if verb == "help" and len(words) == 1:
            return Reply(title="Ask a human expert", sections=(Section("Commands", "\n".join(
                f"- {line}" for line in HELP)),), footer=cards.FOOTER)
        if len(words) == 1 and verb.lstrip("#").isdigit():
            return self._show(request, int(verb.lstrip("#")))
        if verb in ("close", "claim") and len(words) == 2 and words[1].lstrip("#").isdigit():
            number = int(words[1].lstrip("#"))
            return self._close(request, number) if verb == "close" else self._claim(request, number)
        if verb == "answer" and len(words) >= 2 and words[1].lstrip("#").isdigit():
            answer = text.split(None, 2)[2] if len(words) > 2 else ""
            return self._answer(request, int(words[1].lstrip("#")), answer)
        return self._ask_form(request, text)

    def thread_reply(self, request: Request) -> Reply | None:
        """A reply in the thread of a ticket's experts-channel post answers that ticket."""
        if not request.thread_id:
            return None
        with transaction(self.sessions) as session:
            number = store.number_of_post(session, self._where(request), request.thread_id)
        if number is None:
            return None
        return self._answer(request, number, request.text)

    def offering(self, free_text: FreeText) -> FreeText:
        """Wrap the free-text answerer: when it finds nothing ("I don't know"), offer a human expert."""
        def answer(request: Request) -> Reply | None:
            reply = free_text(request)
            if reply is None or reply.error is not ErrorKind.NOT_FOUND:
                return reply
            return replace(reply.with_footer("Not sure? Ask a certified coder on your team: `/consult your "
                                             "question` (no patient identifiers)"),
                           actions=(*reply.actions, Action("Ask an expert", ASK_FORM, "", ActionStyle.PRIMARY)))
        return answer

    # --- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def _where(request: Request) -> Where:
        return Where(request.actor.platform.value, request.actor.workspace_id)

    def _who(self, session: Session, request: Request) -> _Who:
        actor = request.actor
        if actor.is_admin:
            return _Who(True)
        where = self._where(request)
        channel = store.experts_channel(session, where)
        if channel and request.channel_id == channel:
            return _Who(True)
        email = email_of(session, actor.identity)
        return _Who(bool(email) and email.lower() in store.experts(session, where))

    @staticmethod
    def _name(session: Session, request: Request) -> str:
        """What people see: the registered name, else the platform's display name."""
        actor = request.actor
        return (name_of(session, actor.identity) or actor.display_name or actor.user_id)[:100]

    def _month(self, now: datetime) -> str:
        return now.astimezone(self.zone).strftime("%Y-%m")

    @staticmethod
    def _not_found(number: int) -> Reply:
        return error_reply(ErrorKind.NOT_FOUND, f"There is no consult #{number} you can see here.",
                           "Type `/consult list` to see yours.")

    @staticmethod
    def _forbidden(what: str) -> Reply:
        return error_reply(ErrorKind.FORBIDDEN, f"Only workspace admins can {what}.", "Ask one of your admins.")

    @staticmethod
    def _experts_only(what: str) -> Reply:
        return error_reply(ErrorKind.FORBIDDEN, f"Only the workspace's experts can {what}.",
                           "Experts work in the experts channel; admins can add consultants with "
                           "`/codedesk consult add-expert EMAIL`.")

    # --- asking ------------------------------------------------------------------------------------
    def _limit_refusal(self, session: Session, request: Request) -> Reply | None:
        standing = standing_of(session, request.actor.identity)
        limit = self.policy.limit(standing.tier)
        if limit is None or store.consults_used(session, standing.subject, self._month(self.now())) < limit:
            return None
        return self._refusal(standing.tier, limit)

    def _refusal(self, tier: str, limit: int) -> Reply:
        if tier == "guest" and limit == 0:
            registered = self.policy.registered
            more = "unlimited consults" if registered is None else \
                f"{registered} consult{'s' if registered != 1 else ''} a month"
            return error_reply(ErrorKind.QUOTA, f"Asking the experts needs a (free) registration: it gives "
                               f"{more}.", "Type `/register` or press Register, then ask again.",
                               register_action())
        return error_reply(ErrorKind.QUOTA, f"You have used your {limit} consult{'s' if limit != 1 else ''} "
                           "for this month.", "They come back on the 1st of next month; for more, ask a "
                           "workspace admin about the unlimited tier.")

    @staticmethod
    def _phi_refusal(*texts: str) -> Reply | None:
        found = [f for text in texts for f in phi.findings(text)]
        if not found:
            return None
        unique = list({f.kind: f for f in found}.values())
        return error_reply(ErrorKind.BAD_INPUT, "This looks like it identifies a patient, so it was not sent.",
                           phi.refusal_text(unique), Action("Ask again", ASK_FORM, ""))

    def _ask_form(self, request: Request, question: str) -> Reply:
        refused = self._phi_refusal(question)
        if refused is not None:
            return refused  # the form is never filled with identifiers
        with transaction(self.sessions) as session:
            limit = self._limit_refusal(session, request)
            if limit is not None:
                return limit
            if not self._has_experts(session, self._where(request)):
                return self._no_experts()
        fields = (FormField("question", "Your question", "Can I bill 99214-25 with 11102 when the biopsy was "
                            "planned?", multiline=True, value=question[:store.MAX_QUESTION]),
                  FormField("codes", "Codes (optional)", "99214, 11102, L82.1", required=False))
        form = Form(form_id=ASK_FORM, title="Ask a coding expert", fields=fields, submit_label="Ask",
                    intro=NO_IDENTIFIERS)
        return Reply(title="Ask a coding expert", subtitle=NO_IDENTIFIERS, form=form)

    @staticmethod
    def _has_experts(session: Session, where: Where) -> bool:
        return bool(store.experts_channel(session, where) or store.experts(session, where))

    @staticmethod
    def _no_experts() -> Reply:
        return error_reply(ErrorKind.BAD_INPUT, "This workspace has no experts to ask yet.",
                           "An admin sets them up with `/codedesk consult channel #coding-experts` and "
                           "`/codedesk consult add-expert EMAIL`.")

    def _ask_action(self, request: Request) -> Reply:
        if request.kind is not RequestKind.FORM:
            return self._ask_form(request, "")
        question = request.answers.get("question", "").strip()
        codes = " ".join(request.answers.get("codes", "").replace(",", " ").split())
        if not question:
            return error_reply(ErrorKind.BAD_INPUT, "The question is empty.", "Type `/consult your question`.",
                               Action("Ask again", ASK_FORM, ""))
        if len(question) > store.MAX_QUESTION or len(codes) > store.MAX_CODES:
            return error_reply(ErrorKind.BAD_INPUT, f"Please keep the question under {store.MAX_QUESTION} "
                               f"characters and the codes under {store.MAX_CODES}.", "Shorten it and ask again.")
        refused = self._phi_refusal(question, codes)
        if refused is not None:
            return refused
        where, actor, now = self._where(request), request.actor, self.now()
        refusal: Reply | None = None
        try:
            with transaction(self.sessions) as session:
                if not self._has_experts(session, where):
                    return self._no_experts()
                standing = standing_of(session, actor.identity)
                limit = self.policy.limit(standing.tier)
                if not store.take_consult(session, standing.subject, self._month(now), limit):
                    refusal = self._refusal(standing.tier, limit or 0)
                    raise _Refused
                ticket = store.create(session, where, asker_id=actor.user_id,
                                      asker_name=self._name(session, request),
                                      channel_id=request.channel_id, question=question, codes=codes, now=now)
                channel = store.experts_channel(session, where)
                if channel:
                    outbox.enqueue(session, ticket, Medium.CHANNEL, Template.NEW, channel, now)
                consultants = store.experts(session, where)
                for email in consultants:
                    outbox.enqueue(session, ticket, Medium.EMAIL, Template.NEW, email, now)
                by_email = bool(email_of(session, actor.identity))
        except _Refused:
            assert refusal is not None
            return refusal
        self.kick()
        sent_to = ["the experts channel"] if channel else []
        if consultants:
            sent_to.append(f"{len(consultants)} consultant{'s' if len(consultants) != 1 else ''} by email")
        return Reply(title=f"Consult #{ticket.number} is with the experts",
                     subtitle=f"Sent to {' and '.join(sent_to)}. You will get the answer here in a direct "
                              f"message{', and by email' if by_email else ''}.",
                     fields=(Field("Status", "open"),) + ((Field("Codes", codes),) if codes else ()),
                     sections=(Section("Your question", question),),
                     footer=f"`/consult {ticket.number}` to check · `/consult close {ticket.number}` if you no "
                            "longer need it")

    # --- experts -----------------------------------------------------------------------------------
    def _claim_action(self, request: Request) -> Reply:
        value = request.text.strip().lstrip("#")
        if not value.isdigit():
            return error_reply(ErrorKind.BAD_INPUT, "That button does not name a consult.",
                               "Type `/consult list`.")
        return self._claim(request, int(value))

    def _claim(self, request: Request, number: int) -> Reply:
        actor, now = request.actor, self.now()
        with transaction(self.sessions) as session:
            row = self._open_ticket(session, request, number, "claim consults")
            if isinstance(row, Reply):
                return row
            if row.status == Status.CLAIMED and row.claimed_by != actor.user_id:
                return error_reply(ErrorKind.BAD_INPUT, f"Consult #{number} is already claimed by "
                                   f"{row.claimed_by_name or row.claimed_by}.",
                                   "Pick another from `/consult list`.")
            row.status, row.claimed_by = Status.CLAIMED.value, actor.user_id
            row.claimed_by_name, row.claimed_at, row.updated_at = self._name(session, request), now, now
            ticket = Ticket.of(row)
        return Reply(title=f"Consult #{number} claimed by {ticket.claimed_by_name}",
                     subtitle="Answer with the Answer button, by replying in the ticket's thread, or with "
                              f"`/consult answer {number} your answer`.",
                     actions=cards.expert_actions(ticket)).shared()

    def _answer_button(self, request: Request) -> Reply:
        value = request.text.strip().lstrip("#")
        form = Form(form_id=ANSWER_FORM, title="Answer a consult", submit_label="Send answer",
                    intro="The asker gets your answer by direct message (and email if registered), with your "
                          "name.",
                    fields=(FormField("ticket", "Consult number", "3", value=value if value.isdigit() else ""),
                            FormField("answer", "Your answer", "Yes, with modifier 25 when…", multiline=True)))
        return Reply(title="Answer a consult", form=form)

    def _answer_form(self, request: Request) -> Reply:
        number = request.answers.get("ticket", "").strip().lstrip("#")
        if not number.isdigit():
            return error_reply(ErrorKind.BAD_INPUT, "Which consult is this answer for?",
                               "Give its number, e.g. 3 (shown as #3).")
        return self._answer(request, int(number), request.answers.get("answer", ""))

    def _open_ticket(self, session: Session, request: Request, number: int,
                     doing: str) -> ConsultTicket | Reply:
        """A ticket an expert may still claim or answer (locked for this transaction), or why not."""
        if not self._who(session, request).staff:
            return self._experts_only(doing)
        row = store.row_of(session, self._where(request), number, lock=True)
        if row is None:
            return self._not_found(number)
        if row.status in (Status.ANSWERED, Status.CLOSED):
            return error_reply(ErrorKind.BAD_INPUT, f"Consult #{number} is already {row.status}.",
                               f"See it with `/consult {number}`.")
        return row

    def _answer(self, request: Request, number: int, text: str) -> Reply:
        answer = text.strip()
        if not answer:
            return error_reply(ErrorKind.BAD_INPUT, "The answer is empty.",
                               f"Type `/consult answer {number} your answer`.")
        if len(answer) > store.MAX_ANSWER:
            return error_reply(ErrorKind.BAD_INPUT, f"Please keep the answer under {store.MAX_ANSWER} characters.",
                               "Shorten it and send it again.")
        actor, now = request.actor, self.now()
        with transaction(self.sessions) as session:
            row = self._open_ticket(session, request, number, "answer consults")
            if isinstance(row, Reply):
                return row
            name = self._name(session, request)
            if row.status == Status.OPEN:  # answering claims it too
                row.claimed_by, row.claimed_by_name, row.claimed_at = actor.user_id, name, now
            row.status, row.answer, row.answered_by = Status.ANSWERED.value, answer, actor.user_id
            row.answered_by_name, row.answered_at, row.updated_at = name, now, now
            ticket = Ticket.of(row)
            outbox.enqueue(session, ticket, Medium.DM, Template.ANSWERED, ticket.asker_id, now)
            email = email_of(session, (ticket.where.platform, ticket.where.workspace_id, ticket.asker_id))
            if email:
                outbox.enqueue(session, ticket, Medium.EMAIL, Template.ANSWERED, email, now)
        self.kick()
        how = "by direct message" + (" and email" if email else "")
        return Reply(title=f"Consult #{number} answered by {name}",
                     subtitle=f"{ticket.asker_name or ticket.asker_id} gets the answer {how}.",
                     sections=(Section("Answer", answer),)).shared()

    # --- reading and closing ----------------------------------------------------------------------
    def _show(self, request: Request, number: int) -> Reply:
        with transaction(self.sessions) as session:
            row = store.row_of(session, self._where(request), number)
            if row is None:
                return self._not_found(number)
            staff = self._who(session, request).staff
            if not staff and row.asker_id != request.actor.user_id:
                return self._not_found(number)
            problems = outbox.problems(store.deliveries(session, row.id), self.now()) \
                if request.actor.is_admin else ()
            ticket = Ticket.of(row)
        return cards.ticket_card(ticket, staff=staff, problems=problems)

    def _open_action(self, request: Request) -> Reply:
        value = request.text.strip().lstrip("#")
        if not value.isdigit():
            return error_reply(ErrorKind.BAD_INPUT, "That button does not name a consult.", "Type `/consult list`.")
        return self._show(request, int(value))

    def _list(self, request: Request) -> Reply:
        where = self._where(request)
        with transaction(self.sessions) as session:
            if self._who(session, request).staff:
                return cards.list_reply("Open consults in this workspace", store.open_tickets(session, where),
                                        "No consults are waiting for an expert")
            mine = store.asked_by(session, where, request.actor.user_id)
        return cards.list_reply("Your consults", mine, "You have not asked the experts anything yet")

    def _close(self, request: Request, number: int) -> Reply:
        now = self.now()
        with transaction(self.sessions) as session:
            row = store.row_of(session, self._where(request), number, lock=True)
            if row is None:
                return self._not_found(number)
            if row.asker_id != request.actor.user_id and not request.actor.is_admin:
                if self._who(session, request).staff:
                    return error_reply(ErrorKind.FORBIDDEN, f"Only the asker or an admin can close consult "
                                       f"#{number}.", f"Answer it instead: `/consult answer {number} …`.")
                return self._not_found(number)
            if row.status == Status.CLOSED:
                return Reply(title=f"Consult #{number} was already closed")
            row.status, row.closed_at, row.updated_at = Status.CLOSED.value, now, now
        return Reply(title=f"Consult #{number} closed", subtitle="It no longer appears among open consults.")

    # --- admin -------------------------------------------------------------------------------------
    def _channel(self, request: Request, args: list[str]) -> Reply:
        if not request.actor.is_admin:
            return self._forbidden("choose the experts channel")
        word = args[0] if args else "here"
        escaped, plain = _CHANNEL.match(word), _PLAIN_CHANNEL.match(word)
        if word.lower() == "here":
            channel = request.channel_id
        elif escaped:
            channel = escaped.group(1)
        elif plain:
            channel = plain.group(0)  # a name Slack accepts in chat.postMessage; an id is better
        else:
            channel = ""
        if not channel:
            return error_reply(ErrorKind.BAD_INPUT, "Which channel should consults go to?",
                               "Type `/codedesk consult channel #coding-experts`, or `… channel here` in it.")
        with transaction(self.sessions) as session:
            store.set_channel(session, self._where(request), channel, request.actor.user_id, self.now())
        shown = f"<#{channel}>" if not channel.startswith("#") else channel
        return Reply(title=f"New consults now go to {shown}",
                     subtitle="Invite CodeDesk to that channel so it can post there. Experts claim and answer "
                              "from the posts, or reply in a ticket's thread.")

    def _email_arg(self, request: Request, args: list[str], verb: str) -> str | Reply:
        if not request.actor.is_admin:
            return self._forbidden("change the consultants")
        email = args[0].strip("<>").removeprefix("mailto:").split("|")[0] if args else ""
        if not email or not _EMAIL.match(email) or len(email) > 254:
            return error_reply(ErrorKind.BAD_INPUT, "That does not look like an email address.",
                               f"Type `/codedesk consult {verb} name@example.org`.")
        return email.lower()

    def _add_expert(self, request: Request, args: list[str]) -> Reply:
        email = self._email_arg(request, args, "add-expert")
        if isinstance(email, Reply):
            return email
        with transaction(self.sessions) as session:
            added = store.add_expert(session, self._where(request), email, request.actor.user_id, self.now())
        if not added:
            return Reply(title=f"{email} is already a consultant here")
        note = "" if self.deliverer.mailer is not None else \
            " Email is not configured yet (CODEDESK_SMTP_URL): messages wait until it is."
        return Reply(title=f"{email} is now a consultant", subtitle="New consults are emailed to them, with the "
                     "question and its number." + note)

    def _remove_expert(self, request: Request, args: list[str]) -> Reply:
        email = self._email_arg(request, args, "remove-expert")
        if isinstance(email, Reply):
            return email
        with transaction(self.sessions) as session:
            removed = store.remove_expert(session, self._where(request), email)
        if not removed:
            return error_reply(ErrorKind.NOT_FOUND, f"{email} is not a consultant here.",
                               "See them with `/codedesk consult experts`.")
        return Reply(title=f"{email} is no longer a consultant")

    def _experts(self, request: Request, args: list[str]) -> Reply:
        if not request.actor.is_admin:
            return self._forbidden("see the consultants")
        with transaction(self.sessions) as session:
            emails = store.experts(session, self._where(request))
        if not emails:
            return Reply(title="No consultants yet", subtitle="Add one with `/codedesk consult add-expert EMAIL`.")
        return Reply(title=f"{len(emails)} consultant{'s' if len(emails) != 1 else ''}",
                     sections=(Section("", "\n".join(f"- {e}" for e in emails)),))

    def _settings(self, request: Request, args: list[str]) -> Reply:
        if not request.actor.is_admin:
            return self._forbidden("see the consult settings")
        where = self._where(request)
        with transaction(self.sessions) as session:
            channel = store.experts_channel(session, where)
            emails = store.experts(session, where)
            waiting = store.count_open(session, where)
            troubled = [(t.number, outbox.problems(store.deliveries(session, t.id), self.now()))
                        for t in store.open_tickets(session, where, limit=100)]
        p = self.policy

        def shown(limit: int | None) -> str:
            return "unlimited" if limit is None else str(limit)
        fields = (Field("Experts channel", (f"<#{channel}>" if not channel.startswith("#") else channel)
                        if channel else "not set"),
                  Field("Consultants", str(len(emails))), Field("Open consults", str(waiting)),
                  Field("Consults a month", f"guests {shown(p.guest)}, registered {shown(p.registered)}, "
                                            f"unlimited tier {shown(p.unlimited)}", inline=False),
                  Field("Reminder after", f"{int(p.remind_after.total_seconds() // 60)} minutes unclaimed"),
                  Field("Email", "configured" if self.deliverer.mailer is not None else "not configured"))
        lines = [f"- #{n}: {line}" for n, found in troubled for line in found]
        sections = (Section("Delivery problems", "\n".join(lines)),) if lines else ()
        return Reply(title="Consult settings", fields=fields, sections=sections)

    def _retry(self, request: Request, args: list[str]) -> Reply:
        if not request.actor.is_admin:
            return self._forbidden("retry deliveries")
        count = self.deliverer.retry_failed(request.actor.platform.value, request.actor.workspace_id)
        self.kick()
        return Reply(title=f"{count} failed deliver{'ies' if count != 1 else 'y'} queued again")

