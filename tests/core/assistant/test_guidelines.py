"""The shipped guideline notes and their retrieval."""

import pytest

from core.assistant.guidelines import GuidelineLibrary, NoteFileError, parse_notes

HEADER = "# Test notes\n# What this is: notes for a test.\n\n"


@pytest.fixture(scope="module")
def library() -> GuidelineLibrary:
    return GuidelineLibrary.load()


def test_at_least_sixty_notes_each_citing_document_and_section(library: GuidelineLibrary) -> None:
    assert len(library.notes) >= 60
    for note in library.notes:
        assert note.title and note.text and note.source, note.id
        assert any(word in note.source for word in ("Guidelines", "CMS", "NCCI", "MLN", "CFR")), note.id
    sections = " ".join(n.source for n in library.notes)
    for needed in ("I.A.12.a", "I.A.4", "I.A.15", "I.C.4.a", "I.C.9.a", "I.C.1.d", "I.C.1.g", "I.C.15", "IV.H",
                   "MLN1783722", "ch. 12"):
        assert needed in sections, needed


@pytest.mark.parametrize(("question", "note_id"), [
    ("how do I pick an office visit level by time", "office-visit-level-time"),
    ("when do I use excludes1 versus excludes2", "excludes1-excludes2"),
    ("what does code first mean", "etiology-manifestation"),
    ("can I code a rule out diagnosis in the office", "uncertain-outpatient"),
    ("when can I add G2211", "g2211"),
])
def test_the_best_note_answers_the_question(library: GuidelineLibrary, question: str, note_id: str) -> None:
    assert library.search(question)[0].note.id == note_id


def test_a_modifier_lifts_the_note_about_it(library: GuidelineLibrary) -> None:
    assert library.search("what does it mean", modifiers=["79"])[0].note.id == "modifier-79"


def test_damaged_note_files_are_refused_with_file_and_line() -> None:
    with pytest.raises(NoteFileError, match=r"x.md: line 4: note a has no Source"):
        parse_notes(HEADER + "## a | A\nSome text.\n", "x.md")
    with pytest.raises(NoteFileError, match=r"line 4: a note heading"):
        parse_notes(HEADER + "## no title here\nSource: s\ntext\n", "x.md")
    with pytest.raises(NoteFileError, match="starts with '#'"):
        parse_notes("## a | A\nSource: s\ntext\n", "x.md")
    notes = parse_notes(HEADER + "## a | A\nSource: Doc, I.A.1\nTerms: t\nModifiers: 25, 59\nBody.\n", "x.md")
    assert notes[0].modifiers == ("25", "59") and notes[0].text == "Body."
    with pytest.raises(NoteFileError, match="used twice"):
        GuidelineLibrary(notes + notes)
