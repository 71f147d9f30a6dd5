"""`/cpt`, `/icd10`, `/hcpcs`, `/code`: code cards in chat, and the code-opening button.

A full card is the one thing that uses a code view: it asks the ViewGate first. Words instead of a
code become a search (which never uses a view). Free text that names codes opens each of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from core.codes.cards import CODE_NOTES, CPT_NOTICE, OPEN_CODE, code_card, lookup_reply, notes_reply, open_action
from core.codes.catalog import Catalog
from core.codes.lookup import LookupResult, Outcome, lookup
from core.codes.normalize import find_code_tokens, read_ask
from core.codes.record import CodeRecord, RecordKind, System
from core.codes.systems import example
from core.codes.views import Searcher, UnlimitedViews, ViewGate
from core.commands import Command, Handler, Option
from core.replies import ErrorKind, Reply, ResultItem, Section, error_reply
from core.requests import Actor, Request

MAX_CODES_PER_MESSAGE = 5
MAX_RANGE = 25  # a range lists at most this many codes (Discord shows 25 choices)
_CPT, _ICD, _HCPCS = (System.CPT.spec, System.ICD10CM.spec, System.HCPCS.spec)


class CodesFeature:
    """Code lookups as commands; `open_card` is the one place a card is shown and a view counted."""

    def __init__(self, catalog: Catalog | Callable[[], Catalog], *, views: ViewGate | None = None,
                 searcher: Searcher | None = None, today: Callable[[], date] = date.today) -> None:
        # A factory defers loading the catalog until a code is asked for: `/help` and the manifest don't.
        self._catalog = catalog if isinstance(catalog, Catalog) else None
        self._load = None if isinstance(catalog, Catalog) else catalog
        self.views = views or UnlimitedViews()
        self.searcher = searcher
        self.today = today

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            assert self._load is not None
            self._catalog = self._load()
        return self._catalog

    def commands(self) -> Sequence[Command]:
        return (
            Command("cpt", "A CPT card: CodeDesk's plain-language summary (official text if licensed)",
                    self._by_system(System.CPT), Option.code(f"A CPT code such as {_CPT.example}, or words to search",
                                                             System.CPT.value),
                    usage=f"/cpt {_CPT.example}", details=(f"`/cpt {_CPT.example} share` posts the card to the channel",
                                                 "`/cpt office visit` searches CPT"), shareable=True),
            Command("icd10", "An ICD-10-CM card with notes, excludes and 7th characters",
                    self._by_system(System.ICD10CM),
                    Option.code(f"An ICD-10-CM code such as {_ICD.example}, or words", System.ICD10CM.value),
                    aliases=("icd",), usage=f"/icd10 {_ICD.example}",
                    details=(f"`/icd10 {_ICD.example} share` posts the card to the channel",
                             "`/icd10 type 2 diabetes` searches ICD-10-CM"), shareable=True),
            Command("hcpcs", "A HCPCS Level II card", self._by_system(System.HCPCS),
                    Option.code(f"A HCPCS code such as {_HCPCS.example}, or words", System.HCPCS.value),
                    usage=f"/hcpcs {_HCPCS.example}", shareable=True),
            Command("code", "A card for any code: CPT, ICD-10-CM, HCPCS or a modifier", self._by_system(None),
                    Option.code("Any code, e.g. E11.9, 99213, J1885 or mod 25"), usage="/code mod 25",
                    details=("Add `share` to post a card to the channel: `/code E11.9 share`",), shareable=True),
        )

    def actions(self) -> Mapping[str, Handler]:
        return {OPEN_CODE: self._open_action, CODE_NOTES: self._notes_action}

    # --- commands --------------------------------------------------------------------------------
    def _by_system(self, system: System | None) -> Handler:
        return lambda request: self.code_command(request, system)

    def code_command(self, request: Request, system: System | None) -> Reply:
        words = request.text.strip()
        if not words:
            label = f"/{request.command}"
            return error_reply(ErrorKind.BAD_INPUT, f"{label} needs a code or some words.",
                               f"For example `{label} {_example(system)}`, or `{label} <words>` to search.")
        ask = read_ask(words)
        if ask.system is not None and system is not None and ask.system is not system:
            return error_reply(ErrorKind.BAD_INPUT, f"/{request.command} looks up {system.label} codes, "
                               f"but “{words}” names {ask.system.label}.",
                               f"Use `/code {words}`, or `/{request.command} <code>`.")
        system = system or ask.system
        if ask.range is not None:
            reply = self.range_reply(ask.range, system)
        elif len(ask.codes) > 1:
            reply = self.open_many(request.actor, [lookup(self.catalog, code, system, self.today())
                                                   for code in ask.codes])
        else:
            result = lookup(self.catalog, ask.codes[0], system, self.today())
            if result.outcome is Outcome.MALFORMED and self.searcher is not None and _wordy(words):
                return self.searcher.search_reply(request, words, system)
            if (result.outcome is Outcome.UNKNOWN and result.record is None and self.searcher is not None
                    and ask.codes[0].isalpha() and _wordy(words)):
                return self.searcher.search_reply(request, words, system)  # "hi", "ok": words, not modifiers
            reply = self.open_result(request.actor, result, ask.modifiers)
        return reply

    def open_result(self, actor: Actor, result: LookupResult, modifiers: Sequence[str] = ()) -> Reply:
        if not result.outcome.shows_card or result.record is None:
            return self._with_alternatives(lookup_reply(self.catalog, result), result)
        reply = self.open_card(actor, result.record, result.reason, modifiers)
        return self._with_alternatives(reply, result) if not reply.is_error else reply

    def open_card(self, actor: Actor, record: CodeRecord, note: str = "", modifiers: Sequence[str] = ()) -> Reply:
        """A full code card: the one thing that uses a code view."""
        decision = self.views.admit(actor, record.system, record.code)
        if not decision.allowed:
            assert decision.refusal is not None
            return decision.refusal
        card = code_card(self.catalog, record, self.today())
        if note:
            card = replace(card, subtitle=f"⚠ {note}. " + card.subtitle)
        if modifiers:
            card = replace(card, title=f"{card.title} · modifier {', '.join(modifiers)}",
                           sections=(*self._modifier_sections(record.system, modifiers), *card.sections))
        if decision.remaining is not None:
            card = card.with_footer(f"{decision.remaining} code view{'s' if decision.remaining != 1 else ''} "
                                    "left this month")
        return card

    def _modifier_sections(self, system: System, modifiers: Sequence[str]) -> list[Section]:
        out: list[Section] = []
        order = (system, *[s for s in (System.CPT, System.HCPCS) if s is not system])
        for modifier in modifiers:
            found = next((r for s in order if (r := self.catalog.get(s, modifier)) is not None
                          and r.kind is RecordKind.MODIFIER), None)
            if found is None:
                out.append(Section(f"Modifier {modifier}", "Not a CPT modifier CodeDesk knows, nor in the "
                                   "loaded HCPCS file."))
                continue
            text = found.summary or found.description or found.title
            out.append(Section(f"Modifier {modifier} ({found.system.label}): {found.title}", text))
        return out

    def _with_alternatives(self, reply: Reply, result: LookupResult) -> Reply:
        """g8929 reads as terminated HCPCS G8929 and as ICD-10-CM G89.29: offer the other reading."""
        if not result.alternatives:
            return reply
        names = ", ".join(f"{system.label} {code}" for system, code in result.alternatives)
        actions = tuple(open_action(system, code, f"Did you mean {system.label} {code}?")
                        for system, code in result.alternatives)
        return replace(reply, subtitle=f"Did you mean {names}? " + reply.subtitle,
                       actions=(*reply.actions, *actions))

    def range_reply(self, bounds: tuple[str, str], system: System | None) -> Reply:
        """`99202-99205`: the codes in the range, each with a button (listing uses no view)."""
        start_result = lookup(self.catalog, bounds[0], system, self.today())
        chosen = start_result.system or system or System.CPT
        start, end = start_result.code or bounds[0], lookup(self.catalog, bounds[1], chosen, self.today()).code \
            or bounds[1]
        codes = [c for c in self.catalog.codes(chosen) if start <= c <= end]
        record_of = {c: self.catalog.get(chosen, c) for c in codes[:MAX_RANGE]}
        items = tuple(ResultItem(title=c, subtitle=r.title if r else "",
                                 detail=chosen.label + ("" if r is None or r.billable else " · header"),
                                 action=open_action(chosen, c))
                      for c, r in record_of.items())
        if not items:
            return error_reply(ErrorKind.NOT_FOUND, f"CodeDesk has no {chosen.label} codes from {start} to {end}.",
                               "Check the range, or search in words with `/codesearch <words>`.")
        more = f" (first {MAX_RANGE} of {len(codes)})" if len(codes) > MAX_RANGE else ""
        footer = "Listing a range does not use a code view; open a code to see its card."
        if chosen is System.CPT:
            footer += " · " + CPT_NOTICE
        return Reply(title=f"{chosen.label} codes {start}–{end}{more}", subtitle=f"{len(codes)} codes",
                     results=items, footer=footer)

    def _notes_action(self, request: Request) -> Reply:
        system_text, _, rest = request.text.partition(":")
        code, _, page = rest.partition(":")
        system = System.parse(system_text)
        record = self.catalog.get(system, code) if system else None
        if record is None:
            return error_reply(ErrorKind.NOT_FOUND, "That code is no longer in the catalog.",
                               "Look it up again with `/code <code>`.")
        return notes_reply(self.catalog, record, int(page) if page.isdigit() else 1)

    def _open_action(self, request: Request) -> Reply:
        system_text, _, code = request.text.partition(":")
        system = System.parse(system_text)
        record = self.catalog.get(system, code) if system else None
        if record is None:
            return error_reply(ErrorKind.NOT_FOUND, "That code is no longer in the catalog.",
                               "Look it up again with `/code <code>`.")
        return self.open_card(request.actor, record)

    # --- free text -------------------------------------------------------------------------------
    def codes_in_text(self, request: Request) -> Reply | None:
        """Open every code a message names (at most five); None when it names none."""
        found: list[LookupResult] = []
        for token in find_code_tokens(request.text):
            result = lookup(self.catalog, token, None, self.today())
            if result.outcome is not Outcome.MALFORMED and result.outcome is not Outcome.UNKNOWN:
                found.append(result)
        if not found:
            return None
        return self.open_many(request.actor, found)

    def open_many(self, actor: Actor, found: Sequence[LookupResult]) -> Reply:
        """Several codes at once (a list or a message naming codes): one card, and one view, each."""
        replies = [self.open_result(actor, r) for r in found[:MAX_CODES_PER_MESSAGE]]
        first, rest = replies[0], tuple(replies[1:])
        if len(found) > MAX_CODES_PER_MESSAGE:
            rest += (Reply(title=f"{len(found) - MAX_CODES_PER_MESSAGE} more codes were not opened",
                           subtitle="Ask about at most five codes at a time."),)
        return replace(first, parts=rest)

    def free_text(self, request: Request) -> Reply | None:
        """A mention or DM: its codes' cards, else a search of its words; None when neither fits."""
        reply = self.codes_in_text(request)
        if reply is not None:
            return reply
        if self.searcher is not None and _wordy(request.text):
            return self.searcher.search_reply(request, request.text, None)
        return None


def _example(system: System | None) -> str:
    return example(system)


def _wordy(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= 2
