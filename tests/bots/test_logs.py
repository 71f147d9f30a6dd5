"""Log lines: JSON when not on a terminal, readable on one; the request id in each line is the
reference id the user's apology shows; never the text typed or an exception's message."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator, Mapping, Sequence

import pytest

from bots import logs
from core.commands import Command, Handler, Option
from core.desk import Desk
from core.replies import ErrorKind, Reply
from core.requests import Actor, Platform, Request

SECRET_TEXT = "patient Jane Roe DOB 1970-01-01 jane@example.org"


class Exploding:
    def commands(self) -> Sequence[Command]:
        return (Command("boom", "Fails", self._boom, Option.text("args", "anything")),)

    def actions(self) -> Mapping[str, Handler]:
        return {}

    def _boom(self, request: Request) -> Reply:
        raise ValueError(f"could not parse {request.text}")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_carry_the_reference_id_and_no_personal_text() -> None:
    out = io.StringIO()
    logs.configure("INFO", "auto", out)
    reply = Desk((Exploding(),)).handle(Request.command_of(Actor(Platform.SLACK, "T1", "U1"), "boom", SECRET_TEXT))
    assert reply.error is ErrorKind.INTERNAL
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    failed = next(line for line in lines if "request failed" in line["message"])
    ref = failed["request_id"]
    assert f"(ref {ref})" in reply.title
    assert "ValueError" in failed["message"]
    assert "Jane" not in out.getvalue() and "jane@" not in out.getvalue() and "could not parse" not in out.getvalue()


@pytest.mark.usefixtures("restore_logging")
def test_a_terminal_gets_readable_lines_and_exceptions_as_type_and_place() -> None:
    out = Terminal()
    logs.configure("INFO", "auto", out)
    try:
        raise KeyError(SECRET_TEXT)
    except KeyError:
        logging.getLogger("codedesk.test").exception("lookup failed")
    text = out.getvalue()
    assert text.count("\n") == 1 and "INFO" not in text and "ERROR" in text and "lookup failed" in text
    assert "KeyError at" in text and "Jane" not in text and not text.lstrip().startswith("{")
