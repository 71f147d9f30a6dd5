"""One intent per message, from the fixed set, without any hosted model."""

import pytest

from core.assistant.entities import extract
from core.assistant.intents import Intent, classify, clean_question
from core.assistant.vocabulary import clinical_stems
from core.codes.catalog import Catalog
from core.search.text import stem


def intent_of(catalog: Catalog, text: str) -> Intent:
    vocabulary = clinical_stems(catalog)
    return classify(text, extract(clean_question(text), catalog), lambda w: stem(w) in vocabulary)


@pytest.mark.parametrize(("text", "intent"), [
    ("what is 99213 and E11.9?", Intent.LOOKUP),
    ("code for left knee osteoarthritis", Intent.SEARCH),
    ("knee pain", Intent.SEARCH),
    ("case: type 2 diabetes with stage 3b CKD and hypertension", Intent.CASE),
    ("58 yo, type 2 diabetes with stage 3b CKD, also hypertension, follow-up visit", Intent.CASE),
    ("how do I pick an office visit level by time", Intent.GUIDELINE),
    ("when do I use excludes1 versus excludes2", Intent.GUIDELINE),
    ("when do I use modifier 59", Intent.MODIFIER),
    ("is there an NCCI edit between 29881 and 29880?", Intent.NCCI),
    ("what is the MUE for 20610", Intent.MUE),
    ("RVUs for 99213", Intent.FEE),
    ("what diagnoses support 93000", Intent.COVERAGE),
    ("any remote CPC jobs in Texas", Intent.JOBS),
    ("how many views do I have left", Intent.ACCOUNT),
    ("what can you do", Intent.HELP),
    ("thanks!", Intent.SMALLTALK),
    ("hi there, thanks!", Intent.SMALLTALK),
    ("tell me a joke", Intent.UNKNOWN),
    ("what's the capital of France", Intent.UNKNOWN),
    ("", Intent.HELP),
])
def test_each_intent(catalog: Catalog, text: str, intent: Intent) -> None:
    assert intent_of(catalog, text) is intent


def test_the_bot_mention_is_not_part_of_the_question(catalog: Catalog) -> None:
    assert clean_question("<@UCODEDESK> what is E11.9?") == "what is E11.9?"
    assert intent_of(catalog, "<@U0BOT|codedesk> when do I use excludes1 versus excludes2") is Intent.GUIDELINE


def test_a_greeting_before_a_question_does_not_hide_it(catalog: Catalog) -> None:
    assert intent_of(catalog, "hi, what is 99213") is Intent.LOOKUP
