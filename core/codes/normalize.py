"""Turn what people type ("e119", " E11.9 ", "mod 25", "-59", "J1885") into a code and its system,
or a plain reason why it cannot be one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.codes import systems
from core.codes.systems import System

_CPT_MODIFIER = systems.CPT_MODIFIER
_HCPCS_MODIFIER = systems.HCPCS_MODIFIER
_MODIFIER_PREFIX = re.compile(r"^(?:MODIFIER|MOD)\s*[:#-]?\s*|^-")
# Tokens in free text that look like a code; checked against the catalog before use.
_CODE_TOKEN = systems.code_token_pattern()


@dataclass(frozen=True, slots=True)
class CodeGuess:
    """One reading of the input: a canonical code in a system."""

    system: System
    code: str
    modifier: bool = False


@dataclass(frozen=True, slots=True)
class Parsed:
    guesses: tuple[CodeGuess, ...]  # most likely first
    typed: str  # the cleaned input, for messages


@dataclass(frozen=True, slots=True)
class Unparsed:
    reason: str
    typed: str


def clean(text: str) -> str:
    """Upper-case, trimmed, with inner spaces and stray punctuation at the ends removed."""
    text = "".join(ch for ch in text if ch.isprintable()).strip().upper()
    return text.strip(" \t,;:!?()[]{}'\"`")


def icd_canonical(text: str) -> str | None:
    """"E119" / "e11.9" -> "E11.9"; None when it cannot be an ICD-10-CM code."""
    return systems.SYSTEMS[System.ICD10CM].canonical(text)


def parse_code(text: str, hint: System | None = None) -> Parsed | Unparsed:
    typed = clean(text)
    if not typed:
        return Unparsed("nothing was typed" if not text.strip() else "it has no letters or digits", typed)
    if len(typed) > 20:
        return Unparsed("that is too long to be a code", typed[:20] + "…")
    modifier_form = _MODIFIER_PREFIX.match(typed)
    if modifier_form:
        body = typed[modifier_form.end():].strip()
        return _modifier(body, typed, hint)
    compact = typed.replace(" ", "")
    guesses = [CodeGuess(system, code) for system, code in systems.guesses(compact)]
    if not guesses and hint is not None and (_CPT_MODIFIER.match(compact) or _HCPCS_MODIFIER.fullmatch(compact)):
        return _modifier(compact, typed, hint)
    if not guesses and _CPT_MODIFIER.match(compact):
        return _modifier(compact, typed, hint)
    if not guesses:
        return Unparsed(_why_not(compact), typed)
    if hint is not None:
        guesses.sort(key=lambda g: g.system is not hint)
    return Parsed(tuple(guesses), typed)


def _modifier(body: str, typed: str, hint: System | None) -> Parsed | Unparsed:
    body = body.replace(" ", "")
    if _CPT_MODIFIER.match(body):
        guesses = [CodeGuess(System.CPT, body, modifier=True)]
        if body.startswith("P"):
            guesses.append(CodeGuess(System.HCPCS, body, modifier=True))
        return Parsed(tuple(guesses), typed)
    if len(body) == 2 and body.isalnum():
        return Parsed((CodeGuess(System.HCPCS, body, modifier=True),), typed)
    return Unparsed("a modifier is two characters, like 25, 59 or LT", typed)


def _why_not(compact: str) -> str:
    if compact.isdigit():
        return f"a CPT code has 5 digits; {compact} has {len(compact)}"
    if re.fullmatch(r"[A-Z]\d+", compact) and len(compact) > 5:
        return "a HCPCS code is one letter and 4 digits, like J1885"
    if not any(ch.isalnum() for ch in compact):
        return "it has no letters or digits"
    return "it does not look like an ICD-10-CM, CPT or HCPCS code"


def find_code_tokens(text: str) -> list[str]:
    """Code-shaped words in free text ("what is 99213 and E11.9?" -> ["99213", "E11.9"]), in order."""
    seen: list[str] = []
    for match in _CODE_TOKEN.finditer(text):
        token = match.group(0).upper()
        if token not in seen and any(ch.isdigit() for ch in token):
            seen.append(token)
    return seen
