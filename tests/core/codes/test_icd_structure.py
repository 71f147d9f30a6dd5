"""ICD-10-CM structure on the real package data: single-category blocks, instructions from every level
above a code (marked with their source, nearest first, never silently cut), 7th characters, QA0."""

from __future__ import annotations

from datetime import date

import pytest

from core.codes.cards import CODE_NOTES, code_card, lookup_reply, notes_reply
from core.codes.catalog import Catalog
from core.codes.lookup import Outcome, lookup
from core.codes.record import NoteKind, RecordKind, System
from core.requests import Actor, Platform, Request
from tests.desks import code_desk

SINGLE_BLOCKS = [
    "B10", "B20", "B99", "C50", "C7A", "C7B", "D3A", "D49", "D78", "E36", "E89", "F99", "H59", "H95", "J95",
    "L76", "M04", "M95", "M96", "M97", "M99", "N99", "O09", "P09", "P84", "QA0", "R97", "R99", "T07", "T14",
    "T79", "X50", "Z16", "Z17", "Z18", "Z19", "Z66", "Z67", "Z68",
]
ACTOR = Actor(Platform.SHELL, "local", "coder")


def _text(reply) -> str:  # type: ignore[no-untyped-def]
    parts = [reply.title, reply.subtitle, reply.footer]
    parts += [f"{f.label}: {f.value}" for f in reply.fields]
    parts += [f"{s.heading}\n{s.text}" for s in reply.sections]
    parts += [f"{r.title} {r.subtitle}" for r in reply.results]
    parts += [a.label for a in reply.actions]
    return "\n".join(parts)


def _get(catalog: Catalog, code: str):  # type: ignore[no-untyped-def]
    record = catalog.get(System.ICD10CM, code)
    assert record is not None, code
    return record


@pytest.mark.parametrize("category", SINGLE_BLOCKS)
def test_single_block_categories_keep_their_subcategories(catalog: Catalog, category: str) -> None:
    record = _get(catalog, category)
    assert record.kind in (RecordKind.CATEGORY, RecordKind.CODE)
    assert record.parent == f"{category}-{category}"  # the block of the same name sits above it
    for child in catalog.children(record):
        assert child.parent == category  # never the block "C50-C50"
    block = _get(catalog, f"{category}-{category}")
    assert block.kind is RecordKind.BLOCK and block.children == (category,)


def test_c50_911_inherits_the_category_notes(catalog: Catalog) -> None:
    text = _text(code_card(catalog, _get(catalog, "C50.911")))
    assert "Paget's disease of breast _(from C50)_" in text
    assert "skin of breast (C44.501, C44.511, C44.521, C44.591) _(from C50)_" in text
    assert "(Z17.-) _(from C50)_" in text
    assert "_(from chapter 2)_" in text


def test_z68_41_shows_the_adult_and_pediatric_bmi_notes(catalog: Catalog) -> None:
    notes = catalog.all_notes(_get(catalog, "Z68.41"))
    texts = {n.text: n.inherited_from for n in notes}
    assert texts["BMI adult codes are for use for persons 20 years of age or older"] == "Z68"
    assert texts["BMI pediatric codes are for use for persons 2-19 years of age."] == "Z68"


def test_m97_01xa_shows_code_first(catalog: Catalog) -> None:
    notes = catalog.all_notes(_get(catalog, "M97.01XA"))
    code_first = [n for n in notes if n.kind is NoteKind.CODE_FIRST]
    assert code_first and code_first[0].inherited_from == "M97"
    assert code_first[0].text.startswith("if known, the specific type and cause of fracture")


def test_icd10_c50_lists_billable_codes_under_it(catalog: Catalog) -> None:
    result = lookup(catalog, "C50")
    assert result.outcome is Outcome.HEADER
    assert result.suggestions[:3] == ("C50.011", "C50.012", "C50.019")
    text = _text(lookup_reply(catalog, result))
    assert "none" not in text.split("Billable codes under it")[1].split("\n")[1]
    assert "C50.011" in text


def test_t14_8xxz_lists_the_valid_seventh_characters(catalog: Catalog) -> None:
    result = lookup(catalog, "T14.8XXZ")
    assert result.outcome is Outcome.BAD_SEVENTH
    assert set(result.seventh) == {"A", "D", "S"}
    assert "Z is not a 7th character T14.8 takes" in result.reason
    assert lookup(catalog, "T14.8XXA").outcome is Outcome.FOUND


@pytest.mark.parametrize("typed", ["QA0.0101", "qa00101", "QA0.0109"])
def test_qa0_codes_are_accepted(catalog: Catalog, typed: str) -> None:
    result = lookup(catalog, typed)
    assert result.outcome is Outcome.FOUND
    assert result.record is not None and result.record.code.startswith("QA0.")
    assert catalog.ancestors(result.record)[-1].code.isdigit()  # reaches its chapter


def test_every_block_and_chapter_note_in_the_xml_is_kept(catalog: Catalog) -> None:
    blocks = [r for r in catalog.records(System.ICD10CM) if r.kind is RecordKind.BLOCK]
    chapters = [r for r in catalog.records(System.ICD10CM) if r.kind is RecordKind.CHAPTER]
    assert len(blocks) == 297 and len(chapters) == 22
    assert sum(1 for b in blocks if b.notes) == 130  # every block whose XML section carries notes
    assert sum(1 for c in chapters if c.notes) == 21  # every chapter but 22 (codes for special purposes)


