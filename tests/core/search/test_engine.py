"""Code-shaped input: an exact code or a prefix lists the family in code order."""

from core.codes.record import System
from core.search.engine import SearchEngine
from core.search.query import QueryProblem


def test_a_code_prefix_lists_its_family(engine: SearchEngine) -> None:
    result = engine.search("E11.")
    assert not isinstance(result, QueryProblem)
    assert result.family == "E11"
    codes = [h.code for h in result.hits]
    assert codes[0] == "E11" and all(c.startswith("E11") for c in codes) and codes == sorted(codes)
    assert result.total > 50


def test_an_exact_code_comes_first(engine: SearchEngine) -> None:
    result = engine.search("j45909")
    assert not isinstance(result, QueryProblem)
    assert result.hits[0].code == "J45.909"


def test_a_code_shaped_word_without_a_family_is_searched_as_a_word(engine: SearchEngine) -> None:
    # "B12" looks like an ICD-10-CM category but none exists: it is the vitamin, and the words find it.
    result = engine.search("b12", System.ICD10CM)
    assert not isinstance(result, QueryProblem)
    assert result.family == ""
    assert result.hits, "a code-shaped word must still find codes by its words"
    assert result.hits[0].code.startswith("D51")  # vitamin B12 deficiency anaemia
    # "A1c" is a lab test: its synonym leads to the HbA1c test code.
    a1c = engine.search("a1c")
    assert not isinstance(a1c, QueryProblem)
    assert a1c.family == ""
    assert "83036" in [h.code for h in a1c.hits[:3]]
