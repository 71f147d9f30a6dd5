"""`/jobs …`: the job board's commands, buttons and the posting form, as a core.desk.Feature."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from core.commands import Command, Handler, Option
from core.db import transaction, utcnow
from core.jobs import feeds as feed_store
from core.jobs import postings as store
from core.jobs import subscriptions as subs
from core.jobs.addresses import AddressPolicy, AddressRefused
from core.jobs.cards import (
    APPROVE_JOB,
    FOOTER,
    OPEN_JOB,
    POST_FORM,
    REJECT_JOB,
    REMOVE_JOB,
    list_reply,
    posting_card,
)
from core.jobs.postings import Board, DraftError, Posting, Status
from core.jobs.search import QueryError, parse_query, search
from core.replies import ErrorKind, Field, Form, FormField, Reply, ResultItem, Section, error_reply
from core.requests import Request, RequestKind

LIST_LIMIT = 10

POST_FORM_FIELDS = (  # five inputs: the most a Discord modal holds
    FormField("title", "Job title", "Remote CPC coder — denials"),
    FormField("employer", "Employer", "Acme Health"),
    FormField("where", "Location and type", "Remote, full-time · or Austin, TX, hybrid, contract"),
    FormField("details", "Credentials, specialty, experience, salary, description",
              "CPC or CCS · cardiology · 2+ years · $55k–$65k. What the job involves…", multiline=True),
    FormField("apply_url", "Apply link (http/https)", "https://careers.example.org/jobs/123", kind="url"),
)

HELP = [
    "`/jobs` — the newest coding jobs; `/jobs 12` — one posting",
    "`/jobs search remote cpc denials $60k+` — by words, credentials, remote/hybrid, state, salary floor",
    "`/jobs post` — post a job (a form)",
    "`/jobs remove 12` — take down your posting (admins: any posting)",
    "`/jobs subscribe 09:00 America/Chicago remote cpc` — a daily digest in this channel; "
    "`/jobs unsubscribe`, `/jobs subscriptions`",
    "Admins: `/jobs approve|reject 12`, `/jobs pending`, `/jobs settings approval on|off`, "
    "`/jobs settings timezone Europe/London`, `/jobs feed add|remove|list URL`",
]


_JOB_NUMBER = re.compile(r"[0-9]{1,40}")  # ASCII digits only: "²".isdigit() is True, int("²") fails


class JobsFeature:
    def __init__(self, sessions: sessionmaker[Session], *, now: Callable[[], datetime] = utcnow,
                 feed_policy: AddressPolicy | None = None) -> None:
        self.sessions = sessions
        self.now = now
        self.feed_policy = feed_policy or AddressPolicy()  # where a feed may point (public addresses)

    def commands(self) -> Sequence[Command]:
        return (Command("jobs", "The medical-coding job board: newest jobs, search, post, daily digests",
                        self.jobs, Option.text("args", "e.g. search remote coder, or post"), aliases=("job",),
                        usage="/jobs", details=tuple(HELP), fast=False),)

    def actions(self) -> Mapping[str, Handler]:
        return {POST_FORM: self._post_action, OPEN_JOB: self._open_action, APPROVE_JOB: self._approve_action,
                REJECT_JOB: self._reject_action, REMOVE_JOB: self._remove_action}

    # --- routing -----------------------------------------------------------------------------------
    def jobs(self, request: Request) -> Reply:
        verb, _, rest = request.text.strip().partition(" ")
        verb, rest = verb.lower(), rest.strip()
        if not verb:
            return self._latest(request)
        if _JOB_NUMBER.fullmatch(verb.lstrip("#")):
            return self._show(request, int(verb.lstrip("#")))
        handler = {
            "search": self._search, "find": self._search, "post": self._post_form, "help": self._help,
            "approve": self._approve, "reject": self._reject, "remove": self._remove, "delete": self._remove,
            "pending": self._pending, "settings": self._settings, "feed": self._feed, "feeds": self._feed,
            "subscribe": self._subscribe, "unsubscribe": self._unsubscribe,
            "subscriptions": self._subscriptions,
        }.get(verb)
        if handler is None:  # "/jobs remote cpc" is a search too
            return self._search(request, request.text.strip())
        return handler(request, rest)

    def _help(self, request: Request, rest: str = "") -> Reply:
        commands = "\n".join(f"- {line}" for line in HELP)
        return Reply(title="The coding job board", sections=(Section("Commands", commands),),
                     footer=FOOTER)

    # --- reading -----------------------------------------------------------------------------------
    def _latest(self, request: Request) -> Reply:
        now = self.now()
        with transaction(self.sessions) as session:
            postings = store.live_postings(session, Board.of(request.actor), now)
        if not postings:
            return Reply(title="No coding jobs are posted yet",
                         sections=(Section("", "Be the first: `/jobs post`."),),
                         actions=list_reply("", []).actions, footer=FOOTER)
        return list_reply("Newest coding jobs", postings, limit=LIST_LIMIT,
                          more_hint="narrow it with `/jobs search …`")

    def _search(self, request: Request, rest: str) -> Reply:
        if not rest:
            return error_reply(ErrorKind.BAD_INPUT, "What kind of job are you looking for?",
                               "For example `/jobs search remote cpc denials` or "
                               "`/jobs search CCS $60k+ TX`.")
        try:
            query = parse_query(rest)
        except QueryError as exc:
            return error_reply(ErrorKind.BAD_INPUT, str(exc), exc.hint)
        now = self.now()
        with transaction(self.sessions) as session:
            postings = store.live_postings(session, Board.of(request.actor), now)
        found, query, corrections = search(postings, query)
        note = "; ".join(f"“{c.typed}” → “{c.used}”" for c in corrections)
        subtitle = f"Showing results for {note}" if note else ""
        if not found:
            return replace(error_reply(ErrorKind.NOT_FOUND, f"No live jobs match “{rest[:80]}”.",
                                       "Try fewer words, or see everything with `/jobs`."), subtitle=subtitle)
        title = f"{len(found)} coding job{'s' if len(found) != 1 else ''} for “{query.describe()}”"
        return list_reply(title, found, subtitle=subtitle, limit=LIST_LIMIT,
                          more_hint="add words to narrow the search")

    def _show(self, request: Request, posting_id: int) -> Reply:
        now = self.now()
        with transaction(self.sessions) as session:
            posting = store.get_posting(session, Board.of(request.actor), posting_id)
        if posting is None or not self._visible(posting, request, now):
            return error_reply(ErrorKind.NOT_FOUND,
                               f"There is no job #{posting_id} on this workspace's board.",
                               "See the current jobs with `/jobs`.")
        return posting_card(posting, now, can_moderate=request.actor.is_admin,
                            can_remove=request.actor.is_admin or posting.posted_by == request.actor.user_id)

    @staticmethod
    def _visible(posting: Posting, request: Request, now: datetime) -> bool:
        """Live ones for everyone; pending, expired or removed ones for their poster and admins."""
        return posting.status_at(now) == Status.LIVE or request.actor.is_admin \
            or posting.posted_by == request.actor.user_id

    def _open_action(self, request: Request) -> Reply:
        if not _JOB_NUMBER.fullmatch(request.text.strip()):
            return error_reply(ErrorKind.BAD_INPUT, "That button does not name a job.",
                               "Type `/jobs` to see them.")
        return self._show(request, int(request.text.strip()))

    # --- posting -----------------------------------------------------------------------------------
    def _post_form(self, request: Request, rest: str = "") -> Reply:
        form = Form(form_id=POST_FORM, title="Post a coding job", fields=POST_FORM_FIELDS,
                    submit_label="Post",
                    intro="Credentials (CPC, CCS, RHIT…), remote/hybrid, salary and experience are "
                          "picked out of what you write. Postings stay up for 30 days.")
        return Reply(title="Post a coding job", subtitle="Fill in the form.", form=form)

    def _post_action(self, request: Request) -> Reply:
        if request.kind is not RequestKind.FORM:
            return self._post_form(request)
        try:
            draft = store.draft_from_answers(request.answers)
        except DraftError as exc:
            return error_reply(ErrorKind.BAD_INPUT, f"The job was not posted: {exc}",
                               f"{exc.hint} Then `/jobs post` again.")
        board = Board.of(request.actor)
        now = self.now()
        with transaction(self.sessions) as session:
            if store.url_taken(session, board, draft.apply_url):
                return error_reply(ErrorKind.BAD_INPUT, "That apply link is already on the board.",
                                   "Search for it with `/jobs search`, or use the job's own link.")
            approval = store.requires_approval(session, board) and not request.actor.is_admin
            posting = store.add_posting(session, board, draft, posted_by=request.actor.user_id, now=now,
                                        status=Status.PENDING if approval else Status.LIVE)
        card = posting_card(posting, now, can_remove=True)
        if approval:
            return replace(card, subtitle=f"{posting.employer} · waiting for an admin's approval "
                                          f"(`/jobs approve {posting.id}`)")
        return replace(card, subtitle=f"{posting.employer} · posted: it is live on the board")

    # --- moderation --------------------------------------------------------------------------------
    def _need_admin(self, request: Request, what: str) -> Reply | None:
        if request.actor.is_admin:
            return None
        return error_reply(ErrorKind.FORBIDDEN, f"Only a workspace admin can {what}.",
                           "Ask one of your admins.")

    @staticmethod
    def _id_of(rest: str, verb: str) -> int | Reply:
        token = rest.split()[0].lstrip("#") if rest.split() else ""
        if not _JOB_NUMBER.fullmatch(token):
            return error_reply(ErrorKind.BAD_INPUT, f"Which job should I {verb}?", f"Type `/jobs {verb} 12` "
                               "with the job's number (shown as #12).")
        return int(token)

    def _moderate(self, request: Request, rest: str, verb: str, status: str) -> Reply:
        refused = self._need_admin(request, f"{verb} job postings")
        if refused:
            return refused
        posting_id = self._id_of(rest, verb)
        if isinstance(posting_id, Reply):
            return posting_id
        now = self.now()
        board = Board.of(request.actor)
        with transaction(self.sessions) as session:
            posting = store.get_posting(session, board, posting_id)
            if posting is None:
                return error_reply(ErrorKind.NOT_FOUND, f"There is no job #{posting_id} on this board.",
                                   "See what waits for approval with `/jobs pending`.")
            if posting.status_at(now) != Status.PENDING:
                return error_reply(ErrorKind.BAD_INPUT, f"Job #{posting_id} is not waiting for approval "
                                   f"(it is {posting.status_at(now)}).", "See `/jobs pending`.")
            changed = store.set_status(session, board, posting_id, status, by=request.actor.user_id, now=now)
        assert changed is not None
        done = "approved: it is live" if status == Status.LIVE else "rejected: it will not be shown"
        return Reply(title=f"Job #{posting_id} {done}", subtitle=f"{changed.title} — {changed.employer}",
                     footer=FOOTER)

    def _approve(self, request: Request, rest: str) -> Reply:
        return self._moderate(request, rest, "approve", Status.LIVE)

    def _reject(self, request: Request, rest: str) -> Reply:
        return self._moderate(request, rest, "reject", Status.REMOVED)

    def _approve_action(self, request: Request) -> Reply:
        return self._approve(request, request.text)

    def _reject_action(self, request: Request) -> Reply:
        return self._reject(request, request.text)

    def _pending(self, request: Request, rest: str = "") -> Reply:
        refused = self._need_admin(request, "review pending postings")
        if refused:
            return refused
        with transaction(self.sessions) as session:
            waiting = store.pending_postings(session, Board.of(request.actor), self.now())
        if not waiting:
            return Reply(title="No postings are waiting for approval", footer=FOOTER)
        return list_reply(f"{len(waiting)} posting{'s' if len(waiting) != 1 else ''} waiting for approval",
                          waiting,
                          subtitle=f"Open one to approve or reject it, or `/jobs approve {waiting[0].id}`.",
                          limit=25)

    def _remove(self, request: Request, rest: str) -> Reply:
        posting_id = self._id_of(rest, "remove")
        if isinstance(posting_id, Reply):
            return posting_id
        now = self.now()
        board = Board.of(request.actor)
        with transaction(self.sessions) as session:
            posting = store.get_posting(session, board, posting_id)
            if posting is None or not self._visible(posting, request, now):
                return error_reply(ErrorKind.NOT_FOUND, f"There is no job #{posting_id} on this board.",
                                   "See the current jobs with `/jobs`.")
            if posting.posted_by != request.actor.user_id and not request.actor.is_admin:
                return error_reply(ErrorKind.FORBIDDEN, f"Only the person who posted job #{posting_id} or an "
                                   "admin can remove it.", "Ask an admin if the posting is wrong.")
            if posting.status == Status.REMOVED:
                return Reply(title=f"Job #{posting_id} was already removed", footer=FOOTER)
            store.set_status(session, board, posting_id, Status.REMOVED, by=request.actor.user_id, now=now)
        return Reply(title=f"Job #{posting_id} removed", subtitle=f"{posting.title} — {posting.employer}",
                     footer=FOOTER)

    def _remove_action(self, request: Request) -> Reply:
        return self._remove(request, request.text)

    def _settings(self, request: Request, rest: str) -> Reply:
        words = rest.lower().split()
        board = Board.of(request.actor)
        if not words:
            with transaction(self.sessions) as session:
                on = store.requires_approval(session, board)
                zone = store.board_timezone(session, board)
            shown = zone or (f"{request.channel_timezone} (from the workspace)" if request.channel_timezone
                             else "UTC (none given yet)")
            return Reply(title="Job board settings",
                         fields=(Field("Admin approval of posts", "on" if on else "off"),
                                 Field("Digest time zone", shown)),
                         sections=(Section("", "Change them with `/jobs settings approval on|off` and "
                                               "`/jobs settings timezone America/Chicago` (admins)."),))
        if words[0] == "timezone" and len(words) == 2:
            return self._set_timezone(request, board, rest.split()[1])
        if words[0] != "approval" or len(words) != 2 or words[1] not in ("on", "off"):
            return error_reply(ErrorKind.BAD_INPUT, "I know two settings: approval and timezone.",
                               "Type `/jobs settings approval on|off` or `/jobs settings timezone Europe/London`.")
        refused = self._need_admin(request, "change the job board's settings")
        if refused:
            return refused
        with transaction(self.sessions) as session:
            store.set_requires_approval(session, board, words[1] == "on")
        if words[1] == "on":
            return Reply(title="New job posts now need an admin's approval",
                         subtitle="Admins see them with `/jobs pending`; admins' own posts go live at once.")
        return Reply(title="New job posts now go live at once", subtitle="Postings already waiting stay in "
                                                                         "`/jobs pending`.")

    def _set_timezone(self, request: Request, board: Board, typed: str) -> Reply:
        try:
            zone = subs.check_zone(typed)
        except QueryError as exc:
            return error_reply(ErrorKind.BAD_INPUT, str(exc), exc.hint)
        refused = self._need_admin(request, "change the job board's settings")
        if refused:
            return refused
        with transaction(self.sessions) as session:
            store.set_board_timezone(session, board, zone)
        return Reply(title=f"Digests here now default to {zone}",
                     subtitle="Subscriptions made without a time zone use it; existing ones keep theirs.")

    # --- feeds -------------------------------------------------------------------------------------
    def _feed(self, request: Request, rest: str) -> Reply:
        verb, _, url = rest.partition(" ")
        verb, url = verb.lower(), url.strip()
        refused = self._need_admin(request, "manage job feeds")
        if refused:
            return refused
        board = Board.of(request.actor)
        if verb == "list" or not verb:
            with transaction(self.sessions) as session:
                feeds = feed_store.board_feeds(session, board)
            if not feeds:
                return Reply(title="No job feeds yet", subtitle="Add an RSS, Atom or JSON Feed with "
                                                                "`/jobs feed add https://…`.")
            items = tuple(ResultItem(title=f.url, subtitle=f.status_line()) for f in feeds)
            return Reply(title=f"{len(feeds)} job feed{'s' if len(feeds) != 1 else ''}", results=items,
                         footer="Feeds are read every hour.")
        if verb not in ("add", "remove"):
            return error_reply(ErrorKind.BAD_INPUT, f"“{verb[:20]}” is not a feed command.",
                               "Type `/jobs feed add URL`, `/jobs feed remove URL` or `/jobs feed list`.")
        try:
            url = store.check_apply_url(url)
        except DraftError:
            return error_reply(ErrorKind.BAD_INPUT, "A feed is a web address starting with http:// or https://.",
                               f"For example `/jobs feed {verb} https://example.org/coding-jobs.rss`.")
        if verb == "add":
            parts = urlsplit(url)
            try:
                self.feed_policy.addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https"
                                                                                else 80))
            except (AddressRefused, ValueError) as exc:
                reason = str(exc) if isinstance(exc, AddressRefused) else "the feed address is not valid"
                return error_reply(ErrorKind.BAD_INPUT, f"That feed cannot be added: {reason}.",
                                   "Use the feed's public web address, e.g. https://example.org/jobs.rss.")
        with transaction(self.sessions) as session:
            if verb == "add":
                added = feed_store.add_feed(session, board, url, request.actor.user_id, self.now())
                if not added:
                    return error_reply(ErrorKind.BAD_INPUT, "That feed is already on the list.",
                                       "See the list with `/jobs feed list`.")
                return Reply(title="Job feed added", subtitle=url,
                             sections=(Section("", "It is read within the hour, then every hour; new entries "
                                                   "become postings. If it breaks, I will tell you once."),))
            if not feed_store.remove_feed(session, board, url):
                return error_reply(ErrorKind.NOT_FOUND, "That feed is not on the list.",
                                   "See the list with `/jobs feed list`.")
        return Reply(title="Job feed removed", subtitle=f"{url} · postings it brought stay until they expire")

    # --- digests -----------------------------------------------------------------------------------
    def _subscribe(self, request: Request, rest: str) -> Reply:
        if not request.channel_id:
            return error_reply(ErrorKind.BAD_INPUT, "A digest goes to a channel.",
                               "Type `/jobs subscribe` in the channel that should get it.")
        board = Board.of(request.actor)
        with transaction(self.sessions) as session:
            remembered = store.board_timezone(session, board)
        # A zone typed now wins; then the one this board's people gave before; then what the platform
        # knows about the workspace (Slack's profile zone, the machine's zone in the shell); then UTC.
        try:
            wish = subs.parse_subscribe(rest, remembered or request.channel_timezone or "UTC")
        except QueryError as exc:
            return error_reply(ErrorKind.BAD_INPUT, str(exc),
                               f"{exc.hint} Example: `/jobs subscribe 09:00 America/Chicago remote cpc`.")
        now = self.now()
        with transaction(self.sessions) as session:
            sub, created = subs.subscribe(session, board, request.channel_id, request.actor.user_id, wish, now)
            if wish.zone_given:
                store.set_board_timezone(session, board, wish.timezone, keep_existing=True)
        first = sub.scheduled_at(now.astimezone(sub.zone).date())
        when = "today" if first > now else "tomorrow"
        title = "This channel gets a daily job digest" if created else "This channel's job digest was updated"
        return Reply(title=title, subtitle=sub.describe(),
                     sections=(Section("", f"The first one comes {when} at {sub.local_time:%H:%M} "
                                           f"({sub.timezone}), listing jobs posted from now on. "
                                           "`/jobs unsubscribe` stops it."),))

    def _unsubscribe(self, request: Request, rest: str = "") -> Reply:
        board = Board.of(request.actor)
        with transaction(self.sessions) as session:
            current = [s for s in subs.board_subscriptions(session, board)
                       if s.channel_id == request.channel_id]
            if not current:
                return error_reply(ErrorKind.NOT_FOUND, "This channel has no job digest.",
                                   "See the workspace's digests with `/jobs subscriptions`.")
            if current[0].subscriber_id != request.actor.user_id and not request.actor.is_admin:
                return error_reply(ErrorKind.FORBIDDEN, "Only the person who subscribed this channel or an "
                                   "admin can stop its digest.", "Ask them, or an admin.")
            subs.unsubscribe(session, board, request.channel_id)
        return Reply(title="This channel's job digest is stopped",
                     subtitle="`/jobs subscribe` starts it again.")

    def _subscriptions(self, request: Request, rest: str = "") -> Reply:
        with transaction(self.sessions) as session:
            found = subs.board_subscriptions(session, Board.of(request.actor))
        if not found:
            return Reply(title="No channel gets a job digest yet",
                         subtitle="In a channel, type `/jobs subscribe 09:00 America/Chicago remote cpc`.")
        items = tuple(ResultItem(title=f"channel {s.channel_id}", subtitle=s.describe()) for s in found)
        return Reply(title=f"{len(found)} job digest{'s' if len(found) != 1 else ''}", results=items,
                     footer=FOOTER)
