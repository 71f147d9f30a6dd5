"""Code search in chat: `/codesearch <words>`, and the Searcher the Desk calls for `/icd10 <words>`,
`/hcpcs <words>`, `/cpt <words>` and free text. A result list never uses a code view; each result
carries a button that opens its card (which does)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from core.codes.cards import CPT_NOTICE, open_action
from core.codes.record import RecordKind, System
from core.commands import Command, Handler, Option
from core.replies import Action, ErrorKind, Reply, ResultItem, error_reply
from core.requests import Request, RequestKind
from core.search.engine import SearchEngine, SearchResult
from core.search.query import QueryProblem
from core.search.rank import Hit

SEARCH_PAGE = "search_page"  # action id: value is "<page>\t<system or ''>\t<billable 0/1>\t<query>"
_BILLABLE_WORDS = ("billable", "billable only")


@dataclass(frozen=True)
class SearchRequest:
    words: str
    system: System | None
    billable_only: bool = False
    page: int = 1

    def encode(self) -> str:
        return f"{self.page}\t{self.system.value if self.system else ''}\t{int(self.billable_only)}\t{self.words}"

    @classmethod
    def decode(cls, value: str) -> SearchRequest | None:
        parts = value.split("\t", 3)
        if len(parts) != 4 or not parts[0].isdigit():
            return None
        system = System.parse(parts[1]) if parts[1] else None
        return cls(parts[3], system, parts[2] == "1", int(parts[0]))


def parse_command(text: str) -> SearchRequest:
    """`/codesearch [icd10|hcpcs|cpt] <words> [billable]` -> what to search."""
    words = text.strip()
    system: System | None = None
    first, _, rest = words.partition(" ")
    if rest.strip() and System.parse(first) is not None:
        system, words = System.parse(first), rest.strip()
    billable = False
    lowered = words.lower()
    for marker in _BILLABLE_WORDS:
        if lowered.endswith(" " + marker):
            words, billable = words[: -len(marker)].strip(), True
            break
    return SearchRequest(words, system, billable)


class CodeSearch:
    """The Desk's Searcher and the `/codesearch` feature, over one SearchEngine."""

    def __init__(self, engine: SearchEngine | Callable[[], SearchEngine]) -> None:
        # A factory defers loading the index until the first search: card lookups never wait for it.
        self._engine = engine if isinstance(engine, SearchEngine) else None
        self._open = engine if not isinstance(engine, SearchEngine) else None

    @property
    def engine(self) -> SearchEngine:
        if self._engine is None:
            assert self._open is not None
            self._engine = self._open()
        return self._engine

    # --- Feature ---------------------------------------------------------------------------------
    def commands(self) -> Sequence[Command]:
        return (Command("codesearch", "Find codes in your own words: abbreviations, lay terms and typos are fine",
                        self._command, Option.text("query", "What to look for, e.g. knee pain", required=True),
                        usage="/codesearch knee pain",
                        details=("Start with `icd10`, `hcpcs` or `cpt` to search one system: "
                                 "`/codesearch icd10 knee pain`",
                                 "End with `billable` for billable codes only",
                                 "`/icd10 <words>`, `/hcpcs <words>` and `/cpt <words>` search too")),)

    def actions(self) -> Mapping[str, Handler]:
        return {SEARCH_PAGE: self._page_action}

    # --- Searcher --------------------------------------------------------------------------------
    def search_reply(self, request: Request, words: str, system: System | None, page: int = 1) -> Reply:
        reply = self.reply_for(SearchRequest(words, system, False, page))
        if request.kind is RequestKind.MESSAGE and reply.is_error:
            # A mention that is just chat ("hi there") gets pointers, not a search error.
            return error_reply(ErrorKind.BAD_INPUT, "I did not find a code or anything to search for in that "
                               "message.", "Ask about a code (“what is 99213?”), or search in words with "
                               "`/codesearch knee pain`. `/help` lists everything I can do.")
        return reply

    def reply_for(self, asked: SearchRequest) -> Reply:
        result = self.engine.search(asked.words, asked.system, billable_only=asked.billable_only,
                                    page=asked.page)
        if isinstance(result, QueryProblem):
            return error_reply(ErrorKind.BAD_INPUT, result.reason, result.hint)
        if not result.hits:
            return self._nothing(result, asked)
        return _listing(result, asked, self.engine.catalog.data_year(System.HCPCS))

    def _command(self, request: Request) -> Reply:
        asked = parse_command(request.text)
        if not asked.words:
            return error_reply(ErrorKind.BAD_INPUT, "/codesearch needs some words to search for.",
                               "For example `/codesearch chest pain`, `/codesearch icd10 type 2 diabetes` "
                               "or `/codesearch hcpcs walker billable`.")
        return self.reply_for(asked)

    def _page_action(self, request: Request) -> Reply:
        asked = SearchRequest.decode(request.text)
        if asked is None:
            return error_reply(ErrorKind.BAD_INPUT, "That page of results is no longer available.",
                               "Run the search again with `/codesearch <words>`.")
        return self.reply_for(asked)

    def _nothing(self, result: SearchResult, asked: SearchRequest) -> Reply:
        where = f" in {asked.system.label}" if asked.system else ""
        if result.total and asked.page > 1:
            return error_reply(ErrorKind.NOT_FOUND, f"There are no more results for “{result.query}”{where}.",
                               "That was the last page.")
        hints = ["Try other words, or fewer of them."]
        plan = result.plan
        if plan is not None and plan.unknown:
            hints.insert(0, "CodeDesk did not recognise: " + ", ".join(f"“{w}”" for w in plan.unknown[:5]) + ".")
        if asked.system is not None:
            hints.append(f"Search every system with `/codesearch {result.query}`.")
        if asked.system is System.HCPCS and not self.engine.catalog.codes(System.HCPCS):
            hints.append("No HCPCS file has been imported yet (`codedesk import hcpcs FILE`).")
        return error_reply(ErrorKind.NOT_FOUND, f"No codes match “{result.query}”{where}.", " ".join(hints))


