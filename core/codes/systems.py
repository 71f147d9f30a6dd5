"""The one registry of code systems: for each, its label, the names people type for it, the shapes its
codes and modifiers take, its canonical form and an example.

Everything that reads a code's shape (normalize, search, autocomplete, the CPT importer, the command
examples) asks this module, so adding a code system is a change here plus its data source.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass


class System(enum.StrEnum):
    """A code system, by the short name people and the CLI use."""

    ICD10CM = "icd10cm"
    HCPCS = "hcpcs"
    CPT = "cpt"

    @property
    def spec(self) -> CodeSystem:
        return SYSTEMS[self]

    @property
    def label(self) -> str:
        return SYSTEMS[self].label

    @classmethod
    def parse(cls, text: str) -> System | None:
        """Accept the spellings people use: icd10, icd-10-cm, hcpcs, cpt, ..."""
        return _ALIASES.get(_alias_key(text))


def _alias_key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _icd_canonical(text: str) -> str | None:
    """"E119" / "e11.9" / "QA0.0101" -> the dotted form; None when it cannot be an ICD-10-CM code."""
    match = ICD_CODE.match(text.upper())
    if not match:
        return None
    head, rest = match.groups()
    return head + (f".{rest}" if rest else "")


def _plain_canonical(shape: re.Pattern[str]) -> Callable[[str], str | None]:
    def canonical(text: str) -> str | None:
        text = text.upper()
        return text if shape.match(text) else None
    return canonical


# ICD-10-CM: a letter, a digit and a character (or the provisional category QA0), then up to four
# after the dot. Word-like strings ("FLU") must not read as codes, so only QA0 breaks the pattern.
ICD_CODE = re.compile(r"^([A-Z]\d[0-9A-Z]|QA0)\.?([0-9A-Z]{0,4})$")
ICD_PREFIX = re.compile(r"^(?:[A-Z]\d[0-9A-Z]?|QA0?)(?:\.?[0-9A-Z]{0,4})?$")
ICD_DECIMAL_COMMA = re.compile(r"^([A-Z]\d[0-9A-Z]|QA0),([0-9A-Z]{1,4})$")  # "e11,9": a decimal comma
ICD_UNDOTTED = re.compile(r"^([A-Z]\d[0-9A-Z]|QA0)([0-9A-Z]{1,4})$")
# HCPCS Level II: one letter (not D, F, I, N, O, W, X, Y, Z in the CMS file) and four digits.
HCPCS_CODE = re.compile(r"^[A-CEGHJ-MP-V]\d{4}$")
HCPCS_PREFIX = re.compile(r"^[A-V]\d{1,4}$")
HCPCS_MODIFIER = re.compile(r"^(?:[A-Z][0-9A-Z]|[0-9][A-Z])$")
# CPT: five digits (Category I), four digits and F (Category II), T (Category III) or U (PLA).
CPT_CODE = re.compile(r"^\d{4}[0-9FTU]$")
CPT_PREFIX = re.compile(r"^\d{3,4}[0-9FTU]?$")
CPT_MODIFIER = re.compile(r"^(\d{2}|P[1-6])$")


class CptCategory(enum.StrEnum):
    """Which part of CPT a code belongs to, read from its shape."""

    CATEGORY_I = "Category I"
    CATEGORY_II = "Category II (performance measurement)"
    CATEGORY_III = "Category III (emerging technology)"
    PLA = "Proprietary Laboratory Analyses (PLA)"


def cpt_category(code: str) -> CptCategory | None:
    if not CPT_CODE.match(code):
        return None
    return {"F": CptCategory.CATEGORY_II, "T": CptCategory.CATEGORY_III,
            "U": CptCategory.PLA}.get(code[-1], CptCategory.CATEGORY_I)


@dataclass(frozen=True)
class CodeSystem:
    """Everything the house needs to know about a code system's shapes and names."""

    system: System
    label: str
    aliases: tuple[str, ...]  # what people type to name it ("icd10", "cpt4", ...), compared alphanumerically
    code_shape: re.Pattern[str]  # a whole code, as typed without spaces (dot optional for ICD-10-CM)
    prefix_shape: re.Pattern[str]  # the start of a code, for family listings and autocomplete
    modifier_shape: re.Pattern[str] | None  # its modifiers, when it has any
    canonical: Callable[[str], str | None]  # typed -> the catalog's spelling, or None
    example: str  # shown in help and error replies
    token: str  # a regex fragment finding its codes inside free text

    def is_code(self, text: str) -> bool:
        return self.canonical(text) is not None

    def is_modifier(self, text: str) -> bool:
        return self.modifier_shape is not None and bool(self.modifier_shape.match(text.upper()))


