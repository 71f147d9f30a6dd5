"""The claim check's coverage rule: a diagnosis on the claim that a coverage article lists as NOT
covered for a procedure on the claim is a finding, naming the article and its contractors.

The claim does not say which contractor will process it, so each finding names the contractors
whose articles say so; a diagnosis an article merely does not list is not a finding here (that is
`/coverage`'s "not listed", which depends on the rest of the claim and the documentation).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.coverage import store
from core.db import transaction
from core.edits.claim import CheckOutcome, Claim, Finding, Severity

MISSING = "`codedesk import coverage FILE`"


class CoverageRule:
    """A `ClaimRule` (core/edits/claim.py) over the imported MCD article export."""

    name = "Coverage"

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def run(self, claim: Claim) -> CheckOutcome:
        with transaction(self.sessions) as session:
            info = store.export_info(session)
            if info is None:
                return CheckOutcome(self.name, ran=False, missing=MISSING)
            findings: list[Finding] = []
            diagnoses = tuple(dict.fromkeys(claim.diagnoses))
            for code in dict.fromkeys(line.code for line in claim.lines):
                if not diagnoses:
                    break
                found = store.articles_listing_procedure(session, code)
                listings = store.diagnosis_listings(session, [a.article_id for a in found], diagnoses)
                by_id = {a.article_id: a for a in found}
                for diagnosis in diagnoses:
                    against = sorted({by_id[x.article_id] for x in listings[diagnosis] if not x.covered},
                                     key=lambda a: a.display_id)
                    if against:
                        findings.append(_finding(code, diagnosis, against, info))
        return CheckOutcome(self.name, ran=True, findings=tuple(findings))


def _finding(code: str, diagnosis: str, against: list[store.Article], info: store.ExportInfo) -> Finding:
    named = "; ".join(f"{a.display_id} “{a.title}” ({a.contractor_labels})" for a in against[:3])
    more = f" and {len(against) - 3} more" if len(against) > 3 else ""
    article_word = "article" if len(against) == 1 else "articles"
    return Finding(
        check="Coverage", severity=Severity.WARNING,
        message=f"{diagnosis} is listed as not covered for {code} in the Medicare coverage {article_word} "
                f"{named}{more}: where that contractor processes the claim, expect a medical-necessity "
                f"denial unless another diagnosis on the claim supports {code}.",
        codes=(code, diagnosis), source=", ".join(a.display_id for a in against) + f" · {info.label}")
