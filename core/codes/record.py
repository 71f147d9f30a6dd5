"""The one record shape every code system shares: ICD-10-CM, HCPCS Level II, CPT and modifiers."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from core.codes.systems import System

__all__ = ["CodeRecord", "Note", "NoteKind", "RecordKind", "System"]


class RecordKind(enum.StrEnum):
    """Where a record sits: a code a claim can carry, a grouping above codes, or a modifier."""

    CODE = "code"
    CATEGORY = "category"  # an ICD-10-CM category or subcategory that has children
    BLOCK = "block"  # an ICD-10-CM block (E08-E13) or a CPT subsection range
    CHAPTER = "chapter"  # an ICD-10-CM chapter or a CPT section
    MODIFIER = "modifier"


class NoteKind(enum.StrEnum):
    INCLUSION_TERM = "inclusion_term"
    INCLUDES = "includes"
    EXCLUDES1 = "excludes1"
    EXCLUDES2 = "excludes2"
    CODE_FIRST = "code_first"
    USE_ADDITIONAL_CODE = "use_additional_code"
    CODE_ALSO = "code_also"
    NOTE = "note"
    SEVENTH_CHARACTER = "seventh_character"

    @property
    def label(self) -> str:
        return {
            "inclusion_term": "Inclusion terms",
            "includes": "Includes",
            "excludes1": "Excludes1 (never coded together)",
            "excludes2": "Excludes2 (not included here; may be coded together)",
            "code_first": "Code first",
            "use_additional_code": "Use additional code",
            "code_also": "Code also",
            "note": "Notes",
            "seventh_character": "7th characters",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Note:
    """One note line. `inherited_from` names the ancestor the note was written on, if not this code."""

    kind: NoteKind
    text: str
    inherited_from: str | None = None


@dataclass(frozen=True, slots=True)
class CodeRecord:
    system: System
    code: str
    title: str  # the short title; for CPT without a licence, the project's own short label
    description: str = ""  # the long (official) description; empty when not licensed
    summary: str = ""  # the project's own plain-language summary, labelled as such
    kind: RecordKind = RecordKind.CODE
    parent: str | None = None
    children: tuple[str, ...] = ()
    section: str = ""  # chapter / section label, e.g. "Pathology and Laboratory (80047-89398)"
    billable: bool = True
    effective: date | None = None
    terminated: date | None = None
    notes: tuple[Note, ...] = ()
    source: str = ""  # e.g. "CDC ICD-10-CM (simple-icd-10-cm)", "CMS HCPCS alpha-numeric file"
    version: str = ""  # e.g. "April 2026", "2020"
    licensed: bool = True  # False for CPT codes whose official descriptor is not imported
    attributes: tuple[tuple[str, str], ...] = field(default=())  # extra labelled facts (HCPCS BETOS, ...)

    @property
    def key(self) -> tuple[System, str]:
        return (self.system, self.code)

    def notes_of(self, kind: NoteKind) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.kind is kind)

    def attribute(self, name: str) -> str | None:
        for key, value in self.attributes:
            if key == name:
                return value
        return None
