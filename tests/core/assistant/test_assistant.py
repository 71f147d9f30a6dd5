"""The assistant through the real Desk: each intent answered, with sources, costing no views unless a
card opens; data questions answered by the Desk's own commands when present."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pytest

from core.assistant.answer import reply_text
from core.assistant.assistant import Assistant
from core.assistant.intents import Intent
from core.codes.catalog import Catalog
from core.codes.feature import CodesFeature
from core.codes.record import System
from core.codes.views import ViewDecision
from core.commands import Command, CommandRegistry, Handler
from core.desk import Desk
from core.replies import Reply
from core.requests import Actor, Platform, Request
from core.search.engine import SearchEngine
from core.search.feature import CodeSearch
from tests.desks import code_desk

ALICE = Actor(Platform.SHELL, "local", "alice")


class CountingViews:
    """A view gate that allows every card and counts them."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision:
        self.opened.append(code)
        return ViewDecision(True, 10 - len(self.opened))


class EditsProbe:
    """A small real feature standing in for the edits features other branches build: it records the
    argument text each command received and answers with it."""

    def __init__(self, *names: str) -> None:
        self.names = names
        self.received: list[tuple[str, str]] = []

    def commands(self) -> Sequence[Command]:
        return tuple(Command(name, f"/{name} for tests", self._handler(name)) for name in self.names)

    def actions(self) -> Mapping[str, Handler]:
        return {}

    def _handler(self, name: str) -> Handler:
        def handle(request: Request) -> Reply:
            self.received.append((name, request.text))
            return Reply(title=f"/{name} answered for {request.text}", footer=f"{name} data, test release")
        return handle


def desk_for(catalog: Catalog, engine: SearchEngine, views: CountingViews, *extra: object) -> Desk:
    search = CodeSearch(engine)
    return code_desk(catalog, views=views, searcher=search, features=(search, *extra))  # type: ignore[arg-type]


def ask(desk: Desk, text: str) -> Reply:
    return desk.handle(Request.message_of(ALICE, text))


def test_the_issue_examples_get_sourced_answers_without_using_views(catalog: Catalog, engine: SearchEngine) -> None:
    views = CountingViews()
    desk = desk_for(catalog, engine, views)
    by_time = reply_text(ask(desk, "how do I pick an office visit level by time"))
    assert "99214 30" in by_time and "met or exceeded" in by_time and "MLN006764" in by_time
    assert "99203" not in by_time.split("\n")[0]  # not a code list any more
    excludes = reply_text(ask(desk, "<@UCODEDESK> when do I use excludes1 versus excludes2"))
    assert "Excludes1 versus Excludes2" in excludes and "I.A.12.a" in excludes
    assert "graft" not in excludes.lower()
    assert views.opened == []


def test_lookups_open_cards_and_only_they_use_views(catalog: Catalog, engine: SearchEngine) -> None:
    views = CountingViews()
    desk = desk_for(catalog, engine, views)
    reply = ask(desk, "what are E11.9 and I10?")
    assert [p.title.split(" ")[0] for p in reply.all_parts()] == ["E11.9", "I10"]
    assert views.opened == ["E11.9", "I10"]
    searched = ask(desk, "code for left knee osteoarthritis")
    assert searched.results and "M17.12" in reply_text(searched) and "ICD-10-CM" in searched.footer
    assert views.opened == ["E11.9", "I10"]


def test_answers_name_their_sources(catalog: Catalog, engine: SearchEngine) -> None:
    assistant = Assistant(catalog, CodesFeature(catalog), searcher=CodeSearch(engine))
    lookup = assistant.ask("what is E11.9")
    release = catalog.status(System.ICD10CM)
    assert release is not None and lookup.intent is Intent.LOOKUP and lookup.opened_cards
    assert lookup.codes == ("E11.9",) and any(release.version in s and "ICD-10-CM" in s for s in lookup.sources)
    rule = assistant.ask("can I code a rule out diagnosis in the office")
    assert rule.intent is Intent.GUIDELINE and any("Section IV.H" in s for s in rule.sources)
    modifier = assistant.ask("when do I use modifier 59")
    assert modifier.intent is Intent.MODIFIER and modifier.codes == ("59",)
    assert any("MLN1783722" in s for s in modifier.sources) and "XS separate structure" in modifier.text()


