"""A claim as the claim-line check (`/check`) reads it, and the shape every check takes.

Each check is a `ClaimRule`: it looks at the whole claim and says whether it could run (its data is
loaded) and what it found. NCCI, MUE, add-on and modifier rules live in core/edits; coverage
(core/coverage) adds its own rule, so the check grows without the checker knowing every source.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One service line: `99214-25`, `J1885x2`, `11102-RT-59x1`."""

    code: str  # canonical CPT or HCPCS code
    modifiers: tuple[str, ...] = ()
    units: int = 1
    typed: str = ""  # the line as written, for messages


@dataclass(frozen=True, slots=True)
class Claim:
    lines: tuple[ClaimLine, ...]
    diagnoses: tuple[str, ...] = ()  # canonical ICD-10-CM codes, in the order given
    date_of_service: date | None = None
    hospital: bool = False  # outpatient hospital edits instead of practitioner edits


class Severity(enum.StrEnum):
    PROBLEM = "problem"  # the line will likely be denied as written
    WARNING = "warning"  # may pass with documentation or a modifier
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # the rule that found it: "NCCI PTP", "MUE", "Add-on", "Modifiers", "Coverage", …
    severity: Severity
    message: str  # what is wrong and why, in plain words
    codes: tuple[str, ...] = ()  # the codes it concerns
    source: str = ""  # data and release it came from: "NCCI PTP practitioner 2026Q4", "A57326"


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    check: str
    ran: bool  # False: its data is not loaded, so nothing can be said either way
    findings: tuple[Finding, ...] = ()
    missing: str = ""  # when not ran: what to import, e.g. "`codedesk import ncci FILE`"


class ClaimRule(Protocol):
    name: str

    def run(self, claim: Claim) -> CheckOutcome: ...
