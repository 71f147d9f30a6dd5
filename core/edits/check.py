"""The claim-line check (`/check 99214-25 11102 J1885x2 E11.9 N18.32`): parse the claim, then run
every ClaimRule. Each rule says whether it could run (its data is loaded) and what it found; the
rules here cover NCCI PTP pairs, MUE units, add-on codes, modifiers that do not fit, ICD-10-CM codes
that cannot be billed, and terminated codes. Other features add their own rules (coverage).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from core.codes import systems
from core.codes.catalog import Catalog
from core.codes.lookup import Outcome, lookup
from core.codes.normalize import icd_canonical
from core.codes.record import System
from core.edits import mue as mue_module
from core.edits.aoc import CONTRACTOR_DEFINED
from core.edits.claim import CheckOutcome, Claim, ClaimLine, ClaimRule, Finding, Severity
from core.edits.codes import is_evaluation_and_management
from core.edits.ptp import BYPASS_MODIFIERS, edit_on
from core.edits.releases import IMPORT_COMMAND
from core.edits.store import EditStore
from core.edits.tables import ReleaseKind

_LINE = re.compile(r"^([0-9A-Z]{5})((?:-[0-9A-Z]{2})*)(?:[X×*]([0-9]{1,4}))?$")
_SERVICE_CODE = systems.SERVICE_CODE
_DATE = re.compile(r"^date:(\d{4}-\d{2}-\d{2})$", re.IGNORECASE)
MAX_LINES = 30


class ClaimInputError(ValueError):
    """What the person typed cannot be read as a claim; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class Options:
    """`date:YYYY-MM-DD` and `hospital`, shared by /ncci, /mue and /check."""

    words: tuple[str, ...]
    day: date | None
    hospital: bool


def read_options(text: str) -> Options:
    words: list[str] = []
    day: date | None = None
    hospital = False
    for word in text.replace(",", " ").split():
        if found := _DATE.match(word):
            try:
                day = date.fromisoformat(found[1])
            except ValueError:
                raise ClaimInputError(f"{word} is not a real date; write it as date:2026-11-15") from None
        elif word.lower().startswith("date:"):
            raise ClaimInputError(f"{word} is not a date; write it as date:2026-11-15")
        elif word.lower() in ("hospital", "opps", "facility"):
            hospital = True
        else:
            words.append(word)
    return Options(tuple(words), day, hospital)


def parse_claim(text: str) -> Claim:
    options = read_options(text)
    lines: list[ClaimLine] = []
    diagnoses: list[str] = []
    for word in options.words:
        upper = word.upper()
        found = _LINE.match(upper)
        if found and _SERVICE_CODE.match(found[1]):
            modifiers = tuple(m for m in found[2].split("-") if m)
            units = int(found[3]) if found[3] else 1
            if units < 1:
                raise ClaimInputError(f"{word}: units must be 1 or more, e.g. J1885x2")
            lines.append(ClaimLine(found[1], modifiers, units, word))
            continue
        icd = icd_canonical(upper.replace(".", "")) if "-" not in upper else None
        plain = found is None or not (found[2] or found[3])  # no modifiers or units: may be a diagnosis
        if icd is not None and plain:
            diagnoses.append(icd)
            continue
        raise ClaimInputError(f"“{word[:30]}” is not a claim line (CODE[-MOD…][xUNITS], e.g. 99214-25 or "
                              "J1885x2) or an ICD-10-CM code (e.g. E11.9)")
    if not lines and not diagnoses:
        raise ClaimInputError("the claim has no lines")
    if len(lines) > MAX_LINES:
        raise ClaimInputError(f"{len(lines)} lines: check at most {MAX_LINES} at a time")
    return Claim(tuple(lines), tuple(dict.fromkeys(diagnoses)), options.day, options.hospital)


def _not_loaded(name: str, kind: str, claim: Claim, label: str) -> CheckOutcome:
    when = f" for {claim.date_of_service:%Y-%m-%d}" if claim.date_of_service else ""
    return CheckOutcome(name, ran=False, missing=f"no {label} data{when}: `{IMPORT_COMMAND[kind]}`")


