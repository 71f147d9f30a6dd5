"""The project's own CPT data files: enough summaries, each in a known section, none mislabelled."""

from __future__ import annotations

from collections import Counter

from core.codes.record import System
from core.codes.sources import cpt
from core.codes.systems import CPT_CODE


def test_at_least_3000_summaries_each_once() -> None:
    summaries = cpt.load_summaries()
    counts = Counter(s.code for s in summaries)
    assert len(summaries) >= 3000
    assert [code for code, n in counts.items() if n > 1] == []


def test_every_summary_is_a_cpt_code_in_a_known_section() -> None:
    ranges = cpt.load_ranges()
    homeless = [s.code for s in cpt.load_summaries() if not cpt.ranges_holding(ranges, s.code)]
    assert all(CPT_CODE.match(s.code) for s in cpt.load_summaries())
    assert homeless == []


def test_summaries_are_plain_text_with_a_label() -> None:
    for item in cpt.load_summaries():
        assert item.label and item.summary, item.code
        assert item.summary.endswith((".", ")")), item.code
        assert "\t" not in item.summary


def test_summaries_of_deleted_codes_say_they_are_retired() -> None:
    deleted = {code for system, code in cpt.load_deleted() if system is System.CPT}
    for item in cpt.load_summaries():
        if item.code in deleted:
            assert "retired" in item.label or "historical" in item.label, item.code


def test_the_files_carry_the_project_header() -> None:
    text = (cpt.DATA_DIR / "summaries.tsv").read_text(encoding="utf-8")
    assert "Written by the CodeDesk project in its own words" in text
    assert "NOT the AMA CPT descriptor text" in text
