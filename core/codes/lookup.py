"""Lookup: what a person typed -> the record, or a clear reason with the nearest useful codes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
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
    DELETED = "deleted"  # deleted from the code set; `suggestions` are what replaced it
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
    history: str = ""  # how the code left the billable set, when known ("… since FY2022 …")
    alternatives: tuple[tuple[System, str], ...] = ()  # other readings that exist ("did you mean")


def lookup(catalog: Catalog, text: str, system: System | None = None, today: date | None = None) -> LookupResult:
    parsed = parse_code(text, hint=system)
    if not isinstance(parsed, Parsed):
        return LookupResult(Outcome.MALFORMED, parsed.typed, system, reason=parsed.reason)
    guesses = [g for g in parsed.guesses if system is None or g.system is system] or list(parsed.guesses)
    results = [_resolve(catalog, g, parsed.typed, today or date.today()) for g in guesses]
    # Prefer a current record, then a retired one, then the reading in the system asked for.
    chosen = next((r for r in results if r.outcome is Outcome.FOUND), None) \
        or next((r for r in results if r.outcome.shows_card), None) \
        or next((r for r in results if r.outcome not in (Outcome.UNKNOWN, Outcome.NOT_IMPORTED)), None)
    if chosen is None and system is not None and system not in {g.system for g in parsed.guesses}:
        return LookupResult(Outcome.MALFORMED, parsed.typed, system,
                            reason=f"{parsed.typed} is not shaped like a {system.label} code")
    chosen = chosen or results[0]
    # A dotless code that is also a real code elsewhere (g8929: HCPCS G8929 and ICD-10-CM G89.29).
    others = tuple((r.system, r.code) for r in results
                   if r is not chosen and r.system is not None and r.record is not None
                   and r.outcome in (Outcome.FOUND, Outcome.TERMINATED, Outcome.HEADER))
    return replace(chosen, alternatives=others) if others else chosen


def _resolve(catalog: Catalog, guess: CodeGuess, typed: str, today: date) -> LookupResult:
    if guess.system is System.ICD10CM:
        return _resolve_icd(catalog, guess.code, typed)
    deleted = None if guess.modifier else catalog.deleted_code(guess.system, guess.code)
    if deleted is not None and deleted.year <= today.year:
        return LookupResult(Outcome.DELETED, typed, guess.system, guess.code,
                            catalog.get(guess.system, guess.code),
                            reason=f"{guess.system.label} {guess.code} was deleted in {deleted.year} and is "
                                   "not billable", suggestions=deleted.replaced_by, history=deleted.note)
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
                                reason=f"CodeDesk has no summary for {guess.code} and cannot say whether it is "
                                       "a current code; the official CPT descriptor needs an AMA licence")
    kind = "modifier" if guess.modifier else "code"
    if guess.system is System.HCPCS:
        year = catalog.data_year(System.HCPCS)
        reason = f"{guess.code} is not in the loaded HCPCS file" + (f" ({year})" if year else "")
        if year and int(year) < today.year:
            reason += "; it may be newer than that file"
    else:
        reason = f"{guess.code} is not a {guess.system.label} {kind}"
    return LookupResult(Outcome.UNKNOWN, typed, guess.system, guess.code, reason=reason,
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
        history = catalog.history(code)
        return LookupResult(Outcome.HEADER, typed, System.ICD10CM, code, record,
                            reason=f"{code} is a category header and is not billable",
                            suggestions=tuple(c.code for c in catalog.billable_descendants(record, 12)),
                            history=history.sentence() if history else "")
    history = catalog.history(code)
    if history is not None:
        return LookupResult(Outcome.DELETED, typed, System.ICD10CM, code,
                            reason=f"{code} is no longer an ICD-10-CM code", suggestions=history.replaced_by,
                            history=history.sentence())
    plain = code.replace(".", "")
    if len(plain) == 7:
        stem, seventh_char = plain[:6], plain[6]
        # T14.8XXZ: the placeholders pad the code out; the category that defines the characters is T14.8.
        stem = stem.rstrip("X") or stem
        stem_code = f"{stem[:3]}.{stem[3:]}" if len(stem) > 3 else stem
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
