"""The concept lexicon: longest phrase wins, fillers and laterality words are skipped, a damaged file is
refused with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.assistant.case2code.lexicon import Lexicon, LexiconError


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def test_the_longest_phrase_wins(lexicon: Lexicon) -> None:
    found = lexicon.find("Gestational diabetes at 30 weeks, COPD exacerbation")
    assert [(m.concept.id, m.words) for m in found] == [("gdm", "Gestational diabetes"),
                                                        ("copd_exacerbation", "COPD exacerbation")]


def test_laterality_and_fillers_inside_a_phrase_are_skipped(lexicon: Lexicon) -> None:
    found = lexicon.find("Malignant neoplasm of the right breast")
    assert [(m.concept.id, m.words) for m in found] == [("breast_cancer", "Malignant neoplasm of the right breast")]


def test_abbreviations_and_punctuation(lexicon: Lexicon) -> None:
    ids = [m.concept.id for m in lexicon.find("T2DM, HTN, CKD 3b, E. coli, COVID-19, s/p nothing")]
    assert ids == ["dm2", "htn", "ckd", "org_ecoli", "covid"]


def test_a_damaged_lexicon_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "concepts.tsv"
    bad.write_text("# header\nhtn\tI10\t-\t-\t-\t-\t-\t-\thypertension\nbroken\tI10\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="line 3"):
        Lexicon.load(bad)
    bad.write_text("cough\tR05.9\t-\t-\t-\t-\t-\tnot_a_concept\tcough\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="unknown symptom concepts"):
        Lexicon.load(bad)
