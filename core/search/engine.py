"""The search engine: catalog + index + synonyms -> ranked, paged hits for what a coder typed.

Code-shaped input is answered from the catalog first: an exact code, or a code prefix such as `E11.`
lists that family in code order. Everything else goes through the query pipeline and the ranker.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from core.codes.catalog import Catalog
from core.codes.record import System
from core.codes.systems import family_prefixes
from core.search.index import SYSTEMS, IndexTiming, SearchIndex, load_index
from core.search.query import QueryParser, QueryPlan, QueryProblem, check, clean_query
from core.search.rank import Hit, rank
from core.search.synonyms import SynonymTable

PAGE_SIZE = 10
MAX_PAGE = 50


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    total: int
    page: int
    page_size: int
    plan: QueryPlan | None = None  # None for a code-prefix listing
    family: str = ""  # the code prefix listed, for a code-prefix listing

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_more(self) -> bool:
        return self.page < min(self.pages, MAX_PAGE)


class SearchEngine:
    def __init__(self, catalog: Catalog, index: SearchIndex, synonyms: SynonymTable,
                 timing: IndexTiming | None = None) -> None:
        self.catalog = catalog
        self.index = index
        self.synonyms = synonyms
        self.parser = QueryParser(index, synonyms)
        self.timing = timing
        self._doc_of: dict[tuple[int, str], int] | None = None  # built on the first code listing

    def doc_of(self, system: System, code: str) -> int | None:
        if self._doc_of is None:
            self._doc_of = {key: d for d, key in enumerate(zip(self.index.systems.tolist(), self.index.codes,
                                                                 strict=True))}
        return self._doc_of.get((SYSTEMS.index(system), code))

    @classmethod
    def open(cls, catalog: Catalog, cache_dir: Path | None, synonyms: SynonymTable | None = None) -> SearchEngine:
        """The engine over `catalog`, with its index from the cache (or built and cached)."""
        index, timing = load_index(catalog, cache_dir)
        return cls(catalog, index, synonyms if synonyms is not None else SynonymTable.load(), timing)

    def search(self, text: str, system: System | None = None, *, billable_only: bool = False,
               page: int = 1, page_size: int = PAGE_SIZE) -> SearchResult | QueryProblem:
        problem = check(text)
        if problem is not None:
            return problem
        page = max(1, min(page, MAX_PAGE))
        page_size = max(1, min(page_size, 100))
        listing = self._family(clean_query(text), system, billable_only, page, page_size)
        if listing is not None:
            return listing
        plan = self.parser.parse(text, system)
        if isinstance(plan, QueryProblem):
            return plan
        found = rank(self.index, plan, system=system, billable_only=billable_only,
                     offset=(page - 1) * page_size, limit=page_size)
        return SearchResult(plan.typed, found.hits, found.total, page, page_size, plan)

    def _family(self, text: str, system: System | None, billable_only: bool, page: int,
                page_size: int) -> SearchResult | None:
        token = text.upper().rstrip(".-*").replace(" ", "")
        if not token or len(token) > 8 or " " in text.strip().rstrip(".-*"):
            return None
        for candidate_system, prefix in family_prefixes(token):
            if system is not None and candidate_system is not system:
                continue
            codes = self.catalog.codes(candidate_system)
            lo = bisect.bisect_left(codes, prefix)
            hi = bisect.bisect_left(codes, prefix + "\x7f")
            if lo == hi:
                continue
            found = (self.doc_of(candidate_system, c) for c in codes[lo:hi])
            docs = [d for d in found if d is not None]
            if billable_only:
                docs = [d for d in docs if self.index.billable[d]]
            start = (page - 1) * page_size
            hits = tuple(Hit(candidate_system, self.index.codes[d], self.index.titles[d], 1.0, (),
                             bool(self.index.billable[d]), self.index.kind_of(d))
                         for d in docs[start:start + page_size])
            return SearchResult(text, hits, len(docs), page, page_size, None, prefix)
        return None
