"""The concept lexicon: clinical phrases and abbreviations in a case, found as concepts with their codes.

The lexicon is CodeDesk's own file (data/case2code/concepts.tsv). Matching is longest-phrase-first over
lower-case words, with filler words ("the", "of") and laterality words skipped, so "malignant neoplasm
of the right breast" finds the breast-cancer concept and keeps "right" for the laterality rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "case2code"
CONCEPTS_FILE = DATA_DIR / "concepts.tsv"

_WORD = re.compile(r"[a-z0-9]+")
# Words skipped when matching phrases: fillers, and laterality (read separately by the rules).
_FILLER = frozenset({"the", "a", "an", "of", "on", "his", "her", "their"})
LATERALITY_WORDS = {
    "right": "right", "rt": "right", "left": "left", "lt": "left",
    "bilateral": "bilateral", "bilaterally": "bilateral", "both": "bilateral",
}
_COLUMNS = 9


class LexiconError(ValueError):
    """The lexicon file is damaged: names the file, the line and what is wrong."""


@dataclass(frozen=True, slots=True)
class Concept:
    """One clinical concept and the codes it can take."""

    id: str
    code: str  # "" when the concept only shapes other codes (a drug, a qualifier)
    right: str = ""
    left: str = ""
    bilateral: str = ""  # may name two codes joined by "+"
    history: str = ""  # a personal-history code; "=" keeps the condition itself (chronic)
    family: str = ""
    integral: frozenset[str] = frozenset()  # symptom concepts this diagnosis explains

    @property
    def lateral(self) -> bool:
        return bool(self.right or self.left)

    @property
    def needs_encounter(self) -> bool:
        return "{enc}" in self.code


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int  # character offsets in the case text
    end: int


@dataclass(frozen=True, slots=True)
class Mention:
    """A concept found in the text: which words, where (characters and word positions)."""

    concept: Concept
    words: str  # the words as the text wrote them
    start: int
    end: int
    first_token: int
    last_token: int  # inclusive


def tokenize(text: str) -> list[Token]:
    lowered = text.lower()
    return [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(lowered)]


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD.findall(phrase.lower()) if w not in _FILLER and w not in LATERALITY_WORDS)


class Lexicon:
    def __init__(self, concepts: dict[str, Concept], phrases: dict[tuple[str, ...], str]) -> None:
        self.concepts = concepts
        self._phrases = phrases
        self._longest = max((len(k) for k in phrases), default=1)

    @classmethod
    def load(cls, path: Path = CONCEPTS_FILE) -> Lexicon:
        concepts: dict[str, Concept] = {}
        phrases: dict[tuple[str, ...], str] = {}
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip() or line.startswith("#"):
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) != _COLUMNS:
                    raise LexiconError(f"{path.name} line {number}: {len(fields)} columns, expected {_COLUMNS}")
                cid, code, right, left, both, history, family, integral, words = (
                    "" if f == "-" else f.strip() for f in fields)
                if not cid or cid in concepts:
                    raise LexiconError(f"{path.name} line {number}: concept id missing or repeated")
                concepts[cid] = Concept(cid, code, right, left, both, history, family,
                                        frozenset(i for i in integral.split("|") if i))
                for phrase in words.split("|"):
                    key = _phrase_key(phrase)
                    if key and key not in phrases:  # the first concept to claim a phrase keeps it
                        phrases[key] = cid
        for concept in concepts.values():
            unknown = [i for i in concept.integral if i not in concepts]
            if unknown:
                raise LexiconError(f"{path.name}: {concept.id} names unknown symptom concepts {unknown}")
        return cls(concepts, phrases)

    def find(self, text: str, tokens: list[Token] | None = None) -> list[Mention]:
        """Every concept in the text, longest phrase first, no two sharing a word."""
        tokens = tokenize(text) if tokens is None else tokens
        kept = [i for i, t in enumerate(tokens) if t.text not in _FILLER and t.text not in LATERALITY_WORDS]
        words = [tokens[i].text for i in kept]
        out: list[Mention] = []
        at = 0
        while at < len(words):
            for size in range(min(self._longest, len(words) - at), 0, -1):
                cid = self._phrases.get(tuple(words[at:at + size]))
                if cid is None:
                    continue
                first, last = kept[at], kept[at + size - 1]
                start, end = tokens[first].start, tokens[last].end
                out.append(Mention(self.concepts[cid], text[start:end], start, end, first, last))
                at += size
                break
            else:
                at += 1
        return out
