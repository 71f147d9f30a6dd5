"""Entities a coder's question carries: codes of every system, modifiers, units, POS, dates, credentials, states."""

from datetime import date

import pytest

from core.assistant.entities import extract
from core.codes.catalog import Catalog


@pytest.mark.parametrize(("text", "expected"), [
    ("what are E11.9 and I10?", {"icd10cm:E11.9", "icd10cm:I10"}),
    ("e119", {"icd10cm:E11.9"}),
    ("look up J1885 and 99213", {"hcpcs:J1885", "cpt:99213"}),
    ("99213-25 with 20610", {"cpt:99213", "modifier:25", "cpt:20610"}),
    ("modifier 24 vs 25", {"modifier:24", "modifier:25"}),
    ("26/TC on a chest x-ray read", {"modifier:26", "modifier:TC"}),
    ("is XU the same as 59", {"modifier:XU", "modifier:59"}),
    ("do I need a 25 on 99213 billed with 11721", {"modifier:25", "cpt:99213", "cpt:11721"}),
    ("modifier 57 on an E/M the day before surgery", {"modifier:57"}),
    ("telehealth POS 10 or 02 with modifier 95", {"pos:10", "pos:02", "modifier:95"}),
    ("I billed 6 units of J1885 on 2026-01-12", {"units:6", "hcpcs:J1885", "dos:2026-01-12"}),
    ("3 units of 96372 on DOS 02/03/2026", {"units:3", "cpt:96372", "dos:2026-02-03"}),
    ("any remote CPC-A jobs in Florida", {"credential:CPC-A", "state:FL"}),
    ("CCS jobs in GA", {"credential:CCS", "state:GA"}),
    ("what does modifier GA mean", {"modifier:GA"}),
    ("how much does medicare pay for 20610 in TX", {"cpt:20610", "state:TX"}),
])
def test_entities_are_found_with_their_kind(catalog: Catalog, text: str, expected: set[str]) -> None:
    assert extract(text, catalog).labels() == expected


def test_words_that_look_like_codes_are_checked_against_the_catalog(catalog: Catalog) -> None:
    assert extract("code for vitamin B12 deficiency", catalog).codes == ()
    assert extract("in 2026 the rule changed", catalog).labels() == set()  # a year is not a code or a date


def test_impossible_dates_are_ignored_not_guessed() -> None:
    assert extract("DOS 13/45/2026").dates_of_service == ()
    assert extract("seen Mar 4, 2026").dates_of_service == (date(2026, 3, 4),)


def test_ordinary_words_are_not_states_or_modifiers() -> None:
    found = extract("Or maybe me? I am OK with it, in general")
    assert found.states == () and found.modifiers == ()