def _day(claim: Claim, today: Callable[[], date]) -> date:
    return claim.date_of_service or today()


class PtpRule:
    """Every pair of lines against the NCCI PTP edits of the claim's setting and date."""

    name = "NCCI PTP"

    def __init__(self, store: EditStore) -> None:
        self.store = store

    def run(self, claim: Claim) -> CheckOutcome:
        kind = ReleaseKind.PTP_HOSPITAL if claim.hospital else ReleaseKind.PTP_PRACTITIONER
        release = self.store.release(kind, claim.date_of_service)
        if release is None:
            label = "NCCI PTP outpatient hospital" if claim.hospital else "NCCI PTP practitioner"
            return _not_loaded(self.name, kind, claim, label)
        day = _day(claim, self.store.today)
        findings = []
        for first, second in combinations(claim.lines, 2):
            if first.code == second.code:
                continue
            edit = edit_on(self.store.ptp(release, first.code, second.code), day)
            if edit is None or not edit.active_on(day) or edit.modifier == 9:
                continue
            column2 = first if first.code == edit.column2 else second
            column1 = second if column2 is first else first
            why = f" ({edit.rationale})" if edit.rationale else ""
            if edit.modifier == 0:
                findings.append(Finding(self.name, Severity.PROBLEM,
                                        f"{column2.code} is bundled into {column1.code}{why}; modifier "
                                        "indicator 0: no modifier bypasses this edit",
                                        (column1.code, column2.code), release.label))
                continue
            bypass = sorted((set(column2.modifiers) | set(column1.modifiers)) & BYPASS_MODIFIERS)
            if bypass:
                findings.append(Finding(self.name, Severity.NOTE,
                                        f"{column2.code} with {column1.code} has an edit{why}; modifier "
                                        f"indicator 1 and the claim carries {', '.join(bypass)}, which bypasses "
                                        "it when the documentation shows a separate service",
                                        (column1.code, column2.code), release.label))
            else:
                findings.append(Finding(self.name, Severity.WARNING,
                                        f"{column2.code} is bundled into {column1.code}{why}; modifier indicator 1: "
                                        f"add 59, XE, XS, XP, XU or an anatomic modifier to {column2.code} only "
                                        "if it was a separate service", (column1.code, column2.code),
                                        release.label))
        return CheckOutcome(self.name, True, tuple(findings))


class MueRule:
    """Units of each code against its MUE (per line or per day, by the adjudication indicator)."""

    name = "MUE"

    def __init__(self, store: EditStore) -> None:
        self.store = store

    def run(self, claim: Claim) -> CheckOutcome:
        kind = ReleaseKind.MUE_HOSPITAL if claim.hospital else ReleaseKind.MUE_PRACTITIONER
        release = self.store.release(kind, claim.date_of_service)
        if release is None:
            return _not_loaded(self.name, kind, claim, mue_module.KIND_WORDS[kind] + " MUE")
        findings = []
        for code in dict.fromkeys(line.code for line in claim.lines):
            edit = self.store.mue(release, code)
            if edit is None:
                continue
            lines = [line for line in claim.lines if line.code == code]
            if edit.indicator == 1:
                over = [line for line in lines if line.units > edit.units]
                for line in over:
                    findings.append(Finding(self.name, Severity.PROBLEM,
                                            f"{line.typed}: {line.units} units on one line; the MUE allows "
                                            f"{edit.units} per line ({edit.indicator_text})", (code,), release.label))
            else:
                total = sum(line.units for line in lines)
                if total > edit.units:
                    severity = Severity.PROBLEM if edit.indicator == 2 else Severity.WARNING
                    appeal = "no appeal raises it" if edit.indicator == 2 else "an appeal with records may"
                    findings.append(Finding(self.name, severity,
                                            f"{code}: {total} units on this date; the MUE allows {edit.units} per "
                                            f"day ({edit.indicator_text}; {appeal})", (code,), release.label))
        return CheckOutcome(self.name, True, tuple(findings))


