"""Query understanding: what a coder typed -> a plan of concepts, each with alternative wordings.

A concept is one thing the coder asked for: a word ("asthma"), or a phrase the synonym table knows
("heart attack"). Its alternatives are the typed words themselves and every expansion; each word
of an alternative is a slot of weighted index terms: the exact term, or, for a word the index does
not know, its completions (partial words) and its nearest spellings (typo correction with rapidfuzz
over the index vocabulary, not over whole descriptions).
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from core.codes.record import System
from core.search.index import SIGNATURE_NEUTRAL, SearchIndex, signature
from core.search.synonyms import MAX_KEY_WORDS, Expansion, SynonymTable
from core.search.text import STOPWORDS, fold, stem, words

MAX_CHARS = 200
MAX_WORDS = 12
MAX_COMPLETIONS = 24
MAX_CORRECTIONS = 3
MAX_READINGS = 32
RARE_DF = 12  # a known word in fewer documents than this also tries completions and spellings
RARE_GAIN = 5  # ... of words at least this many times more common
_COMPLETION_WEIGHT = 0.9
_CORRECTION_WEIGHT = 0.85
_SYNONYM_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class Slot:
    """One word of an alternative: a document scores the best of these (term id, weight) choices."""

    choices: tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class Alternative:
    slots: tuple[Slot, ...]
    wording: str  # the words this alternative stands for, for "matched" labels
    scale: float = 1.0  # sqrt(typed words / expansion words): every wording of a concept weighs alike


@dataclass(frozen=True, slots=True)
class Concept:
    typed: str  # the user's own words for it
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class QueryPlan:
    typed: str  # the cleaned query, as shown back to the user
    concepts: tuple[Concept, ...]
    corrections: tuple[tuple[str, str], ...] = ()  # (typed word, the index word used instead)
    expansions: tuple[tuple[str, str], ...] = ()  # (typed words, the synonym used)
    unknown: tuple[str, ...] = ()  # typed words nothing in the index resembles
    truncated: bool = False  # more than MAX_WORDS words: the rest were ignored
    terms: frozenset[int] = field(default_factory=frozenset)  # every term id any slot may match
    signatures: tuple[int, ...] = ()  # ways of reading the whole query as one title or inclusion term


@dataclass(frozen=True)
class QueryProblem:
    """Why a query cannot be searched, and what to type instead."""

    reason: str
    hint: str


def clean_query(text: str) -> str:
    """Printable characters only, whitespace collapsed."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())


def check(text: str) -> QueryProblem | None:
    """A problem with the raw text before any work is done on it, or None."""
    cleaned = clean_query(text)
    example = "For example `/codesearch chest pain` or `/icd10 type 2 diabetes`."
    if not cleaned:
        return QueryProblem("There is nothing to search for.", f"Type a few words. {example}")
    if len(cleaned) > MAX_CHARS:
        return QueryProblem(f"That search is {len(cleaned):,} characters long; the limit is {MAX_CHARS}.",
                            f"Use a few key words instead. {example}")
    if not any(ch.isalnum() for ch in fold(cleaned)):
        return QueryProblem("That search has no letters or digits in it.", f"Type words. {example}")
    return None


