"""Query understanding: expansion, typo correction, partial words, number words and bad input."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.search.engine import SearchEngine
from core.search.query import MAX_CHARS, QueryPlan, QueryProblem


def plan_of(engine: SearchEngine, text: str) -> QueryPlan:
    plan = engine.parser.parse(text)
    assert isinstance(plan, QueryPlan), plan
    return plan


def test_an_abbreviation_is_expanded_to_the_words_codes_use(engine: SearchEngine) -> None:
    plan = plan_of(engine, "ckd stage 3")
    assert plan.expansions and plan.expansions[0][0] == "ckd"
    assert "chronic kidney disease" in plan.expansions[0][1]


def test_a_misspelt_word_is_corrected_against_the_index_vocabulary(engine: SearchEngine) -> None:
    plan = plan_of(engine, "appendicits")
    assert plan.corrections == (("appendicits", "appendicitis"),)


def test_a_partial_word_is_completed(engine: SearchEngine) -> None:
    result = engine.search("osteopor vertebra")
    assert not isinstance(result, QueryProblem)
    assert all("osteoporo" in h.title.lower() for h in result.hits[:5])


def test_number_words_read_as_digits(engine: SearchEngine) -> None:
    words = engine.search("type one diabetes ketoacidosis")
    digits = engine.search("type 1 diabetes ketoacidosis")
    assert not isinstance(words, QueryProblem) and not isinstance(digits, QueryProblem)
    assert [h.code for h in words.hits] == [h.code for h in digits.hits]
    assert words.hits[0].code.startswith("E10.1")


def test_a_word_nothing_resembles_is_reported_not_fatal(engine: SearchEngine) -> None:
    plan = plan_of(engine, "cellulitis zzqxv")
    assert plan.unknown == ("zzqxv",)
    assert len(plan.concepts) == 1


@pytest.mark.parametrize(("text", "says"), [
    ("", "nothing to search"),
    ("   \t ", "nothing to search"),
    ("x" * 10_000, f"the limit is {MAX_CHARS}"),
    ("?!... ---", "no letters or digits"),
    ("🙂🙂🙂", "no letters or digits"),
    ("\x00\x07\x1b\x08", "nothing to search"),
    ("the of and", "too common"),
])
def test_bad_input_gets_a_reason_and_a_hint(engine: SearchEngine, text: str, says: str) -> None:
    problem = engine.search(text)
    assert isinstance(problem, QueryProblem)
    assert says in problem.reason and problem.hint


def test_sql_looking_text_is_just_words(engine: SearchEngine) -> None:
    result = engine.search("'; DROP TABLE codes; --")
    assert not isinstance(result, QueryProblem)
    assert result.query == "'; DROP TABLE codes; --"
    assert all(h.code and h.title for h in result.hits)
    assert engine.index.size > 90_000  # nothing was dropped


def test_a_long_sentence_uses_its_first_twelve_words(engine: SearchEngine) -> None:
    plan = plan_of(engine, " ".join(["cellulitis", "leg"] * 10))
    assert plan.truncated and len(plan.concepts) <= 12


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_gives_results_or_a_reason(engine: SearchEngine, text: str) -> None:
    result = engine.search(text)
    if isinstance(result, QueryProblem):
        assert result.reason and result.hint
    else:
        assert result.total >= len(result.hits)
        assert all(h.code and h.title for h in result.hits)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["acute", "left", "knee", "pain", "fractur", "xq", "2", "type", "of", "—",
                                 "chronic", "ulcr", "🙂", "E11", "stage", "right"]), max_size=20))
def test_word_salad_ranks_in_score_order(engine: SearchEngine, parts: list[str]) -> None:
    result = engine.search(" ".join(parts))
    if not isinstance(result, QueryProblem):
        scores = [h.score for h in result.hits]
        assert scores == sorted(scores, reverse=True)


def test_two_words_the_index_knows_as_one_are_joined(engine: SearchEngine) -> None:
    result = engine.search("dependence on wheel chair")
    assert not isinstance(result, QueryProblem)
    assert result.hits[0].code == "Z99.3"
