"""Case2Code: a case description in, the ICD-10-CM code set a coder would consider out.

`CaseCoder` holds the lexicon and the context reader (both loaded once); `propose` runs one case:
find the conditions, read how each is qualified, set aside the negated, uncertain (outpatient), past
and family ones, then apply the rules in rules.py.
"""

from __future__ import annotations

from functools import lru_cache

from core.assistant.case2code.context import Assertion, ContextReader, make_reader
from core.assistant.case2code.lexicon import Lexicon, Mention, tokenize
from core.assistant.case2code.proposal import CaseProposal, LeftOut
from core.assistant.case2code.rules import GUIDELINES, RULES, SECTIONS, CaseCodes
from core.codes.catalog import Catalog
from core.codes.record import System

SETTINGS = ("outpatient", "inpatient")
MAX_CASE_CHARS = 4000  # a case is a paragraph or two; longer text is cut, and the cut is said


class CaseCoder:
    def __init__(self, lexicon: Lexicon, reader: ContextReader) -> None:
        self.lexicon = lexicon
        self.reader = reader

    def propose(self, catalog: Catalog, text: str, setting: str = "outpatient") -> CaseProposal:
        setting = setting.strip().lower() if setting.strip().lower() in SETTINGS else "outpatient"
        clipped = text[:MAX_CASE_CHARS]
        tokens = tokenize(clipped)
        mentions = self.lexicon.find(clipped, tokens)
        assertions = self.reader.read(clipped, mentions)
        active: dict[str, Mention] = {}
        left_out: list[LeftOut] = []
        history: list[tuple[str, Mention, str]] = []
        for mention, assertion in zip(mentions, assertions, strict=True):
            kept = _qualify(mention, assertion, setting, left_out, history)
            if kept and mention.concept.id not in active:
                active[mention.concept.id] = mention
        case = CaseCodes(catalog, clipped, tokens, setting, active, left_out=left_out)
        if any(a.uncertain for a in assertions):
            case.cite("uncertain-out" if setting == "outpatient" else "uncertain-in")
        for code, mention, why in history:
            case.add(code, mention.words, why, section="history")
        for rule in RULES:
            rule(case)
        if len(text) > MAX_CASE_CHARS:
            case.need(f"only the first {MAX_CASE_CHARS} characters were read: split a longer case")
        if not case.codes and not mentions:
            case.need("the diagnoses, signs or reasons for the visit, in words (e.g. “type 2 diabetes with "
                      "stage 3b CKD”)")
        ordered = sorted(case.codes.values(), key=lambda c: c.code.startswith("Z"))
        status = catalog.status(System.ICD10CM)
        sources = [_code_set_source(status.version if status else "")]
        sources += [f"{GUIDELINES} {s}" for s in case.sections if s in SECTIONS.values()]
        return CaseProposal(tuple(ordered), tuple(case.missing), tuple(sources), tuple(case.left_out), setting)


def _qualify(mention: Mention, assertion: Assertion, setting: str, left_out: list[LeftOut],
             history: list[tuple[str, Mention, str]]) -> bool:
    """Whether the mention is coded as a current condition; past and family ones go to `history`."""
    concept = mention.concept
    if assertion.negated:
        left_out.append(LeftOut(mention.words, "negated in the case"))
        return False
    if assertion.family:
        if concept.family:
            history.append((concept.family, mention, "a relative's condition — family history code"))
        else:
            left_out.append(LeftOut(mention.words, "a relative's condition with no family-history code here"))
        return False
    if assertion.historical and concept.history != "=":
        if concept.history:
            history.append((concept.history, mention, "a past condition no longer treated — personal history code"))
        else:
            left_out.append(LeftOut(mention.words, "a past episode, not a current condition"))
        return False
    if assertion.uncertain and setting == "outpatient":
        left_out.append(LeftOut(mention.words, "uncertain (probable/suspected/rule out): outpatient codes "
                                               "the signs and symptoms instead (IV.H)"))
        return False
    return True


def _code_set_source(version: str) -> str:
    """"ICD-10-CM FY2026 (April 2026 update)": the catalog names its release by fiscal year; an older
    "April 2026" label is read as such (a release dated October or later belongs to the next year)."""
    if version.startswith("FY"):
        return f"ICD-10-CM {version}"
    month, _, year = version.partition(" ")
    if not year.isdigit():
        return f"ICD-10-CM ({version or 'release unknown'})"
    fiscal = int(year) + (1 if month.lower().startswith(("oct", "nov", "dec")) else 0)
    return f"ICD-10-CM FY{fiscal} ({version} package)"


@lru_cache(maxsize=2)
def default_coder(reader: str = "negspacy") -> CaseCoder:
    """The process's coder: the shipped lexicon and context terms, loaded on first use."""
    return CaseCoder(Lexicon.load(), make_reader(reader))


def propose(catalog: Catalog, text: str, setting: str = "outpatient") -> CaseProposal:
    """Propose the ICD-10-CM code set for a case description (a suggestion: a coder decides)."""
    return default_coder().propose(catalog, text, setting)