class QueryParser:
    """Turns text into a QueryPlan against one index and synonym table. Caches word corrections."""

    def __init__(self, index: SearchIndex, synonyms: SynonymTable) -> None:
        self.index = index
        self.synonyms = synonyms
        # Spelling candidates by (first letter, length): a typo rarely hits the first letter.
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        for term in index.vocab:
            if term.isalpha():
                self._by_shape.setdefault((term[0], len(term)), []).append(term)
        self._neutral = frozenset(index.term_id[t] for t in SIGNATURE_NEUTRAL if t in index.term_id)
        self._slot_cache: dict[str, Slot | None] = {}
        self._correction_of: dict[str, str] = {}

    def parse(self, text: str, system: System | None = None) -> QueryPlan | QueryProblem:
        problem = check(text)
        if problem is not None:
            return problem
        typed = clean_query(text)
        all_words = [w for w in words(typed) if w not in STOPWORDS]
        if not all_words:
            return QueryProblem("Those words are too common to search on.",
                                "Add a word that describes the condition, procedure or supply.")
        truncated = len(all_words) > MAX_WORDS
        kept = all_words[:MAX_WORDS]
        stems = [stem(w) for w in kept]
        concepts: list[Concept] = []
        corrections: list[tuple[str, str]] = []
        expansions: list[tuple[str, str]] = []
        unknown: list[str] = []
        at = 0
        while at < len(stems):
            span, expansion = self._synonym_at(stems, at, system)
            joined = self._joined(kept, at) if span < 2 else None
            if expansion is not None and joined is None:
                typed_words = kept[at:at + span]
                alternatives: list[Alternative] = []
                # The key's own words count only as written: "uti" must not complete to "utilities".
                own = [self._exact_slot(s) for s in stems[at:at + span]]
                if all(slot is not None for slot in own):
                    alternatives.append(Alternative(tuple(s for s in own if s is not None), " ".join(typed_words)))
                for phrase in expansion.phrases:
                    slots = [self._exact_slot(t) for t in phrase]
                    known = tuple(s for s in slots if s is not None)
                    if known:
                        # A concept weighs about the same however many words express it: "cystitis"
                        # for "bladder infection", "chronic obstructive pulmonary disease" for "copd".
                        alternatives.append(Alternative(known, " ".join(phrase), (span / len(known)) ** 0.5))
                if alternatives:
                    concepts.append(Concept(" ".join(typed_words), tuple(alternatives)))
                    expansions.append((" ".join(typed_words), _first(expansion.wording, 3)))
                    at += span
                    continue
            if joined is not None:
                # "wheel chair", "heart burn": two typed words the index knows as one.
                pair = " ".join(kept[at:at + 2])
                own = [self._exact_slot(t) for t in stems[at:at + 2]]
                alternatives = [Alternative((Slot(((joined, 1.0),)),), pair, 2 ** 0.5)]
                if all(slot is not None for slot in own):
                    alternatives.append(Alternative(tuple(s for s in own if s is not None), pair))
                concepts.append(Concept(pair, tuple(alternatives)))
                at += 2
                continue
            word, term = kept[at], stems[at]
            slot = self._word_slot(word, term)
            if slot is None:
                unknown.append(word)
            else:
                concepts.append(Concept(word, (Alternative((slot,), word),)))
                if word in self._correction_of:
                    corrections.append((word, self.index.surface_of(self._correction_of[word])))
            at += 1
        term_ids = frozenset(t for c in concepts for a in c.alternatives for s in a.slots for t, _ in s.choices)
        return QueryPlan(typed, tuple(concepts), tuple(corrections), tuple(expansions), tuple(unknown),
                         truncated, term_ids, self._signatures(concepts))

    def _signatures(self, concepts: list[Concept]) -> tuple[int, ...]:
        """Each reading of the query (one alternative per concept, best choice per slot) as a signature."""
        readings = [[frozenset(max(slot.choices, key=lambda c: c[1])[0] for slot in alt.slots)
                     for alt in concept.alternatives] for concept in concepts]
        out: list[int] = []
        for combo in itertools.islice(itertools.product(*readings), MAX_READINGS):
            ids = frozenset().union(*combo) - self._neutral
            if ids:
                out.append(signature(ids))
        return tuple(dict.fromkeys(out))

    def _synonym_at(self, stems: list[str], at: int, system: System | None) -> tuple[int, Expansion | None]:
        for span in range(min(MAX_KEY_WORDS, len(stems) - at), 0, -1):
            found = self.synonyms.lookup(tuple(stems[at:at + span]), system)
            if found is not None:
                return span, found
        return 0, None

    def _joined(self, kept: list[str], at: int) -> int | None:
        """The term id of two adjacent typed words written as one, when the index knows that word."""
        if at + 1 >= len(kept) or not (kept[at].isalpha() and kept[at + 1].isalpha()):
            return None
        return self.index.term_id.get(stem(kept[at] + kept[at + 1]))

    def _exact_slot(self, term: str) -> Slot | None:
        tid = self.index.term_id.get(term)
        return Slot(((tid, _SYNONYM_WEIGHT),)) if tid is not None else None

    def _word_slot(self, word: str, term: str) -> Slot | None:
        if word in self._slot_cache:
            return self._slot_cache[word]
        slot = self._make_slot(word, term)
        if len(self._slot_cache) > 20_000:  # bounded: arbitrary user words must not grow memory forever
            self._slot_cache.clear()
            self._correction_of.clear()
        self._slot_cache[word] = slot
        return slot

    def _make_slot(self, word: str, term: str) -> Slot | None:
        tid = self.index.term_id.get(term)
        if tid is not None and (int(self.index.df[tid]) >= RARE_DF or len(word) < 5 or not word.isalpha()):
            return Slot(((tid, 1.0),))
        if tid is None and (not word.isalpha() or len(word) < 3):
            return None
        # An unknown word, or a rare one that may be a misspelling of a common word ("migrane").
        own_df = int(self.index.df[tid]) if tid is not None else 0
        choices: dict[int, float] = {tid: 1.0} if tid is not None else {}
        for completion in self._completions(word):
            cid = self.index.term_id[completion]
            if cid != tid and int(self.index.df[cid]) > own_df:
                choices[cid] = _COMPLETION_WEIGHT
        best: tuple[str, float] | None = None
        for candidate, score in self._corrections(term):
            cid = self.index.term_id[candidate]
            if cid == tid or int(self.index.df[cid]) <= RARE_GAIN * own_df:
                continue
            weight = _CORRECTION_WEIGHT * (score / 100.0) ** 2
            choices[cid] = max(choices.get(cid, 0.0), weight)
            if best is None or score > best[1]:
                best = (candidate, score)
        if tid is None and best is not None and not any(w == _COMPLETION_WEIGHT for w in choices.values()):
            self._correction_of[word] = best[0]
        return Slot(tuple(choices.items())) if choices else None

    def _completions(self, word: str) -> list[str]:
        vocab = self.index.vocab
        lo = bisect.bisect_left(vocab, word)
        hi = bisect.bisect_left(vocab, word + "\x7f")
        found = vocab[lo:hi]
        if len(found) > MAX_COMPLETIONS:
            df = self.index.df
            tid = self.index.term_id
            found = sorted(found, key=lambda t: -int(df[tid[t]]))[:MAX_COMPLETIONS]
        return found

    def _corrections(self, term: str) -> list[tuple[str, float]]:
        if len(term) < 5:
            return []  # a short word has too many near neighbours to guess from
        cutoff = 80.0 if len(term) <= 5 else 75.0
        pool: list[str] = []
        for length in range(len(term) - 2, len(term) + 3):
            pool.extend(self._by_shape.get((term[0], length), ()))
        found = process.extract(term, pool, scorer=fuzz.ratio, limit=MAX_CORRECTIONS * 3, score_cutoff=cutoff)
        if not found:
            return []
        top = max(score for _, score, _ in found)
        # Keep only the nearest spellings; among equals, the more common term reads as the intended one.
        near = [(cand, score) for cand, score, _ in found if score >= top - 5]
        df = self.index.df
        tid = self.index.term_id
        near.sort(key=lambda item: (-item[1], -int(df[tid[item[0]]])))
        return near[:MAX_CORRECTIONS]


def _first(wording: str, count: int) -> str:
    return " | ".join(wording.split(" | ")[:count])
