"""Every way coders type codes (issue 11), on the real catalog with the real CMS 2020 HCPCS file loaded:
system words, modifiers, trailing full stops, decimal commas, bare modifiers, ranges, lists, and a
dotless code that is both a HCPCS and an ICD-10-CM code. Also HCPCS data years and terminated codes,
and CPT sections, deletions and summaries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from core import db
from core.codes import store
from core.codes.cards import code_card
from core.codes.catalog import Catalog
from core.codes.lookup import Outcome, lookup
from core.codes.record import System
from core.codes.sources import cpt, hcpcs
from core.codes.views import ViewDecision
from core.replies import Reply
from core.requests import Actor, Platform, Request
from tests.conftest import CACHE_DIR, shared_path
from tests.desks import code_desk

TODAY = date(2026, 12, 2)
ACTOR = Actor(Platform.SHELL, "local", "coder")


class CountingViews:
    """A ViewGate that allows every view and remembers which codes used one."""

    def __init__(self) -> None:
        self.opened: list[tuple[System, str]] = []

    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision:
        self.opened.append((system, code))
        return ViewDecision(True)


@pytest.fixture(scope="module")
def hcpcs_catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    """The real catalog with the real CMS 2020 alpha-numeric HCPCS file imported into SQLite."""
    path = shared_path("data", "cms", "hcpcs-2020", "HCPC2020_ANWEB_w_disclaimer.txt")
    url = f"sqlite:///{tmp_path_factory.mktemp('hcpcs') / 'codedesk.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    data = hcpcs.read_hcpcs(path)
    with db.transaction(sessions) as session:
        store.replace_dataset(session, store.HCPCS_DATASET, data.records, source=data.source, version=data.version)
    yield Catalog.load(sessions, CACHE_DIR)
    engine.dispose()


def _ask(catalog: Catalog, command: str, text: str, views: CountingViews | None = None) -> Reply:
    desk = code_desk(catalog, views=views, today=lambda: TODAY)
    return desk.handle(Request.command_of(ACTOR, command, text))


def _text(reply: Reply) -> str:
    parts = [reply.title, reply.subtitle, reply.footer]
    parts += [f"{f.label}: {f.value}" for f in reply.fields]
    parts += [f"{s.heading}\n{s.text}" for s in reply.sections]
    parts += [f"{r.title} {r.subtitle} {r.detail}" for r in reply.results]
    parts += [a.label for a in reply.actions]
    return "\n".join(parts)


# --- what coders type ----------------------------------------------------------------------------
@pytest.mark.parametrize(("command", "typed", "title"), [
    ("code", "CPT 99213", "99213 — "), ("code", "ICD E11.9", "E11.9 — "), ("code", "HCPCS J1885", "J1885 — "),
    ("cpt", "CPT 99213", "99213 — "), ("icd10", "ICD-10 E11.9", "E11.9 — "),
    ("code", "E11.9.", "E11.9 — "), ("code", "U07.1.", "U07.1 — "), ("code", "99213.", "99213 — "),
    ("code", "e11,9", "E11.9 — "), ("icd10", "e11,9", "E11.9 — "),
])
def test_code_spellings_open_the_card(hcpcs_catalog: Catalog, command: str, typed: str, title: str) -> None:
    reply = _ask(hcpcs_catalog, command, typed)
    assert not reply.is_error and reply.title.startswith(title)


@pytest.mark.parametrize(("typed", "code", "modifier"), [
    ("99213-25", "99213", "25"), ("99213 -25", "99213", "25"), ("99213 25", "99213", "25"),
    ("J3490-JW", "J3490", "JW"), ("J1885 JW", "J1885", "JW"),
])
def test_code_with_a_modifier_names_the_modifier(hcpcs_catalog: Catalog, typed: str, code: str,
                                                 modifier: str) -> None:
    views = CountingViews()
    reply = _ask(hcpcs_catalog, "code", typed, views)
    assert reply.title.startswith(f"{code} — ") and reply.title.endswith(f"modifier {modifier}")
    section = reply.sections[0]
    assert section.heading.startswith(f"Modifier {modifier} (")
    assert views.opened == [(System.HCPCS if code[0].isalpha() else System.CPT, code)]  # one view: the code


@pytest.mark.parametrize(("typed", "words"), [("GT", "Interactive"), ("LT", "Left side")])
def test_bare_hcpcs_modifiers_open(hcpcs_catalog: Catalog, typed: str, words: str) -> None:
    reply = _ask(hcpcs_catalog, "code", typed)
    assert not reply.is_error and reply.title.startswith(f"{typed} — ")
    assert "Type: Modifier" in _text(reply) and words.lower() in reply.title.lower()


def test_a_range_lists_the_codes_without_using_views(hcpcs_catalog: Catalog) -> None:
    views = CountingViews()
    reply = _ask(hcpcs_catalog, "code", "99202-99205", views)
    assert [r.title for r in reply.results] == ["99202", "99203", "99204", "99205"]
    assert all(r.action is not None and r.action.value == f"cpt:{r.title}" for r in reply.results)
    assert views.opened == []


def test_a_list_opens_each_code_with_one_view_each(hcpcs_catalog: Catalog) -> None:
    views = CountingViews()
    reply = _ask(hcpcs_catalog, "code", "E11.9, I10", views)
    titles = [part.title for part in reply.all_parts()]
    assert titles[0].startswith("E11.9 — ") and titles[1].startswith("I10 — ")
    assert views.opened == [(System.ICD10CM, "E11.9"), (System.ICD10CM, "I10")]


def test_dotless_code_prefers_the_current_reading_and_offers_the_other(hcpcs_catalog: Catalog) -> None:
    result = lookup(hcpcs_catalog, "g8929", today=TODAY)
    assert result.outcome is Outcome.FOUND and result.system is System.ICD10CM and result.code == "G89.29"
    assert result.alternatives == ((System.HCPCS, "G8929"),)
    reply = _ask(hcpcs_catalog, "code", "g8929")
    assert reply.title.startswith("G89.29 — ")
    assert "Did you mean HCPCS Level II G8929?" in reply.subtitle
    offer = next(a for a in reply.actions if a.label == "Did you mean HCPCS Level II G8929?")
    assert offer.value == "hcpcs:G8929"


# --- HCPCS ---------------------------------------------------------------------------------------
def test_terminated_hcpcs_code_is_never_billable(hcpcs_catalog: Catalog) -> None:
    reply = _ask(hcpcs_catalog, "hcpcs", "G8929")
    fields = {f.label: f.value for f in reply.fields}
    assert fields["Billable"] == "No — terminated since 2016-12-31"
    assert "Billable: Yes" not in _text(reply)
    terminated = [r for r in hcpcs_catalog.records(System.HCPCS)
                  if r.terminated is not None and r.terminated <= TODAY and r.kind.value == "code"]
    assert len(terminated) > 500
    for record in terminated:
        fields = {f.label: f.value for f in code_card(hcpcs_catalog, record, TODAY).fields}
        assert fields["Billable"].startswith("No — "), record.code


@pytest.mark.parametrize("code", ["G2211", "JZ"])
def test_code_absent_from_the_loaded_file_names_the_file_year(hcpcs_catalog: Catalog, code: str) -> None:
    reply = _ask(hcpcs_catalog, "hcpcs", code)
    text = _text(reply)
    assert f"{code} is not in the loaded HCPCS file (2020)" in text
    assert "is not a HCPCS" not in text and "codedesk data update" in text


def test_hcpcs_card_shows_the_data_year_and_one_old_data_notice(hcpcs_catalog: Catalog) -> None:
    reply = _ask(hcpcs_catalog, "hcpcs", "J1885")
    assert reply.fields[0].label == "Data year" and reply.fields[0].value == "2020"
    notices = [s for s in reply.sections if s.heading == "Old data"]
    assert len(notices) == 1
    assert "from 2020, 6 years ago" in notices[0].text and "codedesk data update" in notices[0].text


def test_hcpcs_search_results_show_the_data_year(hcpcs_catalog: Catalog) -> None:
    from core.search.feature import _item
    from core.search.rank import Hit

    item = _item(Hit(System.HCPCS, "J1885", "Ketorolac tromethamine inj", 1.0, (), True, None), "2020")  # type: ignore[arg-type]
    assert item.detail.startswith("HCPCS Level II (2020 file)")


def test_g2012_is_deleted_and_names_98016(hcpcs_catalog: Catalog) -> None:
    reply = _ask(hcpcs_catalog, "hcpcs", "G2012")
    text = _text(reply)
    assert "G2012 was deleted in 2025 and is not billable" in text
    assert "98016" in text and reply.actions[0].value == "cpt:98016"
    record = hcpcs_catalog.get(System.HCPCS, "G2012")
    assert record is not None and not record.billable  # the 2020 file still lists it as active


# --- CPT -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "section"), [
    ("3074F", "Category II (performance measurement)"), ("0042T", "Category III (emerging technology)"),
    ("0275T", "Category III (emerging technology)"), ("0596T", "Category III (emerging technology)"),
    ("0001U", "Proprietary Laboratory Analyses (PLA)"),
    ("10030", "Surgery: Integumentary System"), ("10036", "Surgery: Integumentary System"),
    ("97151", "Medicine: Adaptive Behavior Services"), ("97158", "Medicine: Adaptive Behavior Services"),
    ("99450", "Special E/M Services"), ("99455", "Special E/M Services"), ("99456", "Special E/M Services"),
    ("98000", "Evaluation and Management: Telemedicine Services"),
    ("98016", "Evaluation and Management: Telemedicine Services"),
    ("01937", "Anesthesia: Radiological Procedures"), ("01942", "Anesthesia: Radiological Procedures"),
])
def test_cpt_sections_by_code_shape(hcpcs_catalog: Catalog, code: str, section: str) -> None:
    holding = " › ".join(r.label for r in hcpcs_catalog.cpt_ranges_holding(code))
    assert section in holding


@pytest.mark.parametrize("code", ["3074F", "0042T"])
def test_category_ii_and_iii_are_not_read_as_category_i(hcpcs_catalog: Catalog, code: str) -> None:
    holding = " › ".join(r.label for r in hcpcs_catalog.cpt_ranges_holding(code))
    assert "Surgery" not in holding and "Anesthesia" not in holding


def test_wrong_subsections_are_gone(hcpcs_catalog: Catalog) -> None:
    def labels(code: str) -> str:
        return " › ".join(r.label for r in hcpcs_catalog.cpt_ranges_holding(code))

    assert "Physical Medicine" not in labels("97153")
    assert "Critical Care" not in labels("99470")
    assert "Medicine:" not in labels("98005")
    assert labels("01936").endswith("(01916-01942)")


def test_a_code_without_summary_says_its_section_without_claiming_status(hcpcs_catalog: Catalog) -> None:
    reply = _ask(hcpcs_catalog, "cpt", "0596T")
    text = _text(reply)
    assert "Category III (emerging technology)" in text
    assert "cannot say whether it is a current code" in text
    assert "not a CPT code" not in text and "deleted" not in text


DELETED = {
    "99201": 2021, "99241": 2023, "99251": 2023, "99217": 2023, "99218": 2023, "99219": 2023, "99220": 2023,
    "99224": 2023, "99225": 2023, "99226": 2023, "99318": 2023, "99324": 2023, "99328": 2023, "99334": 2023,
    "99337": 2023, "99343": 2023, "99354": 2023, "99355": 2023, "99356": 2023, "99357": 2023, "11100": 2019,
    "99441": 2025, "99442": 2025, "99443": 2025, "01935": 2021, "01936": 2021,
}


@pytest.mark.parametrize(("code", "year"), DELETED.items())
def test_deleted_cpt_codes_say_when_and_what_replaced_them(hcpcs_catalog: Catalog, code: str, year: int) -> None:
    result = lookup(hcpcs_catalog, code, System.CPT, TODAY)
    assert result.outcome is Outcome.DELETED
    assert f"deleted in {year} and is not billable" in result.reason
    assert result.suggestions
    reply = _ask(hcpcs_catalog, "cpt", code)
    assert any(f.label == "Billable" and f.value.startswith("No") for f in reply.fields)
    for replacement in result.suggestions:
        assert replacement in _text(reply)
    record = hcpcs_catalog.get(System.CPT, code)
    assert record is None or not record.billable


def test_deleted_table_replacements_are_current_codes() -> None:
    deleted = cpt.load_deleted()
    for entry in deleted.values():
        for replacement in entry.replaced_by:
            assert (System.CPT, replacement) not in deleted, f"{entry.code} -> {replacement} is itself deleted"


def test_consultation_levels_above_the_first_are_still_codes(hcpcs_catalog: Catalog) -> None:
    # CPT 2023 removed only the lowest consultation levels; 99242-99245 and 99252-99255 remain.
    for code in ("99242", "99245", "99252", "99255", "99221", "99222", "99223"):
        assert lookup(hcpcs_catalog, code, System.CPT, TODAY).outcome is Outcome.FOUND


def _summary(code: str) -> str:
    return next(s.summary for s in cpt.load_summaries() if s.code == code)


@pytest.mark.parametrize(("code", "minutes"), [
    ("99202", 15), ("99203", 30), ("99204", 45), ("99205", 60), ("99212", 10), ("99213", 20), ("99214", 30),
    ("99215", 40), ("99221", 40), ("99222", 55), ("99223", 75), ("99231", 25), ("99232", 35), ("99233", 50),
])
def test_time_based_em_summaries_say_at_least(code: str, minutes: int) -> None:
    text = _summary(code)
    assert f"at least {minutes} minutes" in text
    assert not re.search(r"(about|roughly|around) \d+ minutes", text)


@pytest.mark.parametrize("code", ["99202", "99203", "99204", "99205"])
def test_new_patient_summaries_name_the_three_year_rule(code: str) -> None:
    text = _summary(code)
    assert "past 3 years" in text and "exact same specialty and subspecialty" in text


@pytest.mark.parametrize(("code", "words"), [
    ("01922", "any non-invasive imaging study"), ("11981", "any implant type"), ("17311", "up to 5 tissue blocks"),
    ("36591", "apart from laboratory tests"), ("59025", "compared against fetal movement"),
    ("90739", "2-dose schedule or"), ("92004", "dilation of the pupils when indicated"),
])
def test_corrected_summaries(code: str, words: str) -> None:
    assert words in _summary(code)


def test_modifier_76_sets_no_same_day_limit() -> None:
    text = next(s.summary for s in cpt.load_modifier_summaries() if s.code == "76")
    assert "no same-day limit" in text


def test_summaries_never_left_without_a_label_or_source(hcpcs_catalog: Catalog) -> None:
    record = hcpcs_catalog.get(System.CPT, "99213")
    assert record is not None and record.source == cpt.SUMMARY_SOURCE and not record.licensed


def test_real_2020_file_is_the_one_loaded(hcpcs_catalog: Catalog) -> None:
    assert hcpcs_catalog.data_year(System.HCPCS) == "2020"
    status = hcpcs_catalog.status(System.HCPCS)
    assert status is not None and status.released == date(2020, 1, 1)


def test_terminated_hcpcs_codes_are_not_billable_in_search_results(hcpcs_catalog: Catalog) -> None:
    from core.search.feature import _item
    from core.search.rank import Hit

    record = hcpcs_catalog.get(System.HCPCS, "G8929")
    assert record is not None and not record.billable
    item = _item(Hit(System.HCPCS, "G8929", record.title, 1.0, (), record.billable, record.kind), "2020")
    assert "not billable (deleted or terminated)" in item.detail and "billable ·" not in item.detail
