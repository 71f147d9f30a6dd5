"""Details a case states that make a code more specific: CKD stage, heart-failure type and acuity, BMI,
weeks of gestation, the encounter, loss of consciousness, laterality next to a condition."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.assistant.case2code.lexicon import LATERALITY_WORDS, Mention, Token

_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iiia": "3a", "iiib": "3b", "iv": "4", "v": "5"}
_STAGE = re.compile(
    r"\b(?:ckd|chronic kidney disease|chronic renal (?:disease|insufficiency|failure)|stage)"
    r"[\s,:-]*(?:stage[\s:-]*)?(iiia|iiib|iii|ii|iv|v|i|[1-5][ab]?)\b", re.I)
_BMI = re.compile(r"\bbmi\b[\s:=-]*(?:of|is|was)?\s*(\d{2}(?:\.\d+)?)", re.I)
_WEEKS = re.compile(r"\b(\d{1,2})(?:\s*(?:\+|and)\s*\d/7)?\s*(?:-\s*)?(?:weeks?|wks?|w)\b(?!\s*ago)", re.I)
_LOC_NONE = re.compile(r"\b(?:without|no|denies|negative for)\s+(?:any\s+)?(?:loss of consciousness|loc)\b", re.I)
_LOC_MINUTES = re.compile(r"\b(?:loss of consciousness|loc)\b[^.;]*?\b(\d{1,3})\s*(?:min|mins|minutes)\b", re.I)
_LOC_HOURS = re.compile(r"\b(?:loss of consciousness|loc)\b[^.;]*?\b(\d{1,2})\s*(?:hr|hrs|hours?)\b", re.I)
_LOC_ANY = re.compile(r"\b(?:loss of consciousness|loc|lost consciousness|knocked out)\b", re.I)
_SUBSEQUENT = re.compile(r"\b(?:subsequent|follow[- ]?up|f/u|healing|routine healing|recheck|cast check|"
                         r"suture removal|aftercare)\b", re.I)
_SEQUELA = re.compile(r"\b(?:sequela|sequelae|late effect|residual of)\b", re.I)
_INITIAL = re.compile(r"\b(?:initial|new injury|acute injury|first visit|today|yesterday|er visit|ed visit)\b",
                      re.I)


@dataclass(frozen=True, slots=True)
class HeartFailureDetail:
    kind: str  # "2" systolic, "3" diastolic, "4" combined, "" not stated
    acuity: str  # "1" acute, "2" chronic, "3" acute on chronic, "" not stated


def ckd_stage(text: str) -> str:
    """"1".."5", "3a", "3b", or "" when the case gives no stage."""
    for match in _STAGE.finditer(text):
        value = match.group(1).lower()
        return _ROMAN.get(value, value)
    return ""


def bmi(text: str) -> float | None:
    match = _BMI.search(text)
    if match is None:
        return None
    value = float(match.group(1))
    return value if 10 <= value <= 90 else None


def weeks(text: str) -> int | None:
    for match in _WEEKS.finditer(text):
        value = int(match.group(1))
        if 1 <= value <= 45:
            return value
    return None


def heart_failure(text: str) -> HeartFailureDetail:
    low = text.lower()
    systolic = bool(re.search(r"\b(?:systolic|hfref|reduced ejection fraction|reduced ef)\b", low))
    diastolic = bool(re.search(r"\b(?:diastolic|hfpef|preserved ejection fraction|preserved ef)\b", low))
    combined = bool(re.search(r"\b(?:combined|hfmref)\b", low)) or (systolic and diastolic)
    kind = "4" if combined else "2" if systolic else "3" if diastolic else ""
    if re.search(r"\bacute on chronic\b|\bacute-on-chronic\b|\bdecompensated chronic\b", low):
        acuity = "3"
    elif re.search(r"\bacute(?:ly)?\b[^.;,]*\b(?:heart failure|chf|hf|failure|hfref|hfpef)\b|\bdecompensated\b", low):
        acuity = "1"
    elif re.search(r"\bchronic\b[^.;,]*\b(?:heart failure|chf|hf|failure|hfref|hfpef)\b|\bcompensated\b", low):
        acuity = "2"
    else:
        acuity = ""
    return HeartFailureDetail(kind, acuity)


def encounter(text: str) -> str:
    """The 7th character for an injury: "A" initial (also when unstated), "D" subsequent, "S" sequela."""
    if _SEQUELA.search(text):
        return "S"
    if _SUBSEQUENT.search(text) and not _INITIAL.search(text):
        return "D"
    return "A"


def encounter_stated(text: str) -> bool:
    return bool(_SEQUELA.search(text) or _SUBSEQUENT.search(text) or _INITIAL.search(text))


def loss_of_consciousness(text: str) -> str:
    """The concussion character: "0" none, "1" 30 minutes or less, "9" unspecified duration, "" unstated."""
    if _LOC_NONE.search(text):
        return "0"
    minutes = _LOC_MINUTES.search(text)
    if minutes:
        return "1" if int(minutes.group(1)) <= 30 else "2" if int(minutes.group(1)) < 60 else "9"
    if _LOC_HOURS.search(text):
        return "9"  # hours need the exact band (S06.0X2-S06.0X8): left for the coder
    if _LOC_ANY.search(text):
        return "9"
    return ""


def laterality(tokens: list[Token], mention: Mention, text: str) -> str:
    """"right", "left", "bilateral" or "": the nearest laterality word within a few words of the condition,
    in the same clause."""
    best: tuple[int, str] | None = None
    for at in range(max(0, mention.first_token - 4), min(len(tokens), mention.last_token + 5)):
        side = LATERALITY_WORDS.get(tokens[at].text)
        if side is None:
            continue
        lo, hi = sorted((tokens[at].start, mention.start if at < mention.first_token else mention.end))
        if any(ch in ".;" for ch in text[lo:hi]):
            continue
        distance = mention.first_token - at if at < mention.first_token else at - mention.last_token
        if at > mention.last_token and re.search(r"\b(?:and|with)\b", text[lo:hi], re.I):
            continue  # "knee pain and left ..." names another site
        if best is None or distance < best[0]:
            best = (distance, side)
    if best is None:
        return ""
    # "right and left knee" / "both knees": two sides named for one condition
    sides = {LATERALITY_WORDS[t.text] for t in tokens[max(0, mention.first_token - 4): mention.last_token + 1]
             if t.text in LATERALITY_WORDS}
    if {"right", "left"} <= sides:
        return "bilateral"
    return best[1]
