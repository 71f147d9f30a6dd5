"""`/jobs search` and digest filters: parse what someone typed into a query, correct typos against
the board's own words, and match postings (credentials, remote/hybrid, state, salary floor, words)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from core.jobs import vocabulary as vocab
from core.jobs.postings import Posting

_FLOOR_PATTERNS = (
    re.compile(r"(?:min(?:imum)?|salary|at least|>=?)\s*\$?\s?(\d{1,3}(?:,\d{3})+|\d+)\s?(k)?\+?", re.I),
    re.compile(r"\$?(\d{1,3}(?:,\d{3})+|\d+)\s?(k)\+", re.I),
    re.compile(r"\$(\d{1,3}(?:,\d{3})+|\d+)\s?(k)?\+", re.I),
)
_STOP = {"a", "an", "and", "or", "the", "for", "in", "of", "at", "job", "jobs", "with", "to", "on"}
_MIN_FUZZY_LENGTH = 4
_FUZZY_CUTOFF = 78


class QueryError(ValueError):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True, slots=True)
class JobQuery:
    words: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()
    workplace: str = ""  # remote, hybrid, onsite, or "" for any
    states: tuple[str, ...] = ()
    salary_floor: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.credentials or self.workplace or self.states or self.salary_floor)

    def describe(self) -> str:
        parts = list(self.credentials)
        if self.workplace:
            parts.append(self.workplace)
        parts.extend(self.states)
        if self.salary_floor:
            parts.append(f"{vocab.salary_label(self.salary_floor, None).replace('from ', '')}+")
        parts.extend(self.words)
        return " ".join(parts)


def parse_query(text: str) -> JobQuery:
    """"remote cpc denials $60k+" -> a JobQuery. A salary floor under $1,000 is refused (typo)."""
    floor: int | None = None
    for pattern in _FLOOR_PATTERNS:
        match = pattern.search(text)
        if match:
            amount = float(match.group(1).replace(",", "")) * (1000 if match.group(2) else 1)
            if amount < 1000:
                raise QueryError(f"“{match.group(0).strip()}” is too small for a yearly salary floor.",
                                 "Write it as `$60k+` or `min 60000`.")
            floor = int(amount)
            text = text[:match.start()] + " " + text[match.end():]
            break
    credentials: list[str] = []
    workplace = ""
    states: list[str] = []
    found_words: list[str] = []
    raw = text.split()
    skip = 0
    for index, token in enumerate(raw):
        if skip:
            skip -= 1
            continue
        two = " ".join(raw[index:index + 2]).lower()
        if len(raw) > index + 1 and vocab.state_of(two):  # "new york", "north carolina"
            states.append(vocab.state_of(two) or "")
            skip = 1
            continue
        clean = token.strip(".,;:()!?\"'")
        word = clean.lower()
        if not word:
            continue
        if vocab.credential_of(word):
            canon = vocab.credential_of(word) or ""
            if canon not in credentials:
                credentials.append(canon)
        elif vocab.workplace_of(word) or _near_workplace(word):
            workplace = vocab.workplace_of(word) or _near_workplace(word)
        elif (len(clean) == 2 and clean.isupper() and clean in vocab.US_STATES) or \
                (len(word) > 2 and vocab.state_of(word)):
            states.append(vocab.state_of(clean) or "")
        elif word not in _STOP:
            found_words.extend(vocab.words(word))
    return JobQuery(words=tuple(found_words), credentials=tuple(credentials), workplace=workplace,
                    states=tuple(states), salary_floor=floor)


def _near_workplace(word: str) -> str:
    """"remot" and "hybird" still mean remote and hybrid."""
    if len(word) < 5:
        return ""
    best = process.extractOne(word, vocab.WORKPLACES, scorer=fuzz.ratio, score_cutoff=80)
    return str(best[0]) if best else ""


@dataclass(frozen=True, slots=True)
class Correction:
    typed: str
    used: str


def board_vocabulary(postings: Iterable[Posting]) -> set[str]:
    out: set[str] = set()
    for posting in postings:
        out.update(vocab.words(posting.searchable_text()))
    return out


def _known(word: str, vocabulary: set[str]) -> bool:
    return word in vocabulary or any(token.startswith(word) for token in vocabulary) if len(word) >= 3 \
        else word in vocabulary


def correct(query: JobQuery, vocabulary: set[str]) -> tuple[JobQuery, tuple[Correction, ...]]:
    """Replace words the board never uses with its nearest word ("denails" -> "denials")."""
    fixed: list[str] = []
    corrections: list[Correction] = []
    choices = sorted(vocabulary)
    for word in query.words:
        if len(word) < _MIN_FUZZY_LENGTH or _known(word, vocabulary) or not choices:
            fixed.append(word)
            continue
        best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        if best is None:
            fixed.append(word)
        else:
            fixed.append(best[0])
            corrections.append(Correction(word, best[0]))
    return replace(query, words=tuple(fixed)), tuple(corrections)


def _in_state(posting: Posting, state: str) -> bool:
    location = posting.location
    return location.upper().endswith(f", {state}") or vocab.US_STATES[state] in location.lower()


def matches(posting: Posting, query: JobQuery, tokens: set[str] | None = None) -> bool:
    if query.credentials and not set(query.credentials) & set(posting.credentials):
        return False
    if query.workplace and posting.workplace != query.workplace:
        return False
    if query.states and not any(_in_state(posting, s) for s in query.states):
        return False
    if query.salary_floor is not None:
        ceiling = posting.annual_ceiling
        if ceiling is None or ceiling < query.salary_floor:
            return False
    if query.words:
        have = tokens if tokens is not None else set(vocab.words(posting.searchable_text()))
        for word in query.words:
            if not (word in have or (len(word) >= 3 and any(t.startswith(word) for t in have))):
                return False
    return True


def search(postings: Sequence[Posting],
           query: JobQuery) -> tuple[list[Posting], JobQuery, tuple[Correction, ...]]:
    """Matching postings in the order given (newest first), the query as corrected, and the corrections."""
    token_sets = {p.id: set(vocab.words(p.searchable_text())) for p in postings}
    vocabulary: set[str] = set().union(*token_sets.values()) if token_sets else set()
    fixed, corrections = correct(query, vocabulary)
    return [p for p in postings if matches(p, fixed, token_sets[p.id])], fixed, corrections
