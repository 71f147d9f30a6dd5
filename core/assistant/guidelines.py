"""Guideline notes: CodeDesk's own short summaries of public coding guidance (data/guidelines/*.md), each
citing its document and section, and a small BM25 retriever over them.

A note file starts with "#" header lines saying what it is; each note is "## id | title" followed by
"Source:", "Terms:" (the words people use for it), optional "Codes:" and "Modifiers:", then its text.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.search.text import stem, terms, words

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "data" / "guidelines"
_K1, _B = 1.2, 0.75
# Title and the people's words count more than the body: they say what the note is about.
_TITLE_WEIGHT, _TERMS_WEIGHT = 3, 2
# Pairs made with these say nothing ("the meaning", "what is"); pairs like "code first" say a lot.
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "by", "as", "is", "are", "be", "from",
    "into", "per", "than", "that", "thi", "this", "its", "it", "which", "any", "ha", "has", "have", "what", "whats",
    "how", "do", "i", "my", "me", "we", "you", "s", "can", "could", "would", "should", "when", "why", "where",
    "who", "there", "doe", "does", "if", "not", "no",
})


def note_terms(text: str) -> list[str]:
    """Stemmed content words plus adjacent word pairs, so "code first" and "code also" stay phrases
    even though "code" alone is a stopword."""
    plain = [stem(w) for w in words(text)]
    return terms(text) + [f"{a}_{b}" for a, b in itertools.pairwise(plain)
                          if a not in _FUNCTION_WORDS and b not in _FUNCTION_WORDS]


class NoteFileError(ValueError):
    """A note file that cannot be read: names the file, the line and the reason."""


@dataclass(frozen=True, slots=True)
class GuidelineNote:
    id: str
    title: str
    source: str  # document and section, e.g. "ICD-10-CM Official Guidelines FY2026, Section I.A.12.a"
    text: str
    terms: str = ""
    codes: tuple[str, ...] = ()
    modifiers: tuple[str, ...] = ()
    file: str = ""

    @property
    def citation(self) -> str:
        return f"CodeDesk note “{self.title}” ({self.file}#{self.id}) — {self.source}"


@dataclass(frozen=True, slots=True)
class NoteHit:
    note: GuidelineNote
    score: float


def parse_notes(text: str, file: str) -> list[GuidelineNote]:
    notes: list[GuidelineNote] = []
    current: dict[str, object] | None = None
    body: list[str] = []
    seen_header = False

    def close() -> None:
        if current is None:
            return
        line_no = current["line"]  # errors point at the note's heading
        if not current.get("source"):
            raise NoteFileError(f"{file}: line {line_no}: note {current['id']} has no Source: line")
        text_body = " ".join(" ".join(body).split())
        if not text_body:
            raise NoteFileError(f"{file}: line {line_no}: note {current['id']} has no text")
        notes.append(GuidelineNote(str(current["id"]), str(current["title"]), str(current["source"]), text_body,
                                   str(current.get("terms", "")), tuple(current.get("codes", ())),  # type: ignore[arg-type]
                                   tuple(current.get("modifiers", ())), file))  # type: ignore[arg-type]

    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if line.startswith("## "):
            close()
            ident, sep, title = line[3:].partition("|")
            if not sep or not ident.strip() or not title.strip():
                raise NoteFileError(f"{file}: line {line_no}: a note heading is “## id | title”")
            current, body = {"id": ident.strip(), "title": title.strip(), "line": line_no}, []
            continue
        if current is None:
            if line.startswith("#"):
                seen_header = True
            elif line.strip():
                raise NoteFileError(f"{file}: line {line_no}: text before the first note")
            continue
        key, sep, value = line.partition(":")
        lowered = key.strip().lower()
        if sep and not body and lowered in ("source", "terms", "codes", "modifiers"):
            if lowered in ("codes", "modifiers"):
                current[lowered] = tuple(value.replace(",", " ").upper().split())
            else:
                current[lowered] = value.strip()
            continue
        if line.strip():
            body.append(line.strip())
    close()
    if notes and not seen_header:
        raise NoteFileError(f"{file}: line 1: a note file starts with '#' lines saying what it is")
    return notes


class GuidelineLibrary:
    """Every note, searchable by words (BM25), by modifier and by code."""

    def __init__(self, notes: Sequence[GuidelineNote]) -> None:
        self.notes = tuple(notes)
        ids = [n.id for n in self.notes]
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            raise NoteFileError(f"note ids used twice: {', '.join(dupes)}")
        self._docs: list[Counter[str]] = []
        for note in self.notes:
            bag: Counter[str] = Counter()
            for _ in range(_TITLE_WEIGHT):
                bag.update(note_terms(note.title))
            for _ in range(_TERMS_WEIGHT):
                bag.update(note_terms(note.terms))
            bag.update(note_terms(note.text))
            bag.update(t.lower() for t in note.codes)
            self._docs.append(bag)
        self._lengths = [sum(d.values()) for d in self._docs]
        self._average = sum(self._lengths) / max(1, len(self._lengths))
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    @classmethod
    def load(cls, folder: Path = DEFAULT_DIR) -> GuidelineLibrary:
        notes: list[GuidelineNote] = []
        for path in sorted(folder.glob("*.md")):
            notes.extend(parse_notes(path.read_text(encoding="utf-8"), path.name))
        return cls(notes)

    def get(self, note_id: str) -> GuidelineNote | None:
        return next((n for n in self.notes if n.id == note_id), None)

    def search(self, text: str, limit: int = 3, *, modifiers: Iterable[str] = (),
               codes: Iterable[str] = ()) -> list[NoteHit]:
        """The best notes for a question; notes about its modifiers and codes are lifted."""
        query = Counter(note_terms(text))
        wanted_mods = {m.upper() for m in modifiers}
        wanted_codes = {c.upper() for c in codes}
        hits: list[NoteHit] = []
        for note, doc, length in zip(self.notes, self._docs, self._lengths, strict=True):
            score = 0.0
            for term, count in query.items():
                tf = doc.get(term, 0)
                if tf:
                    norm = tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / self._average))
                    score += self._idf.get(term, 0.0) * norm * (1 + 0.2 * (count - 1))
            if wanted_mods & set(note.modifiers):
                score += 6.0 * len(wanted_mods & set(note.modifiers))
            if wanted_codes & set(note.codes):
                score += 3.0
            if score > 0:
                hits.append(NoteHit(note, score))
        hits.sort(key=lambda h: (-h.score, h.note.id))
        return hits[:limit]
