import io

from adapters.shell.chat import ShellSession, run
from core.codes.catalog import Catalog
from core.requests import Actor, Platform
from tests.desks import code_desk


def test_a_piped_conversation_prints_each_answer(catalog: Catalog) -> None:
    out = io.StringIO()
    run(code_desk(catalog), ["/icd10 e119\n", "/icd10 S62.101\n", "/quit\n", "/icd10 I10\n"], out)
    text = out.getvalue()
    assert "E11.9 — Type 2 diabetes mellitus without complications" in text
    assert "S62.101 needs a 7th character" in text and "`A` initial encounter for closed fracture" in text
    assert "I10" not in text.split("S62.101 needs")[1]  # nothing after /quit


def test_numbers_press_the_buttons_of_the_last_answer(catalog: Catalog) -> None:
    session = ShellSession(code_desk(catalog), Actor(Platform.SHELL, "local", "you"))
    first = session.send("/icd10 W21.89A")
    assert "[1] Open W21.89XA" in first
    assert session.send("1").startswith("W21.89XA")
    assert "no button 7" in session.send("7") or "no buttons" in session.send("7")


def test_user_switch_changes_who_is_typing(catalog: Catalog) -> None:
    session = ShellSession(code_desk(catalog), Actor(Platform.SHELL, "local", "you"))
    assert session.send("/user bob admin") == "Now typing as bob (admin)."
    assert session.actor.user_id == "bob" and session.actor.is_admin
