"""Case2Code: from a case description to the ICD-10-CM codes a coder would assign, with words, rules and sources."""

from core.assistant.case2code.coder import CaseCoder, default_coder, propose
from core.assistant.case2code.proposal import CaseProposal, LeftOut, ProposedCode

__all__ = ["CaseCoder", "CaseProposal", "LeftOut", "ProposedCode", "default_coder", "propose"]