class AddOnRule:
    """Add-on codes need one of their primary codes on the claim."""

    name = "Add-on"

    def __init__(self, store: EditStore) -> None:
        self.store = store

    def run(self, claim: Claim) -> CheckOutcome:
        release = self.store.release(ReleaseKind.AOC, claim.date_of_service)
        if release is None:
            return _not_loaded(self.name, ReleaseKind.AOC, claim, "add-on code edit")
        day = _day(claim, self.store.today)
        present = {line.code for line in claim.lines}
        findings = []
        for code in dict.fromkeys(line.code for line in claim.lines):
            rows = [r for r in self.store.addon(release, code) if r.active_on(day)]
            if not rows:
                continue
            listed = {r.primary for r in rows if r.primary != CONTRACTOR_DEFINED}
            if listed & present:
                continue
            edit_type = min(r.edit_type for r in rows)
            if not listed:
                findings.append(Finding(self.name, Severity.NOTE,
                                        f"{code} is an add-on code (type 2): the Medicare contractor decides which "
                                        "primary codes it goes with; check that one is on the claim",
                                        (code,), release.label))
                continue
            examples = ", ".join(sorted(listed)[:6]) + ("…" if len(listed) > 6 else "")
            severity = Severity.PROBLEM if edit_type == 1 else Severity.WARNING
            findings.append(Finding(self.name, severity,
                                    f"{code} is an add-on code billed without a primary code; it goes with "
                                    f"{examples} (edit type {edit_type})", (code,), release.label))
        return CheckOutcome(self.name, True, tuple(findings))


class ModifierRule:
    """Modifiers that never fit: 25 on a code that is not E/M; LT and RT on one line."""

    name = "Modifiers"

    def run(self, claim: Claim) -> CheckOutcome:
        findings = []
        for line in claim.lines:
            if "25" in line.modifiers and not is_evaluation_and_management(line.code):
                findings.append(Finding(self.name, Severity.PROBLEM,
                                        f"{line.typed}: modifier 25 marks a separate E/M service; {line.code} is "
                                        "not an E/M code (99202-99499)", (line.code,), "CPT modifier rules"))
            if {"LT", "RT"} <= set(line.modifiers):
                findings.append(Finding(self.name, Severity.PROBLEM,
                                        f"{line.typed}: LT and RT on one line; bill each side on its own line or "
                                        "use 50 where the code allows bilateral billing", (line.code,),
                                        "HCPCS modifier rules"))
        return CheckOutcome(self.name, True, tuple(findings))


class ProfessionalComponentRule:
    """Modifier 26 only on codes with a professional component (PC/TC indicator 1 in the PFS)."""

    name = "Modifier 26"

    def __init__(self, store: EditStore) -> None:
        self.store = store

    def run(self, claim: Claim) -> CheckOutcome:
        lines = [line for line in claim.lines if "26" in line.modifiers]
        if not lines:
            return CheckOutcome(self.name, True)  # nothing to check, so nothing is missing
        release = self.store.release(ReleaseKind.RVU, claim.date_of_service) \
            or self.store.release(ReleaseKind.RVU_QPP, claim.date_of_service)
        if release is None:
            return _not_loaded(self.name, ReleaseKind.RVU, claim, "PFS RVU (PC/TC indicator)")
        findings = []
        for line in lines:
            rvu = self.store.rvu(release, line.code)
            if rvu is None:
                continue
            if rvu.pctc != "1" and "26" not in self.store.priced_modifiers(release, line.code):
                findings.append(Finding(self.name, Severity.PROBLEM,
                                        f"{line.typed}: modifier 26 asks for the professional component, but "
                                        f"{line.code} has PC/TC indicator {rvu.pctc or '?'} (no separate "
                                        "professional component)", (line.code,), release.label))
        return CheckOutcome(self.name, True, tuple(findings))


