"""The synonym table: abbreviations and lay terms coders type, mapped to the words code titles use.

Read from data/search/synonyms.tsv (and the search module's own synonyms_extra.tsv): '#' comment
lines, then `term<TAB>expansion | expansion<TAB>systems`. Keys and expansions are reduced to index
terms, so "heart attacks" finds the "heart attack" entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.codes.record import System
from core.search.text import terms

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "search"
DEFAULT_FILES = (DATA_DIR / "synonyms.tsv", DATA_DIR / "synonyms_extra.tsv")
MAX_KEY_WORDS = 5


@dataclass(frozen=True, slots=True)
class Expansion:
    """What one key expands to: alternative term sequences, and the systems it applies to."""

    phrases: tuple[tuple[str, ...], ...]
    systems: frozenset[System]  # empty = every system
    wording: str = ""  # the expansions as written in the file, for "also searched as"

    def merged(self, other: Expansion) -> Expansion:
        """Both entries' phrases (a key written twice, or in both files)."""
        phrases = self.phrases + tuple(p for p in other.phrases if p not in self.phrases)
        systems = self.systems | other.systems if self.systems and other.systems else frozenset()
        written = dict.fromkeys(w for text in (self.wording, other.wording) for w in text.split(" | ") if w)
        return Expansion(phrases, systems, " | ".join(written))


class SynonymFileError(ValueError):
    pass


@dataclass(frozen=True)
class SynonymTable:
    entries: dict[tuple[str, ...], Expansion]

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, key: tuple[str, ...], system: System | None) -> Expansion | None:
        found = self.entries.get(key)
        if found is None:
            return None
        if system is not None and found.systems and system not in found.systems:
            return None
        return found

    @classmethod
    def from_lines(cls, lines: Iterable[str], origin: str = "synonyms",
                   into: dict[tuple[str, ...], Expansion] | None = None) -> SynonymTable:
        entries: dict[tuple[str, ...], Expansion] = {} if into is None else into
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise SynonymFileError(f"{origin} line {number}: expected 3 tab-separated columns")
            key = tuple(terms(parts[0]))
            if not key or len(key) > MAX_KEY_WORDS:
                continue
            written = [x.strip() for x in parts[1].split("|") if x.strip()]
            phrases = tuple(p for p in (tuple(terms(x)) for x in written) if p and p != key)
            if not phrases:
                continue
            found = Expansion(phrases, _systems(parts[2]), " | ".join(written))
            entries[key] = entries[key].merged(found) if key in entries else found
        return cls(entries)

    @classmethod
    def load(cls, paths: Iterable[Path] = DEFAULT_FILES) -> SynonymTable:
        entries: dict[tuple[str, ...], Expansion] = {}
        for path in paths:
            if path.exists():
                with path.open(encoding="utf-8") as fh:
                    cls.from_lines(fh, path.name, entries)
        return cls(entries)


def _systems(text: str) -> frozenset[System]:
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names or "all" in names:
        return frozenset()
    found = {System.parse(n) for n in names}
    return frozenset(s for s in found if s is not None)
