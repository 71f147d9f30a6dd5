"""What people type after `/coverage` and `/crosswalk`: a procedure, diagnoses, and narrowing words
(`state:FL`, `contractor:09102`), read into a `Question` or refused with what to type instead."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.codes.normalize import Parsed, parse_code
from core.codes.record import System
from core.coverage.store import Narrowing

MAX_DIAGNOSES = 10
_STATE = re.compile(r"[A-Z]{2}")
_CONTRACTOR = re.compile(r"[0-9A-Z]{3,10}")


class QuestionError(ValueError):
    """The words cannot be a coverage question: `title` says why, `hint` what to type."""

    def __init__(self, title: str, hint: str) -> None:
        super().__init__(title)
        self.title, self.hint = title, hint


@dataclass(frozen=True, slots=True)
class Question:
    procedure: str  # CPT or HCPCS, canonical
    diagnoses: tuple[str, ...] = ()  # ICD-10-CM, canonical, in the order typed
    narrowing: Narrowing = field(default_factory=Narrowing)
    page: int = 1

    def words(self, page: int | None = None) -> str:
        """The question as typed, for a page button: `93000 state:FL page:2`."""
        parts = [self.procedure, *self.diagnoses, self.narrowing.words]
        number = self.page if page is None else page
        if number > 1:
            parts.append(f"page:{number}")
        return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class CrosswalkQuestion:
    code: str
    procedure: bool  # True: procedure -> diagnoses; False: diagnosis -> procedures
    narrowing: Narrowing = field(default_factory=Narrowing)
    also_diagnosis: str = ""  # the ICD-10-CM reading of an ambiguous token, if any


def _split(text: str) -> tuple[list[str], Narrowing, int]:
    codes: list[str] = []
    state = contractor = ""
    page = 1
    for token in text.replace(",", " ").split():
        key, sep, value = token.partition(":")
        key, value = key.lower(), value.strip().upper()
        if sep and key == "state":
            if not _STATE.fullmatch(value):
                raise QuestionError(f"“{value[:10]}” is not a state.",
                                    "Use the two-letter postal code, e.g. `state:FL`.")
            state = value
        elif sep and key == "contractor":
            if not _CONTRACTOR.fullmatch(value):
                raise QuestionError(f"“{value[:12]}” is not a contractor number.",
                                    "Use the contractor's number as CMS lists it, e.g. `contractor:09102`.")
            contractor = value
        elif sep and key == "page":
            if not value.isdigit() or int(value) < 1:
                raise QuestionError(f"“{value[:10]}” is not a page number.", "Pages start at `page:1`.")
            page = int(value)
        elif sep and key not in ("", "http", "https"):
            raise QuestionError(f"“{key[:20]}:” is not something coverage can be narrowed by.",
                                "Narrow with `state:FL` or `contractor:09102`.")
        else:
            codes.append(token)
    return codes, Narrowing(state, contractor), page


def _procedure(token: str) -> str | None:
    parsed = parse_code(token)
    if isinstance(parsed, Parsed):
        for guess in parsed.guesses:
            if guess.system in (System.CPT, System.HCPCS) and not guess.modifier:
                return guess.code
    return None


def _diagnosis(token: str) -> str | None:
    parsed = parse_code(token, System.ICD10CM)
    if isinstance(parsed, Parsed):
        for guess in parsed.guesses:
            if guess.system is System.ICD10CM:
                return guess.code
    return None


def parse_question(text: str) -> Question:
    """`93000`, `93000 I48.91 Z00.00`, `G0121 state:FL`, `93000 contractor:09102 page:2`."""
    codes, narrowing, page = _split(text)
    if not codes:
        raise QuestionError("Which procedure?", "Type a CPT or HCPCS code, e.g. `/coverage 93000`, and "
                            "diagnoses to check: `/coverage 93000 I48.91`.")
    procedure = _procedure(codes[0])
    if procedure is None:
        if "." in codes[0] or _diagnosis(codes[0]) is not None:
            raise QuestionError(f"{codes[0][:20]} is a diagnosis; put the procedure first.",
                                f"For example `/coverage 93000 {codes[0][:12]}`, or "
                                f"`/crosswalk {codes[0][:12]}` for the procedures it supports.")
        raise QuestionError(f"“{codes[0][:20]}” is not a CPT or HCPCS code.",
                            "A procedure is 5 characters, like 93000 or G0121: `/coverage 93000`.")
    diagnoses: list[str] = []
    for token in codes[1:]:
        code = _diagnosis(token)
        if code is None:
            raise QuestionError(f"“{token[:20]}” is not an ICD-10-CM code.",
                                "Diagnoses look like I48.91 or Z00.00: `/coverage 93000 I48.91 Z00.00`.")
        if code not in diagnoses:
            diagnoses.append(code)
    if len(diagnoses) > MAX_DIAGNOSES:
        raise QuestionError(f"That is {len(diagnoses)} diagnoses; ask about at most {MAX_DIAGNOSES} at once.",
                            "Split them over two questions.")
    return Question(procedure, tuple(diagnoses), narrowing, page)


def parse_crosswalk(text: str) -> CrosswalkQuestion:
    """`93000` (procedure -> diagnoses) or `I48.91` (diagnosis -> procedures), optionally narrowed."""
    codes, narrowing, _ = _split(text)
    if len(codes) != 1:
        raise QuestionError("Crosswalk takes one code." if codes else "Which code?",
                            "`/crosswalk 93000` for the diagnoses that support a procedure, "
                            "`/crosswalk I48.91` for the procedures a diagnosis supports.")
    token = codes[0]
    procedure = None if "." in token else _procedure(token)
    diagnosis = _diagnosis(token)
    if procedure is not None:
        return CrosswalkQuestion(procedure, True, narrowing, also_diagnosis=diagnosis or "")
    if diagnosis is not None:
        return CrosswalkQuestion(diagnosis, False, narrowing)
    raise QuestionError(f"“{token[:20]}” is not a CPT, HCPCS or ICD-10-CM code.",
                        "For example `/crosswalk 93000` or `/crosswalk I48.91`.")
