from core.codes.cards import CPT_NOTICE, SUMMARY_LABEL, code_card, lookup_reply
from core.codes.catalog import Catalog
from core.codes.lookup import lookup
from core.codes.record import CodeRecord, RecordKind, System
from core.replies import ErrorKind
from tests.conftest import CACHE_DIR


def _text(reply) -> str:  # type: ignore[no-untyped-def]
    parts = [reply.title, reply.subtitle, reply.footer]
    parts += [f"{f.label}: {f.value}" for f in reply.fields]
    parts += [f"{s.heading}\n{s.text}" for s in reply.sections]
    return "\n".join(parts)


def test_icd_card_shows_hierarchy_notes_billable_and_source(catalog: Catalog) -> None:
    record = catalog.get(System.ICD10CM, "E11.9")
    assert record is not None
    text = _text(code_card(catalog, record))
    assert "E11.9 — Type 2 diabetes mellitus without complications" in text
    assert "Billable: Yes" in text
    assert "E08-E13 Diabetes mellitus" in text  # hierarchy up to the block
    assert "Excludes1" in text and "type 1 diabetes mellitus (E10.-)" in text  # inherited from E11
    assert "Use additional code" in text and "insulin (Z79.4)" in text
    assert "April 2026" in text and "ICD-10-CM" in text


def test_category_card_shows_inherited_seventh_characters(catalog: Catalog) -> None:
    record = catalog.get(System.ICD10CM, "S62.101")
    assert record is not None
    text = _text(code_card(catalog, record))
    for char in "ABDGKPS":
        assert f"- {char}: " in text
    assert "(from S62)" in text
    assert "Billable: No" in text


def test_cpt_card_labels_the_summary_and_never_shows_a_descriptor() -> None:
    from core.codes.sources import icd10cm

    record = CodeRecord(System.CPT, "86357", "Natural killer cell count",
                        summary="Counts natural killer cells in a blood sample.", licensed=False,
                        section="Pathology and Laboratory (80047-89398)", source="CodeDesk", version="x")
    local = Catalog(icd10cm.load(CACHE_DIR), [record])
    text = _text(code_card(local, record))
    assert SUMMARY_LABEL in text
    assert "Not shown: the CPT descriptor is licensed by the AMA" in text
    assert CPT_NOTICE in text


def test_licensed_cpt_card_shows_the_official_text_beside_the_summary() -> None:
    from core.codes.sources import icd10cm

    record = CodeRecord(System.CPT, "86357", "NK cells", description="Official descriptor text here",
                        summary="Counts natural killer cells.", licensed=True, source="Licensed", version="2026")
    local = Catalog(icd10cm.load(CACHE_DIR), [record])
    text = _text(code_card(local, record))
    assert "Official descriptor (licensed)\nOfficial descriptor text here" in text
    assert SUMMARY_LABEL in text


def test_hcpcs_card_shows_cms_attributes() -> None:
    from core.codes.sources import icd10cm

    record = CodeRecord(System.HCPCS, "J1885", "Ketorolac tromethamine inj",
                        "Injection, ketorolac tromethamine, per 15 mg", kind=RecordKind.CODE,
                        attributes=(("BETOS", "O1E"),), source="CMS HCPCS", version="2020")
    local = Catalog(icd10cm.load(CACHE_DIR), [record])
    text = _text(code_card(local, record))
    assert "Injection, ketorolac tromethamine, per 15 mg" in text and "BETOS: O1E" in text


def test_non_card_outcomes_are_errors_that_say_what_to_type(catalog: Catalog) -> None:
    malformed = lookup_reply(catalog, lookup(catalog, "!!"))
    assert malformed.error is ErrorKind.BAD_INPUT and "/icd10 E11.9" in _text(malformed)
    placeholder = lookup_reply(catalog, lookup(catalog, "W21.89A"))
    assert "Did you mean W21.89XA?" in placeholder.title
    assert placeholder.actions[0].value == "icd10cm:W21.89XA"
