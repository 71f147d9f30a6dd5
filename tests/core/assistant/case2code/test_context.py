"""Reading how a condition is qualified: the negspacy reader Case2Code uses, and the hand-written one it
was measured against; spaCy stays out of every import the Desk makes eagerly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.assistant.case2code.context import Assertion, NegspacyReader, TriggerReader, make_reader
from core.assistant.case2code.lexicon import Lexicon
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


@pytest.mark.parametrize("reader", [NegspacyReader(), TriggerReader()], ids=["negspacy", "trigger"])
@pytest.mark.parametrize(("text", "expected"), [
    ("Denies chest pain. Complains of cough.", [Assertion(negated=True), Assertion()]),
    ("No fever, no cough. Diagnosed with acute sinusitis.",
     [Assertion(negated=True), Assertion(negated=True), Assertion()]),
    ("Rule out pneumonia; presents with cough", [Assertion(uncertain=True), Assertion()]),
    ("Suspected appendicitis with right lower quadrant pain", [Assertion(uncertain=True), Assertion()]),
    ("History of breast cancer, now with cough", [Assertion(historical=True), Assertion()]),
    ("Family history of colon cancer", [Assertion(family=True)]),
    ("Gram negative sepsis", [Assertion(), Assertion()]),
])
def test_each_condition_gets_its_qualifier(reader: NegspacyReader | TriggerReader, lexicon: Lexicon, text: str,
                                           expected: list[Assertion]) -> None:
    mentions = lexicon.find(text)
    assert reader.read(text, mentions) == expected


def test_negspacy_keeps_a_rule_out_as_uncertain_not_negated(lexicon: Lexicon) -> None:
    text = "r/o MI"
    assert NegspacyReader().read(text, lexicon.find(text)) == [Assertion(uncertain=True)]


def test_no_mentions_means_no_pipeline_work() -> None:
    reader = NegspacyReader()
    assert reader.read("nothing here", []) == []
    assert reader._nlp is None  # spaCy was not even loaded


def test_an_unknown_reader_name_is_refused() -> None:
    with pytest.raises(ValueError, match="negspacy or trigger"):
        make_reader("regex")


def test_importing_case2code_and_the_cli_does_not_import_spacy() -> None:
    probe = ("import sys, core.assistant.case2code, bots.cli; "
             "print('spacy' in sys.modules, 'negspacy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False False"