def _listing(result: SearchResult, asked: SearchRequest, hcpcs_year: str = "") -> Reply:
    notes: list[str] = []
    plan = result.plan
    if plan is not None:
        notes.extend(f"“{typed}” read as “{used}”" for typed, used in plan.corrections)
        notes.extend(f"“{typed}” also searched as {used}" for typed, used in plan.expansions[:3])
        if plan.unknown:
            notes.append("not recognised: " + ", ".join(f"“{w}”" for w in plan.unknown[:5]))
        if plan.truncated:
            notes.append("only the first 12 words were used")
    where = f" in {asked.system.label}" if asked.system else ""
    first = (result.page - 1) * result.page_size + 1
    last = first + len(result.hits) - 1
    headline = f"Codes under {result.family}{where}" if result.family else f"Codes for “{result.query}”{where}"
    subtitle = f"{first}–{last} of {result.total:,}" + (" (billable only)" if asked.billable_only else "")
    if notes:
        subtitle += " · " + "; ".join(notes)
    actions: tuple[Action, ...] = ()
    if result.has_more:
        nxt = SearchRequest(asked.words, asked.system, asked.billable_only, result.page + 1)
        actions = (Action(f"Next {result.page_size}", SEARCH_PAGE, nxt.encode()),)
    footer = "Listing results does not use a code view; open a code to see its card."
    if any(h.system is System.CPT for h in result.hits):
        footer += " · " + CPT_NOTICE
    return Reply(title=headline, subtitle=subtitle, results=tuple(_item(h, hcpcs_year) for h in result.hits),
                 actions=actions, footer=footer)


def _item(hit: Hit, hcpcs_year: str = "") -> ResultItem:
    """Title: the code; subtitle: its short title; detail: system, billable, and the words it matched."""
    if hit.kind is RecordKind.MODIFIER:
        status = "modifier"
    else:
        status = "billable" if hit.billable else "header, not billable: open it for the codes under it" \
            if hit.system is System.ICD10CM else "not billable (deleted or terminated)"
    parts = [hit.system.label, status]
    if hit.system is System.HCPCS and hcpcs_year:
        parts[0] = f"{hit.system.label} ({hcpcs_year} file)"  # the data year on every HCPCS result
    if hit.matched:
        parts.append("matched: " + ", ".join(hit.matched))
    return ResultItem(title=hit.code, subtitle=hit.title, detail=" · ".join(parts),
                      action=open_action(hit.system, hit.code))
