"""The terminal chat: the same commands as Slack and Discord, typed at a prompt or piped in.

Lines starting with "/" are commands; a number presses that button of the last answer; anything
else is a message to the bot, as if it were mentioned in a channel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal

from adapters.shell.render import render
from core.desk import Desk
from core.replies import Action, Form, Reply
from core.requests import Actor, Platform, Request

PROMPT = "codedesk> "
WORKSPACE = "local"
CHANNEL = "terminal"


def machine_zone() -> str:
    """This machine's IANA time zone (TZ, else the system's setting): the terminal's "workspace" zone,
    so a digest subscribed here runs on local time. "" when the machine's zone has no usable name."""
    try:
        name = tzlocal.get_localzone_name()
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ""
    return name


@dataclass
class ShellSession:
    """One person at the terminal. `/user NAME` switches who is typing (to try quotas as others)."""

    desk: Desk
    actor: Actor
    buttons: list[Action] = field(default_factory=list)
    ask: Callable[[str], str] | None = None  # reads one answer for a form field; None when piped
    timezone: str = field(default_factory=machine_zone)  # set on every Request, for digests

    def send(self, line: str) -> str:
        line = line.strip()
        if not line:
            return ""
        if line.isdigit():
            return self._press(int(line))
        if line.startswith("/"):
            name, _, rest = line[1:].partition(" ")
            if name == "user":
                return self._switch_user(rest)
            request = Request.command_of(self.actor, name, rest.strip(), CHANNEL, self.timezone)
        else:
            request = Request.message_of(self.actor, line, CHANNEL, self.timezone)
        return self._show(self.desk.handle(request))

    def _press(self, number: int) -> str:
        if not 1 <= number <= len(self.buttons):
            return f"There is no button {number}. Press one of 1-{len(self.buttons)}." if self.buttons \
                else "There are no buttons to press yet."
        action = self.buttons[number - 1]
        return self._show(self.desk.handle(Request.action_of(self.actor, action.action_id, action.value,
                                                             CHANNEL, self.timezone)))

    def _show(self, reply: Reply) -> str:
        self.buttons = []
        text = render(reply, self.buttons)
        if reply.form is not None and self.ask is not None:
            answers = self._fill(reply.form)
            if answers is None:
                return text + "\n\n(cancelled)"
            submitted = self.desk.handle(Request.form_of(self.actor, reply.form.form_id, answers, CHANNEL,
                                                         self.timezone))
            return text + "\n\n" + self._show(submitted)
        return text

    def _fill(self, form: Form) -> dict[str, str] | None:
        assert self.ask is not None
        answers: dict[str, str] = {}
        for item in form.fields:
            suffix = " (y/n)" if item.kind == "checkbox" else ("" if item.required else " (optional)")
            if item.value:  # filled in already: an empty answer keeps it
                suffix += f" [{item.value}]"
            try:
                answers[item.name] = self.ask(f"{item.label}{suffix}: ").strip() or item.value
            except EOFError:
                return None
        return answers

    def _switch_user(self, rest: str) -> str:
        words = rest.split()
        if not words:
            return f"You are {self.actor.user_id}{' (admin)' if self.actor.is_admin else ''}. " \
                   "Switch with `/user NAME [admin]`."
        self.actor = Actor(Platform.SHELL, WORKSPACE, words[0], words[0], is_admin="admin" in words[1:])
        return f"Now typing as {self.actor.user_id}{' (admin)' if self.actor.is_admin else ''}."


def run(desk: Desk, lines: Iterable[str], out: TextIO, *, user: str = "you", admin: bool = False,
        interactive: bool = False, ask: Callable[[str], str] | None = None) -> None:
    session = ShellSession(desk, Actor(Platform.SHELL, WORKSPACE, user, user, is_admin=admin), ask=ask)
    if interactive:
        out.write("CodeDesk terminal chat. Type /help, a command such as /cpt 99213, or a question. "
                  "Ctrl-D quits.\n")
    for line in lines:
        if line.strip() in ("/quit", "/exit"):
            break
        answer = session.send(line)
        if answer:
            out.write(answer + "\n\n")
            out.flush()