class DiagnosisRule:
    """ICD-10-CM codes that are headers, lack a 7th character or do not exist."""

    name = "ICD-10-CM"

    def __init__(self, catalog: Callable[[], Catalog]) -> None:
        self.catalog = catalog

    def run(self, claim: Claim) -> CheckOutcome:
        if not claim.diagnoses:
            return CheckOutcome(self.name, True)
        catalog = self.catalog()
        status = catalog.status(System.ICD10CM)
        source = f"ICD-10-CM {status.version if status else ''}"
        findings = []
        for code in claim.diagnoses:
            result = lookup(catalog, code, System.ICD10CM)
            if result.outcome is Outcome.FOUND:
                continue
            hint = f" (e.g. {', '.join(result.suggestions[:3])})" if result.suggestions else ""
            message = {
                Outcome.HEADER: f"{code} is a category, not a billable code; use a more specific code{hint}",
                Outcome.NEEDS_SEVENTH: f"{code} lacks its 7th character{hint}",
                Outcome.NEEDS_PLACEHOLDER: f"{code} needs the placeholder X before its 7th character{hint}",
                Outcome.BAD_SEVENTH: f"{code}: {result.reason}",
            }.get(result.outcome, f"{code} is not an ICD-10-CM code{hint}")
            findings.append(Finding(self.name, Severity.PROBLEM, message, (code,), source.strip()))
        return CheckOutcome(self.name, True, tuple(findings))


class TerminatedRule:
    """HCPCS codes past their termination date (catalog), CPT codes deleted in the PFS (status D)."""

    name = "Terminated codes"

    def __init__(self, catalog: Callable[[], Catalog], store: EditStore) -> None:
        self.catalog = catalog
        self.store = store

    def run(self, claim: Claim) -> CheckOutcome:
        catalog = self.catalog()
        day = _day(claim, self.store.today)
        findings = []
        hcpcs = [line for line in claim.lines if line.code[0].isalpha()]
        cpt = [line for line in claim.lines if not line.code[0].isalpha()]
        missing = []
        if hcpcs and not catalog.codes(System.HCPCS):
            missing.append("no HCPCS Level II file: `codedesk import hcpcs FILE`")
        else:
            for line in hcpcs:
                record = catalog.get(System.HCPCS, line.code)
                if record is None:
                    findings.append(Finding(self.name, Severity.PROBLEM, f"{line.code} is not a HCPCS Level II "
                                            "code in the loaded file", (line.code,), record_source(catalog)))
                elif record.terminated is not None and record.terminated <= day:
                    findings.append(Finding(self.name, Severity.PROBLEM, f"{line.code} was terminated on "
                                            f"{record.terminated:%Y-%m-%d}", (line.code,), record_source(catalog)))
        if cpt:
            release = self.store.release(ReleaseKind.RVU, claim.date_of_service) \
                or self.store.release(ReleaseKind.RVU_QPP, claim.date_of_service)
            if release is None:
                missing.append("no PFS RVU file to tell deleted CPT codes: `codedesk import rvu FILE`")
            else:
                for line in cpt:
                    rvu = self.store.rvu(release, line.code)
                    if rvu is None:
                        findings.append(Finding(self.name, Severity.WARNING, f"{line.code} is not in the fee "
                                                "schedule file: check that it is a current CPT code",
                                                (line.code,), release.label))
                    elif rvu.status == "D":
                        findings.append(Finding(self.name, Severity.PROBLEM, f"{line.code} is deleted in the "
                                                "fee schedule (status D)", (line.code,), release.label))
        if missing:
            return CheckOutcome(self.name, False, tuple(findings), "; ".join(missing))
        return CheckOutcome(self.name, True, tuple(findings))


def record_source(catalog: Catalog) -> str:
    status = catalog.status(System.HCPCS)
    return f"HCPCS {status.version}" if status and status.version else "HCPCS"


def default_rules(store: EditStore, catalog: Callable[[], Catalog]) -> tuple[ClaimRule, ...]:
    return (PtpRule(store), MueRule(store), AddOnRule(store), ModifierRule(), ProfessionalComponentRule(store),
            DiagnosisRule(catalog), TerminatedRule(catalog, store))

