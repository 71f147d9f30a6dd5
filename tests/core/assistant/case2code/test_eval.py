"""Scoring a case set: exact-set accuracy and micro precision/recall/F1, for Case2Code and for the plain
search baseline; damaged case files are refused with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.assistant.case2code.eval import Case, CaseSetError, read_cases, score, score_cases
from core.codes.catalog import Catalog
from core.search.engine import SearchEngine
from tests.conftest import CACHE_DIR


def _case(codes: str) -> Case:
    return Case("text", "outpatient", frozenset(codes.split(",")), (), 1)


def test_micro_scores_count_codes_across_cases() -> None:
    cases = [_case("A00.0,B00.0"), _case("C00.0")]
    answers = {0: frozenset({"A00.0", "B00.0"}), 1: frozenset({"C00.0", "D00.0"})}
    order = iter(range(2))
    scores = score("test", cases, lambda case: answers[next(order)])
    assert scores.exact == 0.5
    assert scores.precision == pytest.approx(3 / 4) and scores.recall == pytest.approx(1.0)
    assert scores.f1 == pytest.approx(2 * 0.75 / 1.75)
    assert [m.case for m in scores.misses] == [cases[1]]


def test_score_cases_beats_the_search_baseline_on_a_small_file(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "cases.tsv"
    path.write_text("# a comment\n"
                    "58 yo, type 2 diabetes with stage 3b CKD, also hypertension\toutpatient\tE11.22,I12.9,N18.32\tx\n"
                    "Denies chest pain, complains of cough\toutpatient\tR05.9\tnegation\n", encoding="utf-8")
    ours, baseline = score_cases(catalog, path, SearchEngine.open(catalog, CACHE_DIR))
    assert ours.cases == 2 and ours.exact == 1.0 and ours.f1 == 1.0
    assert baseline is not None and baseline.exact < 1.0
    assert ours.p95_ms >= ours.p50_ms > 0


def test_a_damaged_case_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.tsv"
    path.write_text("Hypertension\toutpatient\tI10\nno tabs here\n", encoding="utf-8")
    with pytest.raises(CaseSetError, match="line 2"):
        read_cases(path)
    path.write_text("Hypertension\tclinic\tI10\n", encoding="utf-8")
    with pytest.raises(CaseSetError, match="setting"):
        read_cases(path)
