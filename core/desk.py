"""The Desk: the one facade every adapter calls. It routes a Request to the intent it names and
returns a Reply; the code-view quota is applied here so every platform obeys the same limits."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from core import logsafe
from core.codes.cards import OPEN_CODE, code_card, lookup_reply
from core.codes.catalog import Catalog
from core.codes.lookup import LookupResult, Outcome, lookup
from core.codes.normalize import find_code_tokens
from core.codes.record import CodeRecord, System
from core.replies import ErrorKind, Reply, Section, error_reply
from core.requests import Actor, Request, RequestKind

log = logging.getLogger(__name__)

Handler = Callable[[Request], Reply]
MAX_CODES_PER_MESSAGE = 5


@dataclass(frozen=True)
class ViewDecision:
    """Whether a card may be shown. `remaining` is None for unlimited users; `refusal` replaces the card."""

    allowed: bool
    remaining: int | None = None
    refusal: Reply | None = None


class ViewGate(Protocol):
    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision: ...


class UnlimitedViews:
    """Every view allowed: for the CLI's own lookups and for tests of the code cards themselves."""

    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision:
        return ViewDecision(True)


class Searcher(Protocol):
    """Code search (core/search): a result list Reply for words, optionally within one system."""

    def search_reply(self, request: Request, words: str, system: System | None, page: int = 1) -> Reply: ...


class Feature(Protocol):
    """A group of commands, button actions and form handlers (accounts, jobs, edits, ...)."""

    def commands(self) -> Mapping[str, Handler]: ...
    def actions(self) -> Mapping[str, Handler]: ...
    def help_lines(self) -> list[str]: ...


_SYSTEM_COMMANDS = {"cpt": System.CPT, "icd10": System.ICD10CM, "icd": System.ICD10CM,
                    "hcpcs": System.HCPCS, "code": None}


