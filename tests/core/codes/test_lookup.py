from datetime import date

from core.codes.catalog import Catalog
from core.codes.lookup import Outcome, lookup
from core.codes.record import CodeRecord, RecordKind, System
from core.codes.sources import cpt, icd10cm
from tests.conftest import CACHE_DIR


def test_billable_icd_code_is_found_whatever_the_spelling(catalog: Catalog) -> None:
    for typed in ("E11.9", "e119", " E11.9 ", "e11.9"):
        result = lookup(catalog, typed)
        assert result.outcome is Outcome.FOUND
        assert result.record is not None and result.record.code == "E11.9" and result.record.billable


def test_header_lists_its_billable_children(catalog: Catalog) -> None:
    result = lookup(catalog, "E11")
    assert result.outcome is Outcome.HEADER
    assert "E11.9" in lookup(catalog, "E11.9").code
    assert "E11.00" in result.suggestions and all(s.startswith("E11.") for s in result.suggestions)


def test_missing_seventh_character_lists_the_inherited_characters(catalog: Catalog) -> None:
    result = lookup(catalog, "S62.101")
    assert result.outcome is Outcome.NEEDS_SEVENTH
    assert list(result.seventh) == ["A", "B", "D", "G", "K", "P", "S"]
    assert result.seventh["A"] == "initial encounter for closed fracture"


def test_missing_placeholder_x_suggests_the_padded_code(catalog: Catalog) -> None:
    result = lookup(catalog, "W21.89A")
    assert result.outcome is Outcome.NEEDS_PLACEHOLDER
    assert result.suggestions == ("W21.89XA",)


def test_bad_seventh_character_lists_the_valid_ones(catalog: Catalog) -> None:
    result = lookup(catalog, "S62.101Z")
    assert result.outcome is Outcome.BAD_SEVENTH
    assert "A" in result.seventh


def test_unknown_code_offers_the_nearest_valid_codes(catalog: Catalog) -> None:
    result = lookup(catalog, "E11.99")
    assert result.outcome is Outcome.UNKNOWN
    assert result.suggestions and all(s.startswith("E11") for s in result.suggestions[:3])


def test_malformed_input_is_refused_with_a_reason(catalog: Catalog) -> None:
    result = lookup(catalog, "12")
    assert result.outcome is Outcome.UNKNOWN or result.outcome is Outcome.MALFORMED
    assert lookup(catalog, "!!").outcome is Outcome.MALFORMED


def test_cpt_code_with_summary_is_found_unlicensed(catalog: Catalog) -> None:
    assert "86357" in {s.code for s in cpt.load_summaries()}  # shipped in data/cpt/summaries.tsv
    result = lookup(catalog, "86357")
    assert result.outcome is Outcome.FOUND
    assert result.record is not None and not result.record.licensed and result.record.summary


def test_cpt_code_without_summary_shows_its_section_not_a_descriptor(catalog: Catalog) -> None:
    summaries = {s.code for s in cpt.load_summaries()}
    code = next(c for c in ("86849", "86848", "86847", "86846") if c not in summaries)
    result = lookup(catalog, code)
    assert result.outcome is Outcome.NOT_LICENSED
    assert "Immunology" in result.section and "licence" in result.reason


def test_hcpcs_code_before_any_import_says_so(catalog: Catalog) -> None:
    result = lookup(catalog, "J1885", System.HCPCS)
    assert result.outcome is Outcome.NOT_IMPORTED


def test_terminated_code_is_shown_with_the_date(catalog: Catalog) -> None:
    retired = CodeRecord(System.HCPCS, "G0001", "Drawing blood", kind=RecordKind.CODE,
                         terminated=date(2012, 12, 31), source="test", version="2013")
    local = Catalog(icd10cm.load(CACHE_DIR), [retired])
    result = lookup(local, "G0001", System.HCPCS, today=date(2026, 1, 1))
    assert result.outcome is Outcome.TERMINATED
    assert "2012-12-31" in result.reason

