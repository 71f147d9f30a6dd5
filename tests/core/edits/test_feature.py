"""/ncci, /mue, /rvu and /check through the Desk, on files imported from the layout fixtures."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.shell.render import render
from core.accounts.policy import QuotaPolicy
from core.accounts.quota import ViewQuota
from core.codes.catalog import Catalog
from core.desk import Desk
from core.edits import fees
from core.edits.check import default_rules
from core.edits.feature import EditsFeature
from core.edits.store import EditStore
from core.replies import ErrorKind, Reply
from core.requests import Actor, Platform, Request
from tests.core.edits.conftest import TODAY, Loaded
from tests.desks import code_desk

ACTOR = Actor(Platform.SHELL, "local", "coder")


def _desk(catalog: Catalog, loaded: Loaded, views: ViewQuota | None = None) -> Desk:
    store = EditStore(loaded.sessions, lambda: TODAY)
    feature = EditsFeature(loaded.sessions, default_rules(store, lambda: catalog), today=lambda: TODAY)
    return code_desk(catalog, views=views, features=(feature,), today=lambda: TODAY)


def _ask(desk: Desk, line: str) -> Reply:
    command, _, text = line.lstrip("/").partition(" ")
    return desk.handle(Request.command_of(ACTOR, command, text, channel_id="C1"))


@pytest.fixture
def desk(catalog: Catalog, loaded: Loaded) -> Desk:
    return _desk(catalog, loaded)


def test_ncci_names_column_one_the_modifier_rule_and_the_quarter(desk: Desk) -> None:
    reply = _ask(desk, "/ncci 29881 29880")
    text = render(reply)
    assert reply.title == "NCCI edit: 29881 is bundled into 29880"
    assert "Column 1: 29880" in text.replace("  ", " ") or "29880" in {f.value for f in reply.fields}
    fields = {f.label: f.value for f in reply.fields}
    assert fields["Column 1"] == "29880" and fields["Column 2"] == "29881"
    assert fields["Modifier indicator"].startswith("1: a modifier may bypass it (59, XE, XS, XP, XU")
    assert fields["Effective"] == "2012-01-01" and fields["Deleted"] == "none"
    assert fields["Rationale"] == "Mutually exclusive procedures"
    assert "NCCI PTP practitioner 2026Q4" in reply.footer
    assert _ask(desk, "/ncci 29880 29881").fields == reply.fields


def test_ncci_says_when_an_edit_was_deleted_and_when_there_is_none(desk: Desk) -> None:
    deleted = _ask(desk, "/ncci 36415 36416")
    assert deleted.title == "The NCCI edit between 36415 and 36416 was deleted"
    assert "Deleted since 2024-01-01" in deleted.sections[0].text
    assert _ask(desk, "/ncci 36415 36416 date:2023-06-01").error is ErrorKind.NOT_FOUND  # no 2023 quarter
    none = _ask(desk, "/ncci 99214 29880")
    assert none.title == "No NCCI edit between 99214 and 29880" and not none.is_error
    indicator0 = {f.label: f.value for f in _ask(desk, "/ncci 11102 11103").fields}
    assert indicator0["Modifier indicator"].startswith("0: no modifier allowed")


def test_ncci_hospital_uses_the_outpatient_hospital_edits(desk: Desk) -> None:
    reply = _ask(desk, "/ncci 99214 96372 hospital")
    assert {f.label: f.value for f in reply.fields}["Rationale"] == "Hospital rationale"
    assert "NCCI PTP outpatient hospital 2026Q4" in reply.footer


def test_a_date_of_service_before_any_loaded_quarter_says_what_to_import(desk: Desk) -> None:
    reply = _ask(desk, "/ncci 29881 29880 date:2026-03-01")
    assert reply.error is ErrorKind.NOT_FOUND
    assert reply.title == "No NCCI PTP practitioner data is loaded for 2026-03-01."
    assert "codedesk import ncci FILE" in reply.sections[0].text and "2026Q4" in reply.sections[0].text


@pytest.mark.parametrize(("line", "title"), [
    ("/ncci 29881", "/ncci needs two codes; you gave 1."),
    ("/ncci 29881 E11.9", "E11.9 is not a CPT or HCPCS code."),
    ("/ncci 29881 29881", "Those are the same code twice."),
    ("/ncci 29881 29880 date:2026-13-45", "date:2026-13-45 is not a real date; write it as date:2026-11-15"),
    ("/mue", "/mue needs one CPT or HCPCS code; got nothing."),
    ("/mue hello", "/mue needs one CPT or HCPCS code; got hello."),
    ("/rvu 99214 ZZ 77", "No locality matches “ZZ 77” in PFS GPCIs 2026."),
    ("/rvu 9921", "9921 is not a CPT or HCPCS code."),
    ("/check 99214-25 hello", "“hello” is not a claim line (CODE[-MOD…][xUNITS], e.g. 99214-25 or J1885x2) or an "
                              "ICD-10-CM code (e.g. E11.9)"),
    ("/check", "The claim has no lines"),
    ("/changes hcpcs 2019", "/changes needs a code system and two releases."),
    ("/changes watch", "No codes given."),
])
def test_bad_input_says_what_was_wrong_and_what_to_type(desk: Desk, line: str, title: str) -> None:
    reply = _ask(desk, line)
    assert reply.error is ErrorKind.BAD_INPUT and reply.is_private
    assert reply.title == title
    hint = reply.sections[0].text if reply.sections else ""
    assert "`/" in hint or "e.g." in hint


def test_mue_lists_each_service_type_with_the_indicator_in_words(desk: Desk) -> None:
    reply = _ask(desk, "/mue 86357")
    fields = {f.label: f.value for f in reply.fields}
    assert fields == {"Practitioner": "1 per day", "Outpatient hospital": "2 per day"}
    text = render(reply)
    assert "date of service edit, clinical" in text and "Nature of Service/Procedure" in text
    assert "MUE practitioner 2026Q4" in reply.footer and "MUE outpatient hospital 2026Q4" in reply.footer
    line_edit = render(_ask(desk, "/mue 96372"))
    assert "4 per line" in line_edit and "line edit: the limit applies to each claim line" in line_edit
    unknown = _ask(desk, "/mue 12345")
    assert unknown.error is ErrorKind.NOT_FOUND and "No MUE for 12345" in unknown.title


def test_rvu_shows_the_formula_and_the_payment_for_a_locality(desk: Desk) -> None:
    reply = _ask(desk, "/rvu 99214 FL 04")
    payment = next(s.text for s in reply.sections if s.heading == "Payment")
    amount = (1.92 * 1.000 + 1.50 * 1.057 + 0.13 * 2.459) * 33.4009
    assert f"(1.92 × 1.000 + 1.50 × 1.057 + 0.13 × 2.459) × 33.4009 = ${amount:,.2f}" in payment
    qpp = (1.92 * 1.000 + 1.50 * 1.057 + 0.13 * 2.459) * 33.5675
    assert f"× 33.5675 = ${qpp:,.2f}" in payment and "Non-facility QPP" in payment
    assert reply.subtitle == "Locality: FL 04 MIAMI"
    fields = {f.label: f.value for f in reply.fields}
    assert fields["Work RVU"] == "1.92" and fields["Global days"] == "XXX"
    assert fields["PC/TC"].startswith("0: physician service")
    assert "PFS RVUs 2026Q4" in reply.footer and "PFS GPCIs 2026" in reply.footer
    by_name = _ask(desk, "/rvu 99214 miami")
    assert by_name.subtitle == "Locality: FL 04 MIAMI"


def test_rvu_without_a_locality_is_national_and_na_settings_say_so(desk: Desk) -> None:
    national = _ask(desk, "/rvu 99214")
    payment = next(s.text for s in national.sections if s.heading == "Payment")
    amount = (1.92 + 1.50 + 0.13) * 33.4009
    assert national.subtitle == "Locality: national" and f"= ${amount:,.2f}" in payment
    xray = next(s.text for s in _ask(desk, "/rvu 71046").sections if s.heading == "Payment")
    assert "Facility non-QPP: not priced in this setting (NA)" in xray
    professional = _ask(desk, "/rvu 71046-26")
    assert professional.title.startswith("71046-26") and {f.label: f.value for f in professional.fields}[
        "PE RVU facility"] == "0.09"
    several = _ask(desk, "/rvu 99214 FL")
    assert several.error is ErrorKind.BAD_INPUT and "matches 3 localities" in several.title


def test_payment_arithmetic() -> None:
    rvu = fees.Rvu("99214", "", "A", 1.92, 1.50, False, 0.77, False, 0.13, "0", "XXX", "0", "0", 33.4009)
    pay = fees.payment(rvu, fees.NATIONAL, facility=True, conversion_factor=33.4009)
    assert pay is not None and pay.amount == round((1.92 + 0.77 + 0.13) * 33.4009, 2)


def test_check_lists_every_kind_of_finding_with_its_source(desk: Desk) -> None:
    reply = _ask(desk, "/check 99214-25 11102-25 11103 J1885x9 96372x5 29880-LT-RT E11 S62.101 N18.32 "
                       "71046-26 99420")
    text = render(reply)
    sections = {s.heading: s.text for s in reply.sections}
    ptp_text = sections["NCCI PTP"]
    assert "11103 is bundled into 11102" in ptp_text and "no modifier bypasses this edit" in ptp_text
    assert "11102 with 99214 has an edit" in ptp_text and "carries 25, which bypasses it" in ptp_text
    assert "NCCI PTP practitioner 2026Q4" in ptp_text
    assert "J1885: 9 units on this date; the MUE allows 8 per day" in sections["MUE"]
    assert "96372x5: 5 units on one line; the MUE allows 4 per line" in sections["MUE"]
    assert "11103 is an add-on code billed without a primary" not in sections.get("Add-on", "")
    assert "11102-25: modifier 25 marks a separate E/M service" in sections["Modifiers"]
    assert "99214-25" not in sections["Modifiers"]
    assert "29880-LT-RT: LT and RT on one line" in sections["Modifiers"]
    assert "E11 is a category, not a billable code" in sections["ICD-10-CM"]
    assert "S62.101 lacks its 7th character" in sections["ICD-10-CM"]
    assert "N18.32" not in sections["ICD-10-CM"]
    assert "99420 is deleted in the fee schedule" in sections["Terminated codes"]
    assert "96372 is not in the fee schedule file" in sections["Terminated codes"]  # the fixture lacks it
    assert "Checks that could not run" in sections  # no HCPCS file is imported for J1885
    assert "codedesk import hcpcs FILE" in sections["Checks that could not run"]
    assert reply.title.endswith("problems found") and "No problems found" not in text


def test_an_add_on_without_its_primary_and_a_26_that_does_not_fit(desk: Desk) -> None:
    sections = {s.heading: s.text for s in _ask(desk, "/check 99417 99214-26 0001U").sections}
    assert "99417 is an add-on code billed without a primary code; it goes with 99205, 99215" in sections["Add-on"]
    assert "0001U is an add-on code (type 2)" in sections["Add-on"]
    assert "99214-26: modifier 26 asks for the professional component" in sections["Modifier 26"]
    ok = {s.heading: s.text for s in _ask(desk, "/check 71046-26 99215 99417").sections}
    assert "Modifier 26" not in ok and "Add-on" not in ok


def test_no_problems_found_only_when_every_check_ran(desk: Desk, catalog: Catalog, loaded: Loaded) -> None:
    clean = _ask(desk, "/check 99214 E11.9 N18.32")
    assert clean.title == "No problems found"
    assert ("Data: NCCI PTP practitioner 2026Q4, MUE practitioner 2026Q4, NCCI add-on code edits 2026Q4, "
            "PFS RVUs 2026Q4") in clean.footer
    assert "Checks that could not run" not in {s.heading for s in clean.sections}
    empty_db = _desk(catalog, Loaded(_fresh_sessions(loaded), loaded.folder))
    missing = _ask(empty_db, "/check 99214 E11.9")
    assert missing.title == "Nothing found, but not every check could run"
    could_not = next(s.text for s in missing.sections if s.heading == "Checks that could not run")
    for command in ("codedesk import ncci FILE…", "codedesk import mue FILE", "codedesk import aoc FILE",
                    "codedesk import rvu FILE"):
        assert command in could_not


def _fresh_sessions(loaded: Loaded):  # type: ignore[no-untyped-def]
    from core import db

    url = f"sqlite:///{loaded.folder / 'empty.db'}"
    db.upgrade(url)
    return db.session_factory(db.make_engine(url))


def test_no_edit_answer_uses_a_code_view(catalog: Catalog, loaded: Loaded) -> None:
    quota = ViewQuota(loaded.sessions, QuotaPolicy(guest_views=1))
    desk = _desk(catalog, loaded, views=quota)
    for line in ("/ncci 29881 29880", "/mue 86357", "/rvu 99214 FL 04", "/check 99214 E11.9", "/ncci 1 2"):
        _ask(desk, line)
    card = _ask(desk, "/icd10 E11.9")
    assert card.title.startswith("E11.9") and not card.is_error  # the guest's one view was still there


def test_the_date_of_service_picks_the_quarter_in_every_answer(desk: Desk) -> None:
    reply = _ask(desk, "/check 11102 11103 date:2026-12-01")
    assert reply.subtitle == "Date of service 2026-12-01"
    assert date(2026, 12, 1) > TODAY
