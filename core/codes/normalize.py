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
    # A trailing full stop ("E11.9.", "99213.") is the end of a sentence, not part of the code.
    return text.strip(" \t,;:!?()[]{}'\"`").rstrip(".").strip()


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
    if not guesses and (_CPT_MODIFIER.match(compact) or _HCPCS_MODIFIER.fullmatch(compact)):
        # A bare two-character word (25, GT, LT) is a modifier.
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


_ICD_DECIMAL_COMMA = systems.ICD_DECIMAL_COMMA
_LIST_SPLIT = re.compile(r"\s*(?:[,;/]|\bAND\b)\s*")
_RANGE = re.compile(r"^([0-9A-Z.]{3,8})\s*(?:[-–—]|\bTO\b|\bTHROUGH\b)\s*([0-9A-Z.]{3,8})$")
_WITH_MODIFIERS = re.compile(r"^([0-9A-Z.]{3,8})((?:\s*-\s*[0-9A-Z]{2}|\s+[0-9A-Z]{2})+)$")


@dataclass(frozen=True, slots=True)
class CodeAsk:
    """What a coder typed after a code command, read the way coders write it.

    `CPT 99213` names the system; `99213-25`, `99213 25`, `J3490-JW` add modifiers; `99202-99205` is
    a range; `E11.9, I10` a list; `e11,9` a decimal comma.
    """

    codes: tuple[str, ...]  # one code, or several for a list
    system: System | None = None  # named by a leading word (CPT, ICD, HCPCS)
    modifiers: tuple[str, ...] = ()
    range: tuple[str, str] | None = None


def read_ask(text: str) -> CodeAsk:
    typed = clean(text)
    system: System | None = None
    first, _, rest = typed.partition(" ")
    named = systems.system_word(first) if rest.strip() else None
    if named is not None:
        system, typed = named, rest.strip()
    decimal = _ICD_DECIMAL_COMMA.match(typed.replace(" ", ""))
    if decimal:
        return CodeAsk((f"{decimal[1]}.{decimal[2]}",), system)
    parts = [p for p in _LIST_SPLIT.split(typed) if p]
    if len(parts) > 1 and all(_is_code(p, system) for p in parts):
        return CodeAsk(tuple(clean(p) for p in parts), system)
    ranged = _RANGE.match(typed)
    if ranged and _same_shape(ranged[1], ranged[2], system):
        return CodeAsk((clean(ranged[1]),), system, range=(clean(ranged[1]), clean(ranged[2])))
    with_modifiers = _WITH_MODIFIERS.match(typed)
    if with_modifiers and _is_code(with_modifiers[1], system):
        modifiers = tuple(m for m in re.split(r"[\s-]+", with_modifiers[2]) if m)
        return CodeAsk((with_modifiers[1],), system, modifiers=modifiers)
    return CodeAsk((typed,), system)


def _is_code(text: str, system: System | None) -> bool:
    parsed = parse_code(text, system)
    return isinstance(parsed, Parsed) and not parsed.guesses[0].modifier


def _same_shape(start: str, end: str, system: System | None) -> bool:
    first, last = parse_code(start, system), parse_code(end, system)
    if not isinstance(first, Parsed) or not isinstance(last, Parsed):
        return False
    a, b = first.guesses[0], last.guesses[0]
    return not a.modifier and not b.modifier and a.system is b.system and a.code <= b.code