SYSTEMS: dict[System, CodeSystem] = {
    System.ICD10CM: CodeSystem(
        System.ICD10CM, "ICD-10-CM", ("icd10cm", "icd10", "icd", "icd10diagnosis", "dx"),
        ICD_CODE, ICD_PREFIX, None, _icd_canonical, "E11.9",
        r"[A-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4}|QA0\.[0-9A-Z]{1,4}|[A-Z]\d{2}[0-9A-Z]{0,4}"),
    System.HCPCS: CodeSystem(
        System.HCPCS, "HCPCS Level II", ("hcpcs", "hcpcs2", "hcpcsii", "level2", "hcpcslevelii"),
        HCPCS_CODE, HCPCS_PREFIX, HCPCS_MODIFIER, _plain_canonical(HCPCS_CODE), "J1885",
        r"[A-V]\d{4}"),
    System.CPT: CodeSystem(
        System.CPT, "CPT", ("cpt", "cpt4", "cptcode"),
        CPT_CODE, CPT_PREFIX, CPT_MODIFIER, _plain_canonical(CPT_CODE), "99213",
        r"\d{4}[0-9FTU]"),
}

_ALIASES: dict[str, System] = {alias: spec.system for spec in SYSTEMS.values() for alias in spec.aliases}


def spec_of(system: System) -> CodeSystem:
    return SYSTEMS[system]


def all_systems() -> tuple[CodeSystem, ...]:
    return tuple(SYSTEMS.values())


def system_word(word: str) -> System | None:
    """A leading word naming a system ("CPT 99213", "ICD E11.9"); None when it names none."""
    return _ALIASES.get(_alias_key(word))


def example(system: System | None) -> str:
    return SYSTEMS[system].example if system else SYSTEMS[System.ICD10CM].example


def code_token_pattern() -> re.Pattern[str]:
    """Code-shaped words in free text, over every system; checked against the catalog before use."""
    body = "|".join(spec.token for spec in SYSTEMS.values())
    return re.compile(rf"(?<![\w.])(?:{body})(?![\w])", re.IGNORECASE)


def guesses(compact: str) -> list[tuple[System, str]]:
    """Every system whose code shape `compact` fits, with its canonical spelling, in registry order
    CPT, HCPCS, ICD-10-CM (numbers first: a five-digit string is never a diagnosis)."""
    out: list[tuple[System, str]] = []
    for system in (System.CPT, System.HCPCS, System.ICD10CM):
        canonical = SYSTEMS[system].canonical(compact)
        if canonical is not None:
            out.append((system, canonical))
    return out


def family_prefixes(token: str) -> list[tuple[System, str]]:
    """The code families a typed prefix may start ("E11" in ICD-10-CM, "992" in CPT)."""
    out: list[tuple[System, str]] = []
    for system in (System.CPT, System.HCPCS, System.ICD10CM):
        spec = SYSTEMS[system]
        if not spec.prefix_shape.match(token):
            continue
        if system is System.ICD10CM and len(token.replace(".", "")) >= 3:
            canonical = spec.canonical(token)
            if canonical:
                out.append((system, canonical))
        else:
            out.append((system, token))
    return out


def undotted_prefix(text: str, system: System | None) -> str | None:
    """"e119" typed into autocomplete starts the ICD-10-CM family "E11.9"; None otherwise."""
    if system not in (None, System.ICD10CM):
        return None
    match = ICD_UNDOTTED.match(text)
    return f"{match[1]}.{match[2]}" if match else None


SERVICE_CODE = re.compile(rf"{CPT_CODE.pattern}|{HCPCS_CODE.pattern}")  # a procedure or supply: CPT or HCPCS
SERVICE_TOKEN = rf"(?:{CPT_CODE.pattern[1:-1]}|[A-V]\d{{4}})"  # the same, inside free text (any HCPCS letter)
ICD_CATEGORY = r"[A-Z]\d[0-9A-Z]"  # a three-character ICD-10-CM category, inside a larger pattern
