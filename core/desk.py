"""The Desk: the one facade every adapter calls. It only routes: a command to the feature that
declared it, free text to the free-text answerer, a click or form to the action's owner. Features
do the work (and count code views in their own transactions)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from sqlalchemy import exc as sa

from core import logsafe
from core.commands import Command, CommandRegistry, Feature, Handler, Option, OptionKind, Suggester, Suggestion
from core.replies import ErrorKind, Reply, error_reply, reference_id, unavailable_reply
from core.requests import Actor, Request, RequestKind

log = logging.getLogger(__name__)

# Errors that mean "the database cannot be reached or used right now", not "a bug".
OUTAGE = (sa.OperationalError, sa.InterfaceError, sa.DisconnectionError, sa.TimeoutError)

FreeText = Callable[[Request], Reply | None]
MAX_SUGGESTIONS = 25  # Discord shows at most 25 choices


class Desk:
    def __init__(self, features: Sequence[Feature] = (), *, free_text: FreeText | None = None,
                 suggester: Suggester | None = None) -> None:
        self.features = tuple(features)
        self.free_text = free_text
        self.suggester = suggester
        self.registry = CommandRegistry((_DeskCommands(self), *self.features))

    @property
    def command_names(self) -> list[str]:
        return self.registry.names

    def handle(self, request: Request) -> Reply:
        with logsafe.request_scope():
            return self._handle(request)

    def _handle(self, request: Request) -> Reply:
        try:
            return self._route(request)
        except OUTAGE as exc:
            # The database is down or unreachable: a transaction that failed counted nothing.
            log.warning("request refused: database unavailable command=%s platform=%s error=%s",
                        request.command[:30], request.actor.platform, type(exc).__name__)
            return unavailable_reply()
        except Exception as exc:
            ref = reference_id()
            # Never the text, nor the exception's message: coders paste patient details into chat.
            log.error("request failed ref=%s kind=%s command=%s action=%s platform=%s error=%s",
                      ref, request.kind, request.command[:30], request.action_id[:40], request.actor.platform,
                      logsafe.describe(exc))
            return error_reply(ErrorKind.INTERNAL, f"Sorry, something went wrong on our side (ref {ref}).",
                               "Please try again; if it keeps happening, tell your administrator the reference.")

    def follow_thread(self, request: Request) -> Reply | None:
        """A reply in a thread some feature owns (say, a consult's post), or None when no feature owns
        that thread: adapters call this for thread replies that do not mention the bot, and stay
        silent on None."""
        try:
            return self._thread_reply(request)
        except Exception as exc:
            ref = reference_id()
            log.error("thread reply failed ref=%s platform=%s error=%s", ref, request.actor.platform,
                      logsafe.describe(exc))
            return error_reply(ErrorKind.INTERNAL, f"Sorry, something went wrong on our side (ref {ref}).",
                               "Please try again; if it keeps happening, tell your administrator the reference.")

    def _thread_reply(self, request: Request) -> Reply | None:
        if request.kind is not RequestKind.MESSAGE or not request.thread_id:
            return None
        for feature in self.features:
            follow = getattr(feature, "thread_reply", None)  # optional: see core.commands.ThreadFollower
            if follow is not None:
                reply: Reply | None = follow(request)
                if reply is not None:
                    return reply
        return None

    def suggest(self, actor: Actor, command: str, typed: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """Autocomplete for a command's code option; empty when nothing fits or no suggester is wired."""
        found = self.registry.get(command)
        if found is None or found.option.kind is not OptionKind.CODE or self.suggester is None \
                or not typed.strip():
            return []
        return self.suggester.suggest(found.option.system, typed, limit)[:limit]

    def _route(self, request: Request) -> Reply:
        if request.kind is RequestKind.COMMAND:
            command = self.registry.get(request.command)
            if command is None:
                return error_reply(ErrorKind.BAD_INPUT, f"/{request.command[:30]} is not a CodeDesk command.",
                                   "Type `/help` to see what CodeDesk can do.")
            if command.shareable and request.asks_to_share:
                # `/cpt 99213 share`: the handler sees the words without `share`; an error stays private.
                answer = command.handler(replace(request, text=request.without_share()))
                return answer if answer.is_error else answer.shared()
            return command.handler(request)
        if request.kind is RequestKind.MESSAGE:
            followed = self._thread_reply(request)
            if followed is not None:  # a mention in a thread a feature owns goes to that feature
                return followed
            reply = self.free_text(request) if self.free_text is not None else None
            return reply or self.registry.help_reply("I did not find a code in that message.")
        handler = self.registry.action(request.action_id)
        if handler is None:
            return error_reply(ErrorKind.BAD_INPUT, "That button or form is no longer supported.",
                               "Run the command again to get a fresh one.")
        return handler(request)


class _DeskCommands:
    """The Desk's own commands: `/help` and `/codedesk`, which reaches every other command."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def commands(self) -> Sequence[Command]:
        return (
            Command("help", "What CodeDesk can do; `/help jobs` for one command", self._help,
                    Option.text("command", "Optional: a command to explain, e.g. jobs"), usage="/help"),
            Command("codedesk", "Every CodeDesk command in one: /codedesk cpt 99213", self._codedesk,
                    Option.text("args", "A command and its arguments, e.g. cpt 99213"),
                    usage="/codedesk help", fast=False),
        )

    def actions(self) -> Mapping[str, Handler]:
        return {}

    def _help(self, request: Request) -> Reply:
        return self.desk.registry.help_reply(topic=request.text.strip().lstrip("/").lower())

    def _codedesk(self, request: Request) -> Reply:
        """`/codedesk <command> <args>`, for workspaces where a command's own name is taken."""
        name, _, rest = request.text.strip().partition(" ")
        name = name.lstrip("/").lower()
        if not name or name == "codedesk":
            return self.desk.registry.help_reply()
        if self.desk.registry.get(name) is None:
            return error_reply(ErrorKind.BAD_INPUT, f"“{name[:30]}” is not a CodeDesk command.",
                               "Type `/codedesk help` to see the commands.")
        return self.desk.handle(replace(request, command=name, text=rest))
