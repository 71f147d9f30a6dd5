from core.codes.catalog import Catalog
from core.codes.record import System
from core.codes.views import ViewDecision
from core.desk import Desk
from core.replies import ErrorKind, Reply, Visibility
from core.requests import Actor, Platform, Request
from tests.desks import code_desk

ALICE = Actor(Platform.SHELL, "local", "alice")


def test_code_commands_open_cards(catalog: Catalog) -> None:
    desk = code_desk(catalog)
    reply = desk.handle(Request.command_of(ALICE, "icd10", "e119"))
    assert reply.title.startswith("E11.9") and not reply.is_error
    assert reply.visibility is Visibility.ONLY_YOU


def test_share_posts_the_card_to_the_channel(catalog: Catalog) -> None:
    reply = code_desk(catalog).handle(Request.command_of(ALICE, "icd10", "E11.9 share"))
    assert reply.visibility is Visibility.CHANNEL


def test_free_text_opens_each_code_found(catalog: Catalog) -> None:
    reply = code_desk(catalog).handle(Request.message_of(ALICE, "is E11.9 or I10 the right one?"))
    titles = [part.title for part in reply.all_parts()]
    assert titles[0].startswith("E11.9") and titles[1].startswith("I10")


def test_free_text_without_a_code_is_answered_by_the_assistant(catalog: Catalog) -> None:
    reply = code_desk(catalog).handle(Request.message_of(ALICE, "hello there"))
    assert reply.title.startswith("Hello") and "what is 99213" in reply.sections[0].text


def test_free_text_without_an_answerer_points_to_the_commands() -> None:
    reply = Desk(()).handle(Request.message_of(ALICE, "hello there"))
    assert "I did not find a code" in reply.subtitle and "/help" in reply.sections[0].text


def test_empty_and_unknown_commands_say_what_to_type(catalog: Catalog) -> None:
    desk = code_desk(catalog)
    empty = desk.handle(Request.command_of(ALICE, "icd10", ""))
    assert empty.error is ErrorKind.BAD_INPUT and "/icd10 E11.9" in empty.sections[0].text
    unknown = desk.handle(Request.command_of(ALICE, "frobnicate", "x"))
    assert unknown.error is ErrorKind.BAD_INPUT and "/help" in unknown.sections[0].text


def test_codedesk_catch_all_reaches_every_command(catalog: Catalog) -> None:
    reply = code_desk(catalog).handle(Request.command_of(ALICE, "codedesk", "icd10 E11.9"))
    assert reply.title.startswith("E11.9")


def test_the_open_button_opens_the_card(catalog: Catalog) -> None:
    reply = code_desk(catalog).handle(Request.action_of(ALICE, "open_code", "icd10cm:W21.89XA"))
    assert reply.title.startswith("W21.89XA")


class RefuseAll:
    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision:
        return ViewDecision(False, 0, Reply(title="0 code views left", error=ErrorKind.QUOTA))


class CountDown:
    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision:
        return ViewDecision(True, 3)


def test_cards_go_through_the_view_gate_but_errors_do_not(catalog: Catalog) -> None:
    desk = code_desk(catalog, views=RefuseAll())
    assert desk.handle(Request.command_of(ALICE, "icd10", "E11.9")).error is ErrorKind.QUOTA
    # A header is not a card view: it is answered even with no views left.
    assert desk.handle(Request.command_of(ALICE, "icd10", "E11")).error is ErrorKind.NOT_FOUND
    counted = code_desk(catalog, views=CountDown()).handle(Request.command_of(ALICE, "icd10", "E11.9"))
    assert counted.footer.endswith("3 code views left this month")


class Broken:
    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision:
        raise RuntimeError("boom")


def test_an_unexpected_error_is_a_short_apology_with_a_reference(catalog: Catalog, caplog) -> None:  # type: ignore[no-untyped-def]
    reply = code_desk(catalog, views=Broken()).handle(Request.message_of(ALICE, "E11.9 for patient John Doe"))
    assert reply.error is ErrorKind.INTERNAL and "ref " in reply.title
    assert "John Doe" not in caplog.text  # message text is never logged
    assert "RuntimeError at " in caplog.text  # but where it failed is


def test_share_is_applied_once_by_the_desk_for_shareable_commands_only(catalog: Catalog) -> None:
    desk = code_desk(catalog)
    assert desk.handle(Request.command_of(ALICE, "code", "E11.9 share")).visibility is Visibility.CHANNEL
    refused = desk.handle(Request.command_of(ALICE, "icd10", "share"))  # nothing left to look up
    assert refused.error is ErrorKind.BAD_INPUT and refused.is_private
    # /help is not shareable: "share" is just the word it was given, and the answer stays private.
    assert desk.handle(Request.command_of(ALICE, "help", "share")).is_private
