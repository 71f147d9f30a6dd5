"""Spotting text that looks like a patient identifier before a consult is stored.

Consults go to people outside the conversation (a channel, email), so a question carrying a name
beside a date of birth, a record or member number, a phone number or an SSN is refused. The checks
name *what kind* of identifier was found and never echo it back, and callers store and log nothing
of refused text. Codes and modifiers ("99214-25", "E11.9", "G0439") must pass, so number patterns
are shaped to avoid them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATE = (r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}|"
         r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+(?:19|20)\d{2}|"
         r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:19|20)\d{2})")
_DOB_WORD = r"(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?)"
_DOB = re.compile(rf"\b{_DOB_WORD}\s*[:#-]?\s*{_DATE}", re.IGNORECASE)
_ANY_DATE = re.compile(rf"(?<![\w/.-]){_DATE}(?![\w/-])", re.IGNORECASE)
_SSN = re.compile(r"(?<![\d-])(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4})(?![\d-])|"
                  r"\b(?:ssn|social\s+security(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*\d{9}\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s*|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])")
_RECORD = re.compile(
    r"\b(?:mrn|m\.r\.n\.|medical\s+record(?:\s+(?:number|no\.?|#))?|chart\s*(?:number|no\.?|#)|"
    r"member\s*(?:id|number|no\.?|#)|subscriber\s*(?:id|number|no\.?|#)|policy\s*(?:id|number|no\.?|#)|"
    r"patient\s*(?:id|number|no\.?|#)|account\s*(?:number|no\.?|#)|acct\.?\s*(?:number|no\.?|#)?|"
    r"insurance\s*(?:id|number|no\.?|#)|medicare\s*(?:id|number|no\.?|#)|mbi)"
    r"\s*(?:is|:|#|-)?\s*#?\s*[A-Za-z0-9-]*\d[A-Za-z0-9-]*", re.IGNORECASE)
# A person's name: an honorific and a capitalised word, or "patient"/"pt" and two capitalised words,
# or two capitalised words in a row that are not coding vocabulary.
_TITLED = re.compile(r"\b(?i:mr|mrs|ms|miss|mx)\.?\s+[A-Z][a-z'-]+")
_NAMED_PATIENT = re.compile(r"\b(?i:patient|pt|pt\.|name)\s*(?i:is|:|named)?\s+[A-Z][a-z'-]+\s+[A-Z][a-z'-]+")
_TWO_CAPS = re.compile(r"\b([A-Z][a-z'-]+)\s+([A-Z][a-z'-]+)\b")
NEAR = 40  # characters between a name and a date for them to count as "next to" each other
# Capitalised words that start coding questions, payers and places: never half of a name.
_NOT_NAMES_TEXT = """
can could should would does do is are was were what which when where how why who the a an i we my our
if for and or but with without on in at to of from by per patient pt type part medicare medicaid blue
cross shield aetna cigna humana united tricare anthem kaiser commercial new established office visit
emergency department hospital inpatient outpatient clinic surgery level modifier cpt hcpcs icd drg ncci
mue lcd ncd global period bill billing code coding claim payer plan doctor dr physician provider nurse
practitioner january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday annual wellness preventive care diabetes
mellitus chronic acute left right bilateral history exam dos date service
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())


@dataclass(frozen=True, slots=True)
class Finding:
    """A kind of identifier found, worded as what to remove (never the text itself)."""

    kind: str
    remove: str


def findings(text: str) -> list[Finding]:
    """Everything in `text` that looks like a patient identifier, one Finding per kind."""
    found: list[Finding] = []

    def add(kind: str, remove: str) -> None:
        if all(f.kind != kind for f in found):
            found.append(Finding(kind, remove))

    if _DOB.search(text):
        add("dob", "the date of birth")
    if _name_beside_date(text):
        add("name_dob", "the patient's name and the date beside it")
    if _SSN.search(text):
        add("ssn", "the Social Security number")
    if _RECORD.search(text):
        add("record", "the medical record, member, policy or account number")
    if _PHONE.search(text):
        add("phone", "the phone number")
    return found


def _names(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _TITLED.finditer(text)]
    spans += [m.span() for m in _NAMED_PATIENT.finditer(text)]
    for match in _TWO_CAPS.finditer(text):
        first, last = match.group(1).lower(), match.group(2).lower()
        if first not in _NOT_NAMES and last not in _NOT_NAMES:
            spans.append(match.span())
    return spans


def _name_beside_date(text: str) -> bool:
    dates = [m.span() for m in _ANY_DATE.finditer(text)]
    if not dates:
        return False
    for start, end in _names(text):
        for d_start, d_end in dates:
            gap = d_start - end if d_start >= end else start - d_end
            if gap <= NEAR:
                return True
    return False


def refusal_text(found: list[Finding]) -> str:
    """One sentence saying what to remove, for the refusal the asker sees."""
    items = [f.remove for f in found]
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return (f"Remove {listed}, then ask again. Describe the case without anything that identifies the "
            "patient (age and sex are fine). Nothing of this question was saved.")
