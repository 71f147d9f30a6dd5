"""Autocomplete for code options: what to suggest while someone types `/icd10 code:diab`.

Platforms give autocomplete well under three seconds, so suggestions come from memory: code prefixes
by bisect in the catalog, and words from the code search when it is wired, else from a title index
built once. The Desk offers them for any command whose option is a code (core.commands.Option.code).
"""

from __future__ import annotations

from collections.abc import Callable

from core.codes.cards import OPEN_CODE
from core.codes.catalog import Catalog
from core.codes.record import RecordKind, System
from core.codes.systems import undotted_prefix
from core.codes.views import Searcher
from core.commands import Suggestion
from core.requests import Actor, Platform, Request

MAX_SUGGESTIONS = 25  # Discord shows at most 25 choices
_SUGGEST_ACTOR = Actor(Platform.SHELL, "local", "autocomplete")  # a search for suggestions counts nothing
_MAX_TITLE_MATCHES = 5000  # enough to rank well, bounded so one keystroke stays fast


def code_prefixes(typed: str, system: System | None) -> list[str]:
    """The prefixes a typed fragment may start: "e119" is "E11.9" in ICD-10-CM."""
    text = "".join(typed.split()).upper()
    if not text:
        return []
    dotted = undotted_prefix(text, system)
    return [dotted, text] if dotted else [text]


class CatalogSuggester:
    """Code-prefix matches first, then codes whose title holds every typed word."""

    def __init__(self, catalog: Catalog | Callable[[], Catalog]) -> None:
        self._catalog = catalog if isinstance(catalog, Catalog) else None
        self._load = None if isinstance(catalog, Catalog) else catalog
        self._titles: dict[System, list[tuple[str, str, str]]] | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            assert self._load is not None
            self._catalog = self._load()
        return self._catalog

    def prepare(self) -> None:
        """Build the title index (a second or two for ICD-10-CM); call it before going online."""
        index: dict[System, list[tuple[str, str, str]]] = {s: [] for s in System}
        for record in self.catalog.records():
            if record.kind in (RecordKind.CHAPTER, RecordKind.BLOCK):
                continue
            index[record.system].append((record.code, record.title, record.title.lower()))
        self._titles = index

    def suggest(self, system_name: str, typed: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        system = System.parse(system_name) if system_name else None
        found = self.by_code(system, typed)
        if len(found) < MAX_SUGGESTIONS and sum(ch.isalpha() for ch in typed) >= 2:
            seen = {s.code for s in found}
            found.extend(s for s in self.by_title(system, typed) if s.code not in seen)
        return found[:MAX_SUGGESTIONS]

    def by_code(self, system: System | None, typed: str) -> list[Suggestion]:
        systems = [system] if system else list(System)
        out: list[Suggestion] = []
        for prefix in code_prefixes(typed, system):
            for each in systems:
                for code in self.catalog.codes_with_prefix(each, prefix, MAX_SUGGESTIONS):
                    record = self.catalog.get(each, code)
                    out.append(Suggestion(code, record.title if record else ""))
            if out:
                break
        return out[:MAX_SUGGESTIONS]

    def by_title(self, system: System | None, typed: str) -> list[Suggestion]:
        words = typed.lower().split()
        if not words:
            return []
        if self._titles is None:
            self.prepare()
        assert self._titles is not None
        systems = [system] if system else list(System)
        matches: list[tuple[int, int, str, str]] = []
        longest = max(words, key=len)
        for each in systems:
            # A comprehension on the rarest-looking word first: the full scan stays a few milliseconds.
            candidates = [entry for entry in self._titles[each] if longest in entry[2]]
            for code, title, lowered in candidates:
                if all(word in lowered for word in words):
                    # Words that start a title word, then shorter (more general) titles, come first.
                    starts = sum(f" {word}" in f" {lowered}" for word in words)
                    matches.append((-starts, len(title), code, title))
                    if len(matches) >= _MAX_TITLE_MATCHES:
                        break
        matches.sort()
        return [Suggestion(code, title) for _, _, code, title in matches[:MAX_SUGGESTIONS]]


class SearchSuggester:
    """Code prefixes from the catalog, words from the search index (the Desk's Searcher)."""

    def __init__(self, catalog: Catalog | Callable[[], Catalog], searcher: Searcher) -> None:
        self.codes = CatalogSuggester(catalog)
        self.searcher = searcher

    def prepare(self) -> None:
        """Nothing to build: the searcher keeps its own index."""

    def suggest(self, system_name: str, typed: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        system = System.parse(system_name) if system_name else None
        found = self.codes.by_code(system, typed)
        if len(found) >= MAX_SUGGESTIONS or sum(ch.isalpha() for ch in typed) < 2:
            return found[:MAX_SUGGESTIONS]
        request = Request.command_of(_SUGGEST_ACTOR, "codesearch", typed)
        reply = self.searcher.search_reply(request, typed, system)
        seen = {s.code for s in found}
        for item in reply.results:
            if item.action is None or item.action.action_id != OPEN_CODE:
                continue
            code = item.action.value.partition(":")[2]
            if code and code not in seen:
                seen.add(code)
                found.append(Suggestion(code, item.subtitle or item.title))
        return found[:limit]


def suggester_for(catalog: Catalog, searcher: Searcher | None) -> CatalogSuggester | SearchSuggester:
    return SearchSuggester(catalog, searcher) if searcher is not None else CatalogSuggester(catalog)
