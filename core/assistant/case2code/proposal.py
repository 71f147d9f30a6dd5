"""What Case2Code answers: the proposed ICD-10-CM codes, each with its words and rule, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProposedCode:
    code: str
    title: str
    evidence: str  # the words in the case this code came from
    rule: str  # the convention or guideline that shaped it


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A condition the case names that is not coded, and why (negated, uncertain, integral, past)."""

    words: str
    reason: str


@dataclass(frozen=True, slots=True)
class CaseProposal:
    codes: tuple[ProposedCode, ...]
    missing_details: tuple[str, ...]
    sources: tuple[str, ...]
    left_out: tuple[LeftOut, ...] = ()
    setting: str = "outpatient"

    @property
    def code_set(self) -> frozenset[str]:
        return frozenset(c.code for c in self.codes)

    def text(self) -> str:
        """Plain text: the codes with their words and rules, what was left out, what is missing, sources."""
        lines: list[str] = []
        if self.codes:
            lines.append(f"Proposed ICD-10-CM codes ({self.setting}) — a suggestion; a coder decides:")
            for code in self.codes:
                lines.append(f"• {code.code} {code.title}")
                lines.append(f"    from “{code.evidence}” — {code.rule}")
        else:
            lines.append("I found no condition to code in that case — a suggestion needs one; a coder decides.")
        if self.left_out:
            lines.append("Not coded:")
            lines.extend(f"• “{item.words}” — {item.reason}" for item in self.left_out)
        if self.missing_details:
            lines.append("More specific codes need:")
            lines.extend(f"• {detail}" for detail in self.missing_details)
        if self.sources:
            lines.append("Sources: " + "; ".join(self.sources))
        return "\n".join(lines)
