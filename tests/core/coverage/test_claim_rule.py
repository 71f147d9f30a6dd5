"""The claim check's coverage rule: a diagnosis an article lists as not covered for a procedure on
the claim is a finding naming the article; nothing loaded means the rule did not run."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.coverage.claim_rule import CoverageRule
from core.edits.claim import Claim, ClaimLine, ClaimRule, Severity


def test_a_non_covered_diagnosis_is_a_finding_naming_the_article(loaded: sessionmaker[Session]) -> None:
    rule: ClaimRule = CoverageRule(loaded)
    outcome = rule.run(Claim(lines=(ClaimLine("93000"), ClaimLine("99213")), diagnoses=("I48.91", "Z00.00")))
    assert outcome.ran and outcome.check == "Coverage"
    assert len(outcome.findings) == 1
    finding = outcome.findings[0]
    assert finding.codes == ("93000", "Z00.00") and finding.severity is Severity.WARNING
    assert "A54321" in finding.message and "A57326" in finding.message
    assert "Palmetto GBA (11202)" in finding.message
    assert finding.source.startswith("A54321, A57326")


def test_a_diagnosis_inside_a_non_covered_range_is_found(loaded: sessionmaker[Session]) -> None:
    outcome = CoverageRule(loaded).run(Claim(lines=(ClaimLine("93010"),), diagnoses=("Z01.812",)))
    assert [f.codes for f in outcome.findings] == [("93010", "Z01.812")]


def test_covered_or_unlisted_diagnoses_are_not_findings(loaded: sessionmaker[Session]) -> None:
    outcome = CoverageRule(loaded).run(Claim(lines=(ClaimLine("93000"),), diagnoses=("I48.91", "R00.2")))
    assert outcome.ran and outcome.findings == ()


def test_without_an_export_the_rule_says_what_to_import(sessions: sessionmaker[Session]) -> None:
    outcome = CoverageRule(sessions).run(Claim(lines=(ClaimLine("93000"),), diagnoses=("Z00.00",)))
    assert not outcome.ran and outcome.missing == "`codedesk import coverage FILE`"
