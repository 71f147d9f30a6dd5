"""Lookup: what a person typed -> the record, or a clear reason with the nearest useful codes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from core.codes.catalog import Catalog
from core.codes.normalize import CodeGuess, Parsed, parse_code
from core.codes.record import CodeRecord, RecordKind, System


class Outcome(enum.StrEnum):
    FOUND = "found"
    TERMINATED = "terminated"  # found, but no longer valid (the record says since when)
    NOT_LICENSED = "not_licensed"  # a CPT code without the project's summary or a licensed descriptor
    HEADER = "header"  # a category that is not billable; `suggestions` are billable codes under it
    NEEDS_SEVENTH = "needs_seventh"  # the code takes a 7th character; `seventh` lists them
    NEEDS_PLACEHOLDER = "needs_placeholder"  # W21.89A -> W21.89XA
    BAD_SEVENTH = "bad_seventh"  # a 7th character the category does not define
    UNKNOWN = "unknown"  # well-formed but not in the catalog; `suggestions` are the nearest codes
    NOT_IMPORTED = "not_imported"  # a HCPCS code while no HCPCS file has been imported
    MALFORMED = "malformed"

    @property
    def shows_card(self) -> bool:
        return self in (Outcome.FOUND, Outcome.TERMINATED)


@dataclass(frozen=True)
class LookupResult:
    outcome: Outcome
    typed: str
    system: System | None = None
    code: str = ""
    record: CodeRecord | None = None
    reason: str = ""
    suggestions: tuple[str, ...] = ()
    seventh: dict[str, str] = field(default_factory=dict)
    section: str = ""  # for NOT_LICENSED: the CPT section and subsection


def lookup(catalog: Catalog, text: str, system: System | None = None, today: date | None = None) -> LookupResult:
    parsed = parse_code(text, hint=system)
    if not isinstance(parsed, Parsed):
        return LookupResult(Outcome.MALFORMED, parsed.typed, system, reason=parsed.reason)
    guesses = [g for g in parsed.guesses if system is None or g.system is system] or list(parsed.guesses)
    results = [_resolve(catalog, g, parsed.typed, today or date.today()) for g in guesses]
    # Prefer a reading that found a record; otherwise the reading in the system asked for.
    for result in results:
        if result.outcome.shows_card:
            return result
    for result in results:
        if result.outcome not in (Outcome.UNKNOWN, Outcome.NOT_IMPORTED):
            return result
    if system is not None and system not in {g.system for g in parsed.guesses}:
        return LookupResult(Outcome.MALFORMED, parsed.typed, system,
                            reason=f"{parsed.typed} is not shaped like a {system.label} code")
    return results[0]


def _resolve(catalog: Catalog, guess: CodeGuess, typed: str, today: date) -> LookupResult:
    if guess.system is System.ICD10CM:
        return _resolve_icd(catalog, guess.code, typed)
    record = catalog.get(guess.system, guess.code)
    if record is not None:
        if record.terminated is not None and record.terminated <= today:
            return LookupResult(Outcome.TERMINATED, typed, guess.system, guess.code, record,
                                reason=f"terminated on {record.terminated:%Y-%m-%d}")
        return LookupResult(Outcome.FOUND, typed, guess.system, guess.code, record)
    if guess.system is System.HCPCS and not catalog.codes(System.HCPCS):
        return LookupResult(Outcome.NOT_IMPORTED, typed, System.HCPCS, guess.code,
                            reason="no HCPCS Level II file has been imported yet")
    if guess.system is System.CPT and not guess.modifier:
        holding = catalog.cpt_ranges_holding(guess.code)
        if holding and not catalog.cpt_licensed:
            return LookupResult(Outcome.NOT_LICENSED, typed, System.CPT, guess.code,
                                section=" › ".join(r.label for r in holding),
                                reason="CodeDesk has no summary for this code, and the official CPT "
                                       "descriptor needs an AMA licence")
    kind = "modifier" if guess.modifier else "code"
    return LookupResult(Outcome.UNKNOWN, typed, guess.system, guess.code,
                        reason=f"{guess.code} is not a {guess.system.label} {kind}",
                        suggestions=tuple(catalog.neighbours(guess.system, guess.code)) if not guess.modifier
                        else ())


def _resolve_icd(catalog: Catalog, code: str, typed: str) -> LookupResult:
    record = catalog.get(System.ICD10CM, code)
    if record is not None and record.kind is RecordKind.CODE:
        return LookupResult(Outcome.FOUND, typed, System.ICD10CM, code, record)
    if record is not None:
        seventh = catalog.seventh_characters(record)
        if seventh and _takes_seventh_here(code):
            return LookupResult(Outcome.NEEDS_SEVENTH, typed, System.ICD10CM, code, record,
                                reason=f"{code} needs a 7th character", seventh=seventh,
                                suggestions=tuple(c.code for c in catalog.billable_descendants(record, 10)))
        return LookupResult(Outcome.HEADER, typed, System.ICD10CM, code, record,
                            reason=f"{code} is a category header and is not billable",
                            suggestions=tuple(c.code for c in catalog.billable_descendants(record, 12)))
    plain = code.replace(".", "")
    if len(plain) == 7:
        stem, seventh_char = plain[:6], plain[6]
        stem_code = f"{stem[:3]}.{stem[3:]}"
        stem_record = catalog.get(System.ICD10CM, stem_code)
        if stem_record is not None:
            chars = catalog.seventh_characters(stem_record)
            if chars and seventh_char not in chars:
                return LookupResult(Outcome.BAD_SEVENTH, typed, System.ICD10CM, code, stem_record,
                                    reason=f"{seventh_char} is not a 7th character {stem_code} takes",
                                    seventh=chars)
    if 4 <= len(plain) <= 6 and plain[-1].isalpha():
        # A 7th character typed too early: pad the code out with the placeholder X.
        base, seventh_char = plain[:-1], plain[-1]
        padded = base.ljust(6, "X") + seventh_char
        candidate = f"{padded[:3]}.{padded[3:]}"
        if catalog.get(System.ICD10CM, candidate) is not None:
            return LookupResult(Outcome.NEEDS_PLACEHOLDER, typed, System.ICD10CM, code,
                                reason=f"{code} is missing the placeholder X", suggestions=(candidate,))
    return LookupResult(Outcome.UNKNOWN, typed, System.ICD10CM, code,
                        reason=f"{code} is not an ICD-10-CM code",
                        suggestions=tuple(catalog.neighbours(System.ICD10CM, code)))


def _takes_seventh_here(code: str) -> bool:
    # Codes shorter than 6 characters get placeholder X before the 7th character.
    return len(code.replace(".", "")) <= 6