def test_data_questions_without_their_feature_say_what_to_install(catalog: Catalog, engine: SearchEngine) -> None:
    desk = desk_for(catalog, engine, CountingViews())
    reply = ask(desk, "is there an NCCI edit between 29881 and 29880?")
    text = reply_text(reply)
    assert reply.title == "NCCI question: may 29881 and 29880 be billed together on the same day?"
    assert "not installed" in text and "PTP edit files" in text and "NCCI Policy Manual" in text
    fee = reply_text(ask(desk, "RVUs for 99213"))
    assert "Fee schedule (RVU) question" in fee and "relative value file" in fee


def test_data_questions_run_the_registered_command_with_the_codes(catalog: Catalog, engine: SearchEngine) -> None:
    probe = EditsProbe("ncci", "mue", "rvu", "coverage")
    desk = desk_for(catalog, engine, CountingViews(), probe)
    ncci = ask(desk, "is there an NCCI edit between 29881 and 29880?")
    assert ncci.title == "/ncci answered for 29881 29880" and "NCCI question" in ncci.subtitle
    mue = ask(desk, "I billed 6 units of J1885 on 2026-01-12, is that over the MUE")
    assert "J1885; 6 units; DOS 2026-01-12" in mue.subtitle
    ask(desk, "RVUs for 99213")
    ask(desk, "what diagnoses support 93000")
    assert probe.received == [("ncci", "29881 29880"), ("mue", "J1885"), ("rvu", "99213"), ("coverage", "93000")]


def test_unknown_questions_get_an_honest_answer_and_consult_when_available(catalog: Catalog,
                                                                          engine: SearchEngine) -> None:
    plain = reply_text(ask(desk_for(catalog, engine, CountingViews()), "tell me a joke"))
    assert plain.startswith("I don't know that one.") and "excludes1" in plain and "/consult" not in plain
    with_consult = desk_for(catalog, engine, CountingViews(), EditsProbe("consult"))
    assert "/consult <your question>" in reply_text(ask(with_consult, "tell me a joke"))


@dataclass(frozen=True)
class ProposedCode:
    code: str
    title: str
    evidence: str
    rule: str


@dataclass(frozen=True)
class Proposal:
    codes: list[ProposedCode]
    missing_details: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def text(self) -> str:
        return ", ".join(c.code for c in self.codes)


def test_cases_without_case_coding_say_it_is_not_installed(catalog: Catalog) -> None:
    assistant = Assistant(catalog, CodesFeature(catalog), proposer=None)
    answer = assistant.ask("case: type 2 diabetes with stage 3b CKD and hypertension")
    assert answer.intent is Intent.CASE and answer.reply.title == "Case coding is not installed on this CodeDesk"


def test_case_proposals_show_each_code_with_its_words_and_rule(catalog: Catalog) -> None:
    seen: list[tuple[str, str]] = []

    def propose(catalog: Catalog, text: str, setting: str) -> Proposal:
        seen.append((text, setting))
        return Proposal([ProposedCode("E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease",
                                      "type 2 diabetes with stage 3b CKD", "I.C.4.a: presumed link (“with”)")],
                        ["which CKD stage"], ["ICD-10-CM April 2026 (CDC)"])

    assistant = Assistant(catalog, CodesFeature(catalog), proposer=propose)
    answer = assistant.ask("case: type 2 diabetes with stage 3b CKD")
    assert seen == [("type 2 diabetes with stage 3b CKD", "outpatient")]
    assert answer.codes == ("E11.22",) and answer.sources == ("ICD-10-CM April 2026 (CDC)",)
    text = answer.text()
    assert "E11.22" in text and "from “type 2 diabetes with stage 3b CKD”" in text and "presumed link" in text
    assert "which CKD stage" in text and "a certified coder decides" in text


def test_help_and_smalltalk(catalog: Catalog, engine: SearchEngine) -> None:
    desk = desk_for(catalog, engine, CountingViews())
    assert "/codesearch" in reply_text(ask(desk, "what can you do"))
    assert ask(desk, "thanks!").title == "You're welcome!"
    registry = CommandRegistry(())
    bare = Assistant(catalog, CodesFeature(catalog), registry=registry)
    assert "excludes1" in bare.ask("help").text()


@pytest.mark.parametrize("text", ["", "   ", "🙂", "?" * 5000, "how is " * 5000, "case:", "modifier", "E11.", "<@U1>"])
def test_any_text_gets_a_reply(catalog: Catalog, engine: SearchEngine, text: str) -> None:
    reply = ask(desk_for(catalog, engine, CountingViews()), text)
    assert reply.title