def test_s72_code_shows_chapter_block_and_category_notes_nearest_first(catalog: Catalog) -> None:
    notes = catalog.all_notes(_get(catalog, "S72.001A"))
    sources = [n.inherited_from for n in notes if n.inherited_from]
    order = [s for i, s in enumerate(sources) if s not in sources[:i]]
    assert order == ["S72.00", "S72.0", "S72", "S70–S79", "chapter 19"]
    chapter = [n.text for n in notes if n.inherited_from == "chapter 19"]
    assert any("Use secondary code(s) from Chapter 20" in t for t in chapter)
    assert any(n.kind is NoteKind.EXCLUDES2 and "burns and corrosions" in n.text and n.inherited_from == "S70–S79"
               for n in notes)


def test_non_billable_subcategory_inclusion_terms_reach_billable_children(catalog: Catalog) -> None:
    notes = catalog.all_notes(_get(catalog, "S72.001A"))
    assert any(n.kind is NoteKind.INCLUSION_TERM and n.text == "Fracture of hip NOS" and n.inherited_from == "S72.00"
               for n in notes)
    # A billable code's own inclusion terms are not handed to anything else.
    assert all(n.inherited_from != "E11.9" for n in catalog.all_notes(_get(catalog, "E11.9")))


@pytest.mark.parametrize(("code", "source", "words"), [
    ("O80", "chapter 15", "from category Z3A"),
    ("T36.0X1A", "T36–T50", "underdosing of medication regimen"),
    ("I10", "I10–I1A", "tobacco use (Z72.0)"),
    ("I63.9", "I60–I69", "tobacco"),
])
def test_instructions_above_the_category_show_on_the_card(catalog: Catalog, code: str, source: str,
                                                          words: str) -> None:
    record = _get(catalog, code)
    assert any(n.inherited_from == source and words in n.text for n in catalog.all_notes(record))
    full = notes_reply(catalog, record)
    pages = [full]
    while pages[-1].actions:
        page = int(pages[-1].actions[0].value.rsplit(":", 1)[1])
        pages.append(notes_reply(catalog, record, page))
    assert any(f"From {source}" in s.heading and words in s.text for p in pages for s in p.sections)


def test_long_note_lists_are_one_button_away_and_paged(catalog: Catalog) -> None:
    record = _get(catalog, "G89.29")
    card = code_card(catalog, record, date(2026, 12, 2))
    total = len(catalog.all_notes(record))
    button = next(a for a in card.actions if a.action_id == CODE_NOTES)
    assert button.label == f"All {total} instructions"
    assert "more: press “All instructions” below" in _text(card)
    lines = 0
    page, pages_seen = 1, 0
    while True:
        reply = notes_reply(catalog, record, page)
        pages_seen += 1
        lines += sum(s.text.count("\n") + 1 for s in reply.sections)
        if not reply.actions:
            break
        page += 1
    assert lines == total and pages_seen >= 2


def test_the_notes_button_works_through_the_desk(catalog: Catalog) -> None:
    desk = code_desk(catalog)
    reply = desk.handle(Request.action_of(ACTOR, CODE_NOTES, "icd10cm:S72.001A:1"))
    assert "every instruction that applies" in reply.title
    assert reply.sections[0].heading.startswith("From S72.00")


def test_card_names_the_release(catalog: Catalog) -> None:
    card = code_card(catalog, _get(catalog, "E11.9"), date(2026, 12, 2))
    fields = {f.label: f.value for f in card.fields}
    assert fields["Release"] == "FY2026 (April 2026 update)"
    assert card.fields[0].label == "Release"  # prominent: first
    notice = next(s for s in card.sections if s.heading == "Old data")
    assert "FY2027 ICD-10-CM took effect on 1 October 2026" in notice.text
    assert "codedesk import icd10cm" in notice.text
    early = code_card(catalog, _get(catalog, "E11.9"), date(2026, 6, 1))
    assert all(s.heading != "Old data" for s in early.sections)


@pytest.mark.parametrize(("code", "fy", "replacements"), [
    ("M54.5", 2021, ("M54.50", "M54.51", "M54.59")),
    ("R51", 2020, ("R51.0", "R51.9")),
])
def test_expanded_codes_say_so_and_point_to_replacements(catalog: Catalog, code: str, fy: int,
                                                         replacements: tuple[str, ...]) -> None:
    result = lookup(catalog, code)
    assert result.outcome is Outcome.HEADER
    assert f"billable until FY{fy}" in result.history and f"since FY{fy + 1}" in result.history
    reply = lookup_reply(catalog, result)
    history = next(s for s in reply.sections if s.heading == "History")
    for replacement in replacements:
        assert replacement in history.text
        assert catalog.get(System.ICD10CM, replacement) is not None  # the table names real codes


def test_an_expanded_code_opened_as_a_card_shows_its_history(catalog: Catalog) -> None:
    card = code_card(catalog, _get(catalog, "M54.5"), date(2026, 12, 2))
    history = next(s for s in card.sections if s.heading == "History")
    assert "since FY2022" in history.text and "M54.50, M54.51, M54.59" in history.text
    assert {f.label: f.value for f in card.fields}["Billable"].startswith("No")
