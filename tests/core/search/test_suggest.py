"""Autocomplete suggestions for code options (core/search/suggest.py), and the Desk's route to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.app import Services
from core.codes.catalog import Catalog
from core.codes.record import System
from core.requests import Actor, Platform
from core.search.suggest import CatalogSuggester, SearchSuggester, code_prefixes
from core.settings import Settings
from tests.conftest import CACHE_DIR
from tests.desks import code_desk

ACTOR = Actor(Platform.DISCORD, "1200000000000000100", "1200000000000000300")


@pytest.fixture(scope="module")
def suggester(catalog: Catalog) -> CatalogSuggester:
    built = CatalogSuggester(catalog)
    built.prepare()
    return built


def test_undotted_icd_codes_are_suggested_in_their_dotted_form(suggester: CatalogSuggester) -> None:
    assert code_prefixes("e119", System.ICD10CM) == ["E11.9", "E119"]
    found = suggester.suggest("icd10cm", "e119")
    assert found[0].code == "E11.9"
    assert found[0].label() == "E11.9 — Type 2 diabetes mellitus without complications"


def test_a_prefix_lists_codes_under_it_in_order(suggester: CatalogSuggester) -> None:
    codes = [s.code for s in suggester.suggest("icd10cm", "E11.6")]
    assert codes[:3] == ["E11.6", "E11.61", "E11.610"]
    assert all(code.startswith("E11.6") for code in codes) and len(codes) <= 25


def test_words_find_codes_by_title_within_the_system(suggester: CatalogSuggester, catalog: Catalog) -> None:
    found = suggester.suggest("icd10cm", "diabetes retinopathy")
    assert found and all("diabetes" in s.title.lower() and "retinopathy" in s.title.lower() for s in found)
    assert all(catalog.get(System.ICD10CM, s.code) is not None for s in found)


def test_long_titles_are_cut_to_discords_choice_limit(suggester: CatalogSuggester) -> None:
    found = suggester.suggest("", "fracture shaft nonunion IIIC")
    assert len(found) >= 10  # the list must not be empty, or the limit below proves nothing
    assert any(len(f"{s.code} — {s.title}") > 100 for s in found)  # some need cutting…
    assert all(len(s.label()) <= 100 for s in found)  # …and every label fits
    assert all(s.label().endswith("…") for s in found if len(f"{s.code} — {s.title}") > 100)


def test_the_search_index_backs_word_suggestions(catalog: Catalog, tmp_path: Path) -> None:
    services = Services(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", home=tmp_path, cache_dir=CACHE_DIR))
    services.upgrade()  # the catalog behind the search index reads imported codes from the database
    found = SearchSuggester(catalog, services.searcher()).suggest("icd10cm", "diabetes")
    assert found and all(s.code.startswith("E") or s.code.startswith("O") or s.code.startswith("Z")
                         for s in found[:5])


def test_titles_that_start_with_the_typed_words_come_first(suggester: CatalogSuggester) -> None:
    found = suggester.suggest("icd10cm", "knee pain")
    assert found[0].label() == "M25.56 — Pain in knee"


def test_the_desk_suggests_only_for_commands_whose_option_is_a_code(catalog: Catalog) -> None:
    desk = code_desk(catalog)
    assert desk.suggest(ACTOR, "icd10", "E11.6")[0].code == "E11.6"
    assert all(s.code.startswith("J18") for s in desk.suggest(ACTOR, "hcpcs", "J18"))
    assert desk.suggest(ACTOR, "help", "E11") == []  # a text option: nothing to suggest
    assert desk.suggest(ACTOR, "nosuchcommand", "E11") == []
