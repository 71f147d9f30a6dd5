"""How each condition in a case is qualified: negated, uncertain, historical, or a relative's.

Two readers share one interface. `NegspacyReader` (the one Case2Code uses) runs the maintained NegEx
implementation from the `negspacy` package on a blank spaCy pipeline: its "en_clinical" negation terms,
and the same algorithm with CodeDesk's terms (data/case2code/context.tsv) for uncertainty, history and
family history. `TriggerReader` is a small hand-written NegEx kept to measure the library against
(`codedesk bench cases --context trigger`). spaCy is imported only when a reader is first used.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from core.assistant.case2code.lexicon import DATA_DIR, LexiconError, Mention

CONTEXT_FILE = DATA_DIR / "context.tsv"
CATEGORIES = ("negated", "uncertain", "historical", "family")
_POSITIONS = {"preceding": "preceding_negations", "following": "following_negations",
              "pseudo": "pseudo_negations", "termination": "termination"}
# negspacy's clinical termset treats "rule out" as a negation; the guidelines treat it as uncertain
# (coded as if confirmed for inpatients), so those terms move to the uncertain category.
_RULE_OUT = ("rule out", "r/o", "ro", "rules out", "rule him out", "rule her out", "rule patient out",
             "rule the patient out")


@dataclass(frozen=True, slots=True)
class Assertion:
    negated: bool = False
    uncertain: bool = False
    historical: bool = False
    family: bool = False


class ContextReader(Protocol):
    name: str

    def read(self, text: str, mentions: Sequence[Mention]) -> list[Assertion]: ...


def load_terms(path: Path = CONTEXT_FILE) -> dict[str, dict[str, list[str]]]:
    """{category: {negspacy termset key: [phrases]}} from the context file."""
    terms: dict[str, dict[str, list[str]]] = {c: {k: [] for k in _POSITIONS.values()} for c in CATEGORIES}
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or fields[0] not in terms or fields[1] not in _POSITIONS:
                raise LexiconError(f"{path.name} line {number}: expected category, position and phrase")
            terms[fields[0]][_POSITIONS[fields[1]]].append(fields[2].strip())
    return terms


class NegspacyReader:
    """negspacy's NegEx on a blank English spaCy pipeline (no model download), one component a category."""

    name = "negspacy"

    def __init__(self, terms: dict[str, dict[str, list[str]]] | None = None) -> None:
        self._terms = terms if terms is not None else load_terms()
        self._nlp: Any = None
        self._building = threading.Lock()  # chat handlers run in threads: build the pipeline once

    def _pipeline(self) -> Any:
        if self._nlp is not None:
            return self._nlp
        with self._building:
            if self._nlp is None:
                self._nlp = self._build()
        return self._nlp

    def _build(self) -> Any:
        import spacy
        from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)
        from negspacy.termsets import termset

        nlp = spacy.blank("en")
        # a semicolon ends a negation's reach as a full stop does ("no pneumonia; acute bronchitis")
        nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", ";"]})
        clinical = termset("en_clinical")
        clinical.remove_patterns({"preceding_negations": [t for t in _RULE_OUT
                                                           if t in clinical.get_patterns()["preceding_negations"]]})
        # "denies chest pain, complains of cough": the clinical termset has no "complains of"/"reports"
        # terminations, so CodeDesk's negation terminations are added to it (its triggers stay the library's)
        extra = [t for t in self._terms["negated"]["termination"]
                 if t not in clinical.get_patterns()["termination"]]
        clinical.add_patterns({"termination": extra})
        nlp.add_pipe("negex", name="negated", config={"neg_termset": clinical.get_patterns(),
                                                      "extension_name": "negated"})
        for category in CATEGORIES[1:]:
            nlp.add_pipe("negex", name=category, config={"neg_termset": self._terms[category],
                                                         "extension_name": category})
        return nlp

    def read(self, text: str, mentions: Sequence[Mention]) -> list[Assertion]:
        if not mentions:
            return []
        nlp = self._pipeline()
        doc = nlp.make_doc(text)
        spans: list[Any] = []
        owner: list[int] = []  # which span holds each mention (two mentions can fall in one spaCy token)
        for mention in mentions:
            span = doc.char_span(mention.start, mention.end, label="CONDITION", alignment_mode="expand")
            if spans and span.start < spans[-1].end:
                owner.append(len(spans) - 1)
                continue
            owner.append(len(spans))
            spans.append(span)
        doc.ents = spans
        for _, component in nlp.pipeline:
            doc = component(doc)
        out = []
        for at in owner:
            ent = doc.ents[at]
            out.append(Assertion(bool(ent._.negated), bool(ent._.uncertain), bool(ent._.historical),
                                 bool(ent._.family)))
        return out


_SENTENCE = re.compile(r"[.!?](?=\s+[A-Z0-9]|\s*$)|\n")


class TriggerReader:
    """A hand-written NegEx: trigger phrases reach forward (or back) to the end of the sentence or to a
    termination phrase. Kept only to measure negspacy against; the negation list is CodeDesk's own."""

    name = "trigger"

    def __init__(self, terms: dict[str, dict[str, list[str]]] | None = None) -> None:
        terms = terms if terms is not None else load_terms()
        self._patterns = {
            category: {key: _alternation(words) for key, words in lists.items()}
            for category, lists in terms.items()
        }

    def read(self, text: str, mentions: Sequence[Mention]) -> list[Assertion]:
        lowered = text.lower()
        bounds = [0, *(m.end() for m in _SENTENCE.finditer(text)), len(text)]
        found: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]], list[int]]] = {}
        for category, patterns in self._patterns.items():
            pseudo = _spans(patterns["pseudo_negations"], lowered)
            real = {key: [s for s in _spans(patterns[key], lowered) if not any(p[0] <= s[0] < p[1] for p in pseudo)]
                    for key in ("preceding_negations", "following_negations", "termination")}
            found[category] = (real["preceding_negations"], real["following_negations"],
                               [s[0] for s in real["termination"]])
        out = []
        for mention in mentions:
            low = max(b for b in bounds if b <= mention.start)
            high = min(b for b in bounds if b >= mention.end)
            flags = {}
            for category, (before, after, stops) in found.items():
                flags[category] = any(
                    low <= s < mention.start and e <= mention.start
                    and not any(s < t < mention.start for t in stops) for s, e in before
                ) or any(
                    mention.end <= s < high and not any(mention.end <= t < s for t in stops) for s, _ in after
                )
            out.append(Assertion(flags["negated"], flags["uncertain"], flags["historical"], flags["family"]))
        return out


def _alternation(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    parts = []
    for word in sorted((w.lower() for w in words), key=len, reverse=True):
        # word edges only where the term itself starts or ends with a letter or digit ("," has none)
        before = r"(?<![a-z0-9])" if word[:1].isalnum() else ""
        after = r"(?![a-z0-9])" if word[-1:].isalnum() else ""
        parts.append(before + re.escape(word) + after)
    return re.compile("|".join(parts))


def _spans(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    return [] if pattern is None else [(m.start(), m.end()) for m in pattern.finditer(text)]


def make_reader(name: str) -> ContextReader:
    """A reader by name: "negspacy" (the library, Case2Code's choice) or "trigger" (the hand-written one)."""
    if name == "negspacy":
        return NegspacyReader()
    if name == "trigger":
        return TriggerReader()
    raise ValueError(f"unknown context reader {name!r}: use negspacy or trigger")


READERS = ("negspacy", "trigger")
