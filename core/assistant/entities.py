"""Entities in a coder's question: codes of every system, modifiers, units, places of service, dates of
service, credentials and US states. Offline and regex-based; codes are checked against the catalog
when one is given, so "B12" in "vitamin B12" is not taken for a code."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from core.codes import systems
from core.codes.catalog import Catalog
from core.codes.normalize import icd_canonical
from core.codes.record import System

NUMERIC_MODIFIERS = frozenset({
    "22", "23", "24", "25", "26", "27", "32", "33", "47", "50", "51", "52", "53", "54", "55", "56", "57",
    "58", "59", "62", "63", "66", "73", "74", "76", "77", "78", "79", "80", "81", "82", "90", "91", "92",
    "93", "95", "96", "97", "99",
})
# Two-letter HCPCS modifiers coders name without the word "modifier"; whole tokens only.
LETTER_MODIFIERS = frozenset({
    "XE", "XS", "XP", "XU", "RT", "LT", "TC", "GA", "GY", "GZ", "KX", "FS", "FQ", "GT", "GQ", "QW", "JW",
    "JZ", "FY", "CS", "CR", "GC", "GE", "AI", "SA", "SB", "QK", "QX", "QY", "QZ", "AS", "GP", "GO", "GN",
    "FA", "TA", "LC", "LD", "RC", "LM", "RI", "PO", "PN", "PD", "CO", "CQ", "KF", "NU", "RR", "UE",
})
STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID",
    "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX",
    "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC", "puerto rico": "PR",
}
_STATE_CODES = frozenset(STATES.values())
# Postal codes that are also words, modifiers or titles: a state only after "in", "from", a comma, …
_AMBIGUOUS_STATES = frozenset({"IN", "OR", "ME", "OK", "HI", "MD", "PA", "CO", "DE", "LA", "MA", "AL", "ID",
                               "MS", "MI", "GA", "RI", "NE", "SC", "PR", "DC", "UT", "MT", "CT"})
CREDENTIALS = ("CPC-A", "CPC-P", "CPC", "CCS-P", "CCS", "CCA", "RHIT", "RHIA", "CRC", "COC", "CIC", "CPB",
               "CPMA", "CDIP", "CPCO", "CEMC", "CPPM", "CHONC", "CCDS")
T = TypeVar("T")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}

_CODE = systems.code_token_pattern()
_HCPCS = systems.HCPCS_CODE
_CPT = systems.CPT_CODE
_MOD_WORD = re.compile(r"\b(?:modifiers?|mods?)\b[\s:#-]*", re.IGNORECASE)
_MOD_TOKEN = re.compile(r"-?([0-9]{2}|[A-Za-z]{2}|[A-Za-z][0-9]|[0-9][A-Za-z])\b")
_LIST_GLUE = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|\bvs\.?|\bversus\b|\binstead of\b)?\s*", re.IGNORECASE)
_ATTACHED = re.compile(rf"(?<![\w.]){systems.SERVICE_TOKEN}-([0-9A-Za-z]{{2}})\b")
_BARE_NUMERIC = re.compile(r"\b(?:a|an|the|put|need|add|use|append)\s+(\d{2})\s+(?:on|to|with|modifier|mod)\b",
                           re.IGNORECASE)
_AFTER_MOD = re.compile(r"\b(\d{2})\s+modifiers?\b"
                        r"|\b(?:append|appending|attach|apply|use|using)\s+(?:a |an |the )?(\d{2})\b"
                        r"|\b(\d{2})\s+(?:allowed|appended|on (?:the|an?|e/?m|\d{5}))\b", re.IGNORECASE)
_UNITS = re.compile(r"\b(\d{1,3})\s*(?:units?|u)\b|\bunits?\s*[:=]\s*(\d{1,3})\b|\bx\s?(\d{1,2})\b", re.IGNORECASE)
_POS = re.compile(r"\b(?:pos|place of service)\s*[:#]?\s*(\d{1,2})\b"
                  r"((?:\s*(?:,|/|or|and|vs\.?)\s*(?:pos\s*)?\d{2}\b)*)", re.IGNORECASE)
_POS_MORE = re.compile(r"\d{2}")
_LONE_NUMBER = re.compile(r"(?<![\w.:-])(?<!\d/)(\d{2})(?![\w.:-])(?!/\d)"
                          r"(?!\s*(?:units?|minutes?|mins?|years?|yo|y/o|weeks?|days?|%|percent))", re.IGNORECASE)
_POS_BEFORE = re.compile(r"(?:\bpos|place of service)\s*[:#]?\s*(?:\d{2}\s*(?:,|/|or|and|vs\.?)\s*)*$", re.IGNORECASE)
_DATE_US = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DATE_WORDS = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})"
                         r"(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE)
_CREDENTIAL = re.compile(r"(?<![\w-])(" + "|".join(re.escape(c) for c in CREDENTIALS) + r")(?![\w-])", re.IGNORECASE)
_STATE_NAME = re.compile(r"\b(" + "|".join(sorted(STATES, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_STATE_CODE = re.compile(r"(?<![\w-])([A-Z]{2})(?![\w-])")
_STATE_LEAD = re.compile(r"(?:\bin|\bfrom|\bnear|\bremote|\bstate of|,)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CodeMention:
    system: System
    code: str

    @property
    def label(self) -> str:
        return f"{self.system.value}:{self.code}"


@dataclass(frozen=True, slots=True)
class Entities:
    codes: tuple[CodeMention, ...] = ()
    modifiers: tuple[str, ...] = ()
    units: tuple[int, ...] = ()
    places_of_service: tuple[str, ...] = ()
    dates_of_service: tuple[date, ...] = ()
    credentials: tuple[str, ...] = ()
    states: tuple[str, ...] = ()

    @property
    def procedure_codes(self) -> tuple[CodeMention, ...]:
        return tuple(c for c in self.codes if c.system is not System.ICD10CM)

    @property
    def diagnosis_codes(self) -> tuple[CodeMention, ...]:
        return tuple(c for c in self.codes if c.system is System.ICD10CM)

    def labels(self) -> set[str]:
        """Every entity as "kind:value", the shape the question sets use."""
        out = {c.label for c in self.codes}
        out |= {f"modifier:{m}" for m in self.modifiers}
        out |= {f"units:{u}" for u in self.units}
        out |= {f"pos:{p}" for p in self.places_of_service}
        out |= {f"dos:{d.isoformat()}" for d in self.dates_of_service}
        out |= {f"credential:{c}" for c in self.credentials}
        out |= {f"state:{s}" for s in self.states}
        return out

    def summary(self) -> str:
        """A short line for an answer: what was understood."""
        parts = [", ".join(c.code for c in self.codes)] if self.codes else []
        if self.modifiers:
            parts.append("modifier " + ", ".join(self.modifiers))
        if self.units:
            parts.append(", ".join(f"{u} unit{'s' if u != 1 else ''}" for u in self.units))
        if self.places_of_service:
            parts.append("POS " + ", ".join(self.places_of_service))
        if self.dates_of_service:
            parts.append("DOS " + ", ".join(d.isoformat() for d in self.dates_of_service))
        if self.credentials:
            parts.append(", ".join(self.credentials))
        if self.states:
            parts.append(", ".join(self.states))
        return "; ".join(parts)


def extract(text: str, catalog: Catalog | None = None) -> Entities:
    """Every entity in `text`, each once, in the order first seen."""
    modifiers = _modifiers(text)
    return Entities(
        codes=tuple(_unique(_codes(text, catalog))),
        modifiers=tuple(_unique(modifiers)),
        units=tuple(_unique(_units(text))),
        places_of_service=tuple(_unique(_places(text))),
        dates_of_service=tuple(_unique(_dates(text))),
        credentials=tuple(_unique(m.group(1).upper() for m in _CREDENTIAL.finditer(text))),
        states=tuple(_unique(_states(text, set(modifiers)))),
    )


def _unique(items: Iterable[T]) -> list[T]:
    seen: list[T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _codes(text: str, catalog: Catalog | None) -> Iterable[CodeMention]:
    for match in _CODE.finditer(text):
        token = match.group(0).upper()
        if not any(ch.isdigit() for ch in token):
            continue
        mention = _classify_code(token, catalog)
        if mention is not None:
            yield mention


def _classify_code(token: str, catalog: Catalog | None) -> CodeMention | None:
    if _CPT.match(token):
        return CodeMention(System.CPT, token)
    icd = icd_canonical(token)
    icd_known = icd is not None and (catalog is None or catalog.get(System.ICD10CM, icd) is not None)
    if _HCPCS.match(token) and "." not in token:
        # A HCPCS shape is also an undotted ICD-10-CM shape (J1885 / J18.85): HCPCS unless only ICD knows it.
        hcpcs_known = catalog is None or not catalog.codes(System.HCPCS) \
            or catalog.get(System.HCPCS, token) is not None
        if hcpcs_known or not icd_known:
            return CodeMention(System.HCPCS, token)
    if icd is not None and icd_known:
        return CodeMention(System.ICD10CM, icd)
    return None


def _modifiers(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for match in _MOD_WORD.finditer(text):
        at = match.end()
        while True:
            token = _MOD_TOKEN.match(text, at)
            raw = token.group(1) if token is not None else ""
            # After "modifier", digits or capitals are modifiers ("modifier GA"); "modifier 57 on" stops at "on".
            if token is None or not (raw.isdigit() or raw.isupper()) or not _is_modifier(raw.upper(), named=True):
                break
            found.append((token.start(1), token.group(1).upper()))
            glue = _LIST_GLUE.match(text, token.end())
            at = glue.end() if glue else token.end()
    for pattern in (_ATTACHED, _BARE_NUMERIC, _AFTER_MOD):
        for match in pattern.finditer(text):
            group = next(i for i in range(1, (match.lastindex or 1) + 1) if match.group(i) is not None)
            value = match.group(group).upper()
            if _is_modifier(value, named=pattern is _ATTACHED) and (match.start(group), value) not in found:
                found.append((match.start(group), value))
    for match in re.finditer(r"(?<![\w-])([A-Za-z]{2})(?![\w-])", text):
        value = match.group(1).upper()
        if value in LETTER_MODIFIERS and _letters_mean_modifier(text, match, value):
            found.append((match.start(1), value))
    # Once a question is about modifiers, its other modifier numbers count too ("26/TC", "XU or 59").
    if found or _MOD_WORD.search(text):
        positions = {at for at, _ in found}
        for match in _LONE_NUMBER.finditer(text):
            if match.start(1) not in positions and match.group(1) in NUMERIC_MODIFIERS \
                    and not _POS_BEFORE.search(text[: match.start(1)]):
                found.append((match.start(1), match.group(1)))
    return [value for _, value in sorted(found)]


def _is_modifier(value: str, *, named: bool) -> bool:
    if value in NUMERIC_MODIFIERS or value in LETTER_MODIFIERS:
        return True
    return named and len(value) == 2 and value.isalnum() and not value.isdigit() and value.isupper()


def _letters_mean_modifier(text: str, match: re.Match[str], value: str) -> bool:
    raw = match.group(1)
    before = text[: match.start()]
    if value in _AMBIGUOUS_STATES and _STATE_LEAD.search(before):
        return False  # "jobs in GA": Georgia
    if raw.isupper():
        return True
    # Lower-case only for the ones that are never ordinary words.
    return value in {"XE", "XS", "XP", "XU", "TC", "KX", "GY", "GZ", "FS", "FQ", "RT", "LT"}


def _units(text: str) -> Iterable[int]:
    for match in _UNITS.finditer(text):
        value = next(g for g in match.groups() if g is not None)
        if match.group(0).lower().startswith("x") and not re.search(r"\bx\s?\d", match.group(0), re.IGNORECASE):
            continue
        number = int(value)
        if 0 < number < 1000:
            yield number


def _places(text: str) -> Iterable[str]:
    for match in _POS.finditer(text):
        yield match.group(1).zfill(2)
        for more in _POS_MORE.finditer(match.group(2) or ""):
            yield more.group(0)


def _dates(text: str) -> Iterable[date]:
    found: list[tuple[int, date]] = []
    for match in _DATE_ISO.finditer(text):
        _add_date(found, match.start(), int(match.group(1)), int(match.group(2)), int(match.group(3)))
    for match in _DATE_US.finditer(text):
        year = int(match.group(3))
        _add_date(found, match.start(), year + 2000 if year < 100 else year, int(match.group(1)), int(match.group(2)))
    for match in _DATE_WORDS.finditer(text):
        _add_date(found, match.start(), int(match.group(3)), _MONTHS[match.group(1).lower()[:3]], int(match.group(2)))
    return [d for _, d in sorted(found)]


def _add_date(found: list[tuple[int, date]], at: int, year: int, month: int, day: int) -> None:
    with contextlib.suppress(ValueError):  # 13/45/2026 is not a date; ignore it rather than guess
        found.append((at, date(year, month, day)))


def _states(text: str, modifiers: set[str]) -> Iterable[str]:
    found: list[tuple[int, str]] = [(m.start(), STATES[m.group(1).lower()]) for m in _STATE_NAME.finditer(text)]
    for match in _STATE_CODE.finditer(text):
        code = match.group(1)
        if code not in _STATE_CODES:
            continue
        lead = bool(_STATE_LEAD.search(text[: match.start()]))
        if (code in _AMBIGUOUS_STATES or code in LETTER_MODIFIERS) and not lead:
            continue
        found.append((match.start(), code))
    return [s for _, s in sorted(found)]
