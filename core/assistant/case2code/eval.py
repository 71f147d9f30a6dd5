"""Measuring Case2Code on a case set: exact-set accuracy, micro precision/recall/F1 and latency, for
Case2Code and for the plain code search's top result per condition (the baseline it must beat).

A case set is a TSV: case text, setting, the expected codes (comma-separated), what the case exercises.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.assistant.case2code.coder import SETTINGS, CaseCoder, default_coder
from core.codes.catalog import Catalog
from core.codes.record import System
from core.search.engine import SearchEngine
from core.search.query import QueryProblem

# How the baseline splits a case into conditions before searching each one.
_CONDITION_SPLIT = re.compile(r"[,;.]\s|[,;]|\.$|\b(?:and|with|also|plus)\b", re.I)


class CaseSetError(ValueError):
    """A damaged case file: names the file, the line and what is wrong."""


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    setting: str
    codes: frozenset[str]
    covers: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    proposed: frozenset[str]
    ms: float

    @property
    def exact(self) -> bool:
        return self.proposed == self.case.codes


@dataclass(frozen=True, slots=True)
class CaseScores:
    name: str
    cases: int
    exact: float
    precision: float
    recall: float
    f1: float
    p50_ms: float
    p95_ms: float
    results: tuple[CaseResult, ...] = ()

    def line(self) -> str:
        return (f"{self.name:<28} {self.cases:>5} {self.exact:>9.3f} {self.precision:>9.3f} {self.recall:>7.3f} "
                f"{self.f1:>6.3f} {self.p50_ms:>8.2f} {self.p95_ms:>8.2f}")

    @property
    def misses(self) -> list[CaseResult]:
        return [r for r in self.results if not r.exact]


HEADER = (f"{'':<28} {'cases':>5} {'exact-set':>9} {'precision':>9} {'recall':>7} {'F1':>6} "
          f"{'p50 ms':>8} {'p95 ms':>8}")


def read_cases(path: Path) -> list[Case]:
    cases: list[Case] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                raise CaseSetError(f"{path.name} line {number}: expected text, setting and codes separated by tabs")
            text, setting, codes = fields[0].strip(), fields[1].strip().lower(), fields[2]
            if setting not in SETTINGS:
                raise CaseSetError(f"{path.name} line {number}: setting must be one of {', '.join(SETTINGS)}")
            expected = frozenset(c.strip().upper() for c in codes.split(",") if c.strip())
            covers = tuple(t for t in (fields[3].split(",") if len(fields) > 3 else []) if t)
            cases.append(Case(text, setting, expected, covers, number))
    return cases


def score(name: str, cases: list[Case], run: Callable[[Case], frozenset[str]]) -> CaseScores:
    results: list[CaseResult] = []
    for case in cases:
        started = time.perf_counter()
        proposed = run(case)
        results.append(CaseResult(case, proposed, (time.perf_counter() - started) * 1000))
    hits = sum(len(r.proposed & r.case.codes) for r in results)
    proposed_total = sum(len(r.proposed) for r in results)
    expected_total = sum(len(r.case.codes) for r in results)
    precision = hits / proposed_total if proposed_total else 1.0
    recall = hits / expected_total if expected_total else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    millis = sorted(r.ms for r in results)
    n = max(1, len(results))
    return CaseScores(name, len(results), sum(r.exact for r in results) / n, precision, recall, f1,
                      statistics.median(millis) if millis else 0.0, _percentile(millis, 95), tuple(results))


def _percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    at = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[at]


def case2code_run(catalog: Catalog, coder: CaseCoder) -> Callable[[Case], frozenset[str]]:
    return lambda case: coder.propose(catalog, case.text, case.setting).code_set


def search_run(engine: SearchEngine, whole_text: bool = False) -> Callable[[Case], frozenset[str]]:
    """The baseline: the plain code search's top billable ICD-10-CM result for each condition in the case
    (split at commas, semicolons, "and", "with"), or for the whole text as one query."""

    def run(case: Case) -> frozenset[str]:
        found: set[str] = set()
        parts = [case.text] if whole_text else _CONDITION_SPLIT.split(case.text)
        for part in parts:
            if len(part.strip()) < 2:
                continue
            result = engine.search(part.strip(), System.ICD10CM, billable_only=True, page_size=1)
            if not isinstance(result, QueryProblem) and result.hits:
                found.add(result.hits[0].code)
        return frozenset(found)

    return run


def score_cases(catalog: Catalog, path: Path, engine: SearchEngine | None = None,
                coder: CaseCoder | None = None, whole_text: bool = False) -> tuple[CaseScores, CaseScores | None]:
    """Case2Code's scores on the case file, and the search baseline's when an engine is given (its top
    result per condition, or for the whole text with `whole_text`).

    The coder warms up on the first case before timing (start-up — loading spaCy — is not per-case cost)."""
    cases = read_cases(path)
    coder = coder or default_coder()
    if cases:
        coder.propose(catalog, cases[0].text, cases[0].setting)
    ours = score(f"Case2Code ({coder.reader.name})", cases, case2code_run(catalog, coder))
    baseline = None
    if engine is not None:
        if cases:
            engine.search(cases[0].text, System.ICD10CM)
        name = "search top, whole text" if whole_text else "search top per condition"
        baseline = score(name, cases, search_run(engine, whole_text))
    return ours, baseline
