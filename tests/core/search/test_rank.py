"""Ranking: defaults for unspecific queries, filters, paging, matched words."""

from core.codes.record import System
from core.search.engine import SearchEngine, SearchResult
from core.search.query import QueryProblem


def found(engine: SearchEngine, text: str, **kwargs: object) -> SearchResult:
    result = engine.search(text, **kwargs)  # type: ignore[arg-type]
    assert not isinstance(result, QueryProblem), result
    return result


def test_an_unspecific_query_puts_the_billable_default_first(engine: SearchEngine) -> None:
    assert found(engine, "conjunctivitis").hits[0].code == "H10.9"
    assert found(engine, "cellulitis").hits[0].code == "L03.90"
    assert found(engine, "hypertensive heart disease").hits[0].code.startswith("I11.")


def test_headers_rank_below_their_billable_codes(engine: SearchEngine) -> None:
    hits = found(engine, "gastro-esophageal reflux").hits
    assert hits[0].billable and hits[0].code == "K21.9"
    codes = [h.code for h in hits]
    assert "K21" not in codes or codes.index("K21") > codes.index("K21.9")
    chapter = found(engine, "diseases of the respiratory system").hits
    assert chapter[0].billable


def test_billable_only_leaves_out_headers(engine: SearchEngine) -> None:
    result = found(engine, "diabetes", billable_only=True, page_size=50)
    assert result.hits and all(h.billable for h in result.hits)


def test_system_filter_keeps_to_that_system(engine: SearchEngine) -> None:
    result = found(engine, "office visit", system=System.CPT)
    assert result.hits and all(h.system is System.CPT for h in result.hits)
    assert all(h.system is System.ICD10CM for h in found(engine, "fracture", system=System.ICD10CM).hits)


def test_pages_continue_without_repeating(engine: SearchEngine) -> None:
    first = found(engine, "fracture femur", page=1)
    second = found(engine, "fracture femur", page=2)
    assert first.total == second.total > 20
    assert not {h.code for h in first.hits} & {h.code for h in second.hits}
    assert first.hits[-1].score >= second.hits[0].score
    assert first.has_more


def test_each_hit_says_which_words_it_matched(engine: SearchEngine) -> None:
    hit = found(engine, "copd exacerbation").hits[0]
    assert hit.code == "J44.1"
    assert set(hit.matched) == {"copd", "exacerbation"}


def test_word_order_does_not_matter_much(engine: SearchEngine) -> None:
    one = found(engine, "kidney disease chronic stage 4").hits[0].code
    other = found(engine, "stage 4 chronic kidney disease").hits[0].code
    assert one == other == "N18.4"


def test_a_modifier_is_found_by_its_number(engine: SearchEngine) -> None:
    hit = found(engine, "modifier 59", system=System.CPT).hits[0]
    assert (hit.code, hit.kind.value) == ("59", "modifier")


def test_an_injury_query_prefers_the_unspecified_closed_initial_encounter(engine: SearchEngine) -> None:
    hit = found(engine, "fracture of the femur").hits[0]
    assert hit.code == "S72.90XA"