class Desk:
    def __init__(self, catalog: Catalog, *, views: ViewGate | None = None, searcher: Searcher | None = None,
                 features: tuple[Feature, ...] = (), today: Callable[[], date] = date.today) -> None:
        self.catalog = catalog
        self.views = views or UnlimitedViews()
        self.searcher = searcher
        self.features = features
        self.today = today
        self._commands: dict[str, Handler] = {name: self._code_command for name in _SYSTEM_COMMANDS}
        self._commands.update({"help": self._help, "codedesk": self._codedesk})
        self._actions: dict[str, Handler] = {OPEN_CODE: self._open_action}
        for feature in features:
            self._commands.update(feature.commands())
            self._actions.update(feature.actions())

    @property
    def command_names(self) -> list[str]:
        return sorted(self._commands)

    def handle(self, request: Request) -> Reply:
        try:
            return self._route(request)
        except Exception as exc:
            ref = uuid.uuid4().hex[:8]
            # Never the text, nor the exception's message: coders paste patient details into chat.
            log.error("request failed ref=%s kind=%s command=%s action=%s platform=%s error=%s",
                      ref, request.kind, request.command[:30], request.action_id[:40], request.actor.platform,
                      logsafe.describe(exc))
            return error_reply(ErrorKind.INTERNAL, f"Sorry, something went wrong on our side (ref {ref}).",
                               "Please try again; if it keeps happening, tell your administrator the reference.")

    def _route(self, request: Request) -> Reply:
        if request.kind is RequestKind.COMMAND:
            handler = self._commands.get(request.command)
            if handler is None:
                return error_reply(ErrorKind.BAD_INPUT, f"/{request.command} is not a CodeDesk command.",
                                   "Type `/help` to see what CodeDesk can do.")
            return handler(request)
        if request.kind is RequestKind.MESSAGE:
            return self._free_text(request)
        handler = self._actions.get(request.action_id)
        if handler is None:
            return error_reply(ErrorKind.BAD_INPUT, "That button or form is no longer supported.",
                               "Run the command again to get a fresh one.")
        return handler(request)

    # --- codes -----------------------------------------------------------------------------------
    def _code_command(self, request: Request) -> Reply:
        system = _SYSTEM_COMMANDS.get(request.command)
        words = request.text.strip()
        share = False
        if words.lower().endswith(" share") or words.lower() == "share":
            words, share = words[: -len("share")].strip(), True
        if not words:
            label = f"/{request.command}"
            return error_reply(ErrorKind.BAD_INPUT, f"{label} needs a code or some words.",
                               f"For example `{label} {_EXAMPLES.get(request.command, 'E11.9')}`, or "
                               f"`{label} <words>` to search.")
        result = lookup(self.catalog, words, system, self.today())
        if result.outcome is Outcome.MALFORMED and self.searcher is not None and _wordy(words):
            return self.searcher.search_reply(request, words, system)
        reply = self.open_result(request.actor, result)
        return reply.shared() if share and not reply.is_error else reply

    def open_result(self, actor: Actor, result: LookupResult) -> Reply:
        if not result.outcome.shows_card or result.record is None:
            return lookup_reply(self.catalog, result)
        return self.open_card(actor, result.record, result.reason)

    def open_card(self, actor: Actor, record: CodeRecord, note: str = "") -> Reply:
        """A full code card: the one thing that uses a code view."""
        decision = self.views.admit(actor, record.system, record.code)
        if not decision.allowed:
            assert decision.refusal is not None
            return decision.refusal
        card = code_card(self.catalog, record)
        if note:
            card = replace(card, subtitle=f"⚠ {note}. " + card.subtitle)
        if decision.remaining is not None:
            card = card.with_footer(f"{decision.remaining} code view{'s' if decision.remaining != 1 else ''} "
                                    "left this month")
        return card

    def _open_action(self, request: Request) -> Reply:
        system_text, _, code = request.text.partition(":")
        system = System.parse(system_text)
        record = self.catalog.get(system, code) if system else None
        if record is None:
            return error_reply(ErrorKind.NOT_FOUND, "That code is no longer in the catalog.",
                               "Look it up again with `/code <code>`.")
        return self.open_card(request.actor, record)

    # --- free text -------------------------------------------------------------------------------
    def _free_text(self, request: Request) -> Reply:
        tokens = find_code_tokens(request.text)
        found: list[LookupResult] = []
        for token in tokens:
            result = lookup(self.catalog, token, None, self.today())
            if result.outcome is not Outcome.MALFORMED and result.outcome is not Outcome.UNKNOWN:
                found.append(result)
        if found:
            replies = [self.open_result(request.actor, r) for r in found[:MAX_CODES_PER_MESSAGE]]
            first, rest = replies[0], tuple(replies[1:])
            if len(found) > MAX_CODES_PER_MESSAGE:
                rest += (Reply(title=f"{len(found) - MAX_CODES_PER_MESSAGE} more codes were not opened",
                               subtitle="Ask about at most five codes at a time."),)
            return replace(first, parts=rest)
        if self.searcher is not None and _wordy(request.text):
            return self.searcher.search_reply(request, request.text, None)
        return self._help(request, intro="I did not find a code in that message.")

    # --- help ------------------------------------------------------------------------------------
    def _help(self, request: Request, intro: str = "") -> Reply:
        lines = [
            "`/cpt 99213` — a CPT card (CodeDesk's plain-language summary; official text if licensed)",
            "`/icd10 E11.9` — an ICD-10-CM card with notes, excludes and 7th characters",
            "`/hcpcs J1885` — a HCPCS Level II card",
            "`/code <code>` — any code system; `/code mod 25` for a modifier",
            "Add `share` to post a card to the channel: `/cpt 99213 share`",
            "Mention me with a question, e.g. “what is 99213 and E11.9?”",
        ]
        for feature in self.features:
            lines.extend(feature.help_lines())
        return Reply(title="CodeDesk — medical coding in your chat", subtitle=intro,
                     sections=(Section("Commands", "\n".join(f"- {line}" for line in lines)),))

    def _codedesk(self, request: Request) -> Reply:
        """`/codedesk <command> <args>` reaches every command, for workspaces where a name is taken."""
        name, _, rest = request.text.strip().partition(" ")
        name = name.lstrip("/").lower()
        if not name or name in ("help", "codedesk"):
            return self._help(request)
        if name not in self._commands:
            return error_reply(ErrorKind.BAD_INPUT, f"“{name[:30]}” is not a CodeDesk command.",
                               "Type `/codedesk help` to see the commands.")
        return self._commands[name](Request.command_of(request.actor, name, rest, request.channel_id))


_EXAMPLES = {"cpt": "99213", "icd10": "E11.9", "icd": "E11.9", "hcpcs": "J1885", "code": "E11.9"}


def _wordy(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= 2

