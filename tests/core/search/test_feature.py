"""Search in chat, through the real Desk: /codesearch, /icd10 <words>, free text, next page."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.codes.cards import OPEN_CODE
from core.codes.catalog import Catalog
from core.codes.record import System
from core.codes.views import ViewDecision
from core.desk import Desk
from core.replies import ErrorKind, Reply
from core.requests import Actor, Platform, Request
from core.search.engine import SearchEngine
from core.search.feature import SEARCH_PAGE, CodeSearch, parse_command
from tests.desks import code_desk

ALICE = Actor(Platform.SHELL, "local", "alice")


class NoViewsLeft:
    """A view gate that refuses every card, to show listing results never asks it."""

    def __init__(self) -> None:
        self.asked = 0

    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision:
        self.asked += 1
        return ViewDecision(False, 0, Reply(title="No code views left this month", error=ErrorKind.QUOTA))


def desk_with(catalog: Catalog, engine: SearchEngine, views: NoViewsLeft | None = None) -> Desk:
    search = CodeSearch(engine)
    return code_desk(catalog, views=views, searcher=search, features=(search,))


def test_codesearch_lists_codes_each_with_an_open_button(catalog: Catalog, engine: SearchEngine) -> None:
    views = NoViewsLeft()
    reply = desk_with(catalog, engine, views).handle(Request.command_of(ALICE, "codesearch", "cellulitis of leg"))
    assert not reply.is_error and reply.results
    first = reply.results[0]
    assert first.title.startswith("L03.") and first.action is not None
    assert first.action.action_id == OPEN_CODE and first.action.value.startswith("icd10cm:L03.")
    assert views.asked == 0  # listing used no code view
    opened = desk_with(catalog, engine, views).handle(Request.action_of(ALICE, OPEN_CODE, first.action.value))
    assert opened.error is ErrorKind.QUOTA and views.asked == 1


def test_system_commands_search_within_their_system(catalog: Catalog, engine: SearchEngine) -> None:
    reply = desk_with(catalog, engine).handle(Request.command_of(ALICE, "icd10", "otitis media"))
    assert reply.results and all(item.detail.startswith("ICD-10-CM") for item in reply.results)
    assert "in ICD-10-CM" in reply.title


def test_free_text_without_codes_is_searched(catalog: Catalog, engine: SearchEngine) -> None:
    reply = desk_with(catalog, engine).handle(Request.message_of(ALICE, "which code for a bee sting?"))
    assert reply.results and not reply.is_error


def test_a_chatty_mention_gets_pointers_not_a_search_error(catalog: Catalog, engine: SearchEngine) -> None:
    reply = desk_with(catalog, engine).handle(Request.message_of(ALICE, "hi there, thanks!"))
    assert not reply.is_error and not reply.results  # chat is answered, not searched
    assert "what is 99213" in reply.sections[0].text


def test_next_page_button_continues_the_list(catalog: Catalog, engine: SearchEngine) -> None:
    desk = desk_with(catalog, engine)
    first = desk.handle(Request.command_of(ALICE, "codesearch", "fracture of femur billable"))
    assert "billable only" in first.subtitle
    [button] = [a for a in first.actions if a.action_id == SEARCH_PAGE]
    second = desk.handle(Request.action_of(ALICE, SEARCH_PAGE, button.value))
    assert second.subtitle.startswith("11–20 of")
    assert not {i.title for i in first.results} & {i.title for i in second.results}
    assert "fracture" in second.results[0].subtitle.lower()
    assert all("not billable" not in i.detail for i in second.results)


def test_corrections_and_expansions_are_shown(catalog: Catalog, engine: SearchEngine) -> None:
    reply = desk_with(catalog, engine).handle(Request.command_of(ALICE, "codesearch", "ckd appendicits"))
    assert "“appendicits” read as" in reply.subtitle
    assert "“ckd” also searched as" in reply.subtitle


def test_bad_searches_get_a_clear_reply(catalog: Catalog, engine: SearchEngine) -> None:
    desk = desk_with(catalog, engine)
    empty = desk.handle(Request.command_of(ALICE, "codesearch", "  "))
    assert empty.error is ErrorKind.BAD_INPUT and "/codesearch chest pain" in empty.sections[0].text
    long = desk.handle(Request.command_of(ALICE, "codesearch", "pain " * 2000))
    assert long.error is ErrorKind.BAD_INPUT and "limit" in long.title
    nothing = desk.handle(Request.command_of(ALICE, "codesearch", "qqqqzzzz"))
    assert nothing.error is ErrorKind.NOT_FOUND and "did not recognise" in nothing.sections[0].text
    stale = desk.handle(Request.action_of(ALICE, SEARCH_PAGE, "garbage"))
    assert stale.error is ErrorKind.BAD_INPUT


def test_codesearch_options_are_read_from_the_words() -> None:
    asked = parse_command("hcpcs walker billable")
    assert (asked.words, asked.system, asked.billable_only) == ("walker", System.HCPCS, True)
    assert parse_command("cpt").words == "cpt"


def test_help_mentions_codesearch(catalog: Catalog, engine: SearchEngine) -> None:
    reply = desk_with(catalog, engine).handle(Request.command_of(ALICE, "help", ""))
    assert "/codesearch" in reply.sections[0].text


def test_the_index_is_opened_on_the_first_search_only(catalog: Catalog, engine: SearchEngine) -> None:
    opened: list[SearchEngine] = []

    def open_engine() -> SearchEngine:
        opened.append(engine)
        return engine

    search = CodeSearch(open_engine)
    desk = code_desk(catalog, searcher=search, features=(search,))
    assert not desk.handle(Request.command_of(ALICE, "icd10", "J45.909")).is_error
    assert opened == []
    desk.handle(Request.command_of(ALICE, "codesearch", "bronchitis"))
    desk.handle(Request.command_of(ALICE, "codesearch", "sinusitis"))
    assert len(opened) == 1


def test_hcpcs_words_before_any_import_say_how_to_import(catalog: Catalog, engine: SearchEngine) -> None:
    reply = desk_with(catalog, engine).handle(Request.command_of(ALICE, "hcpcs", "standard walker"))
    assert reply.error is ErrorKind.NOT_FOUND
    assert "codedesk import hcpcs FILE" in reply.sections[0].text


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400), st.sampled_from(["codesearch", "icd10", "cpt", "code"]))
def test_any_command_text_gets_a_reply(catalog: Catalog, engine: SearchEngine, text: str, command: str) -> None:
    reply = desk_with(catalog, engine).handle(Request.command_of(ALICE, command, text))
    assert reply.title
    assert reply.error is not ErrorKind.INTERNAL
    assert reply.is_error or reply.results or reply.fields
