"""The one command registry: every feature declares its commands here as values, once.

A `Command` names a slash command, its one-line help, its one typed option (free text, or a code
of some system, which Discord turns into autocomplete), its aliases and whether it answers fast.
From the registry the Desk routes and builds `/help`, Discord builds its application commands,
Slack knows its slash commands, and `codedesk slack manifest` writes the app manifest.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from core.replies import Reply, Section, clip
from core.requests import Request

Handler = Callable[[Request], Reply]


class OptionKind(enum.StrEnum):
    TEXT = "text"  # free text: arguments, words, a question
    CODE = "code"  # a code (or words to search); Discord offers autocomplete


@dataclass(frozen=True, slots=True)
class Option:
    """The command's one argument as platforms show it: Slack's usage hint, Discord's option."""

    name: str  # Discord's option name: "code", "query", "args"
    help: str  # Slack's usage hint and Discord's option description
    required: bool = False
    kind: OptionKind = OptionKind.TEXT
    system: str = ""  # for a CODE option: the code system's name ("cpt", "icd10cm", "hcpcs"); "" = any

    @classmethod
    def code(cls, help: str, system: str = "", *, required: bool = True) -> Option:
        return cls("code", help, required, OptionKind.CODE, system)

    @classmethod
    def text(cls, name: str, help: str, *, required: bool = False) -> Option:
        return cls(name, help, required, OptionKind.TEXT)


@dataclass(frozen=True)
class Command:
    """One slash command, declared once by the feature that answers it."""

    name: str  # without the slash, lower case: "cpt"
    help: str  # one line, no longer than Discord's 100-character description
    handler: Handler
    option: Option = Option("args", "Optional: what to do")
    aliases: tuple[str, ...] = ()  # other names the Desk accepts (`/codedesk icd …`, the shell)
    fast: bool = True  # answers in milliseconds: platforms answer inline without a hand-off
    usage: str = ""  # the example /help shows, e.g. "/cpt 99213"
    details: tuple[str, ...] = ()  # more lines for `/help <command>`
    listed: bool = True  # a platform slash command (False: reachable by alias only)
    shareable: bool = False  # a last word `share` posts the answer to the channel (the Desk does it)

    def __post_init__(self) -> None:
        if not self.name or self.name != self.name.lower() or not self.name.replace("-", "").isalnum():
            raise ValueError(f"command name {self.name!r} must be lower-case letters, digits or -")
        if len(self.help) > 100:
            raise ValueError(f"/{self.name}: help is {len(self.help)} characters; platforms allow 100")
        if len(self.option.help) > 100:
            raise ValueError(f"/{self.name}: option help is longer than 100 characters")
        if not self.listed and self.usage and not self.usage.startswith("/codedesk "):
            raise ValueError(f"/{self.name} is not a slash command: its usage must start with /codedesk")

    @property
    def example(self) -> str:
        return self.usage or (f"/{self.name}" if self.listed else f"/codedesk {self.name}")


class Feature(Protocol):
    """A group of commands and the buttons and forms they send (accounts, jobs, edits, …)."""

    def commands(self) -> Sequence[Command]: ...
    def actions(self) -> Mapping[str, Handler]: ...


class ThreadFollower(Protocol):
    """A feature that owns some threads (a consult's experts-channel post): a MESSAGE replying in one
    is answered by it. `None` means "not one of mine"."""

    def thread_reply(self, request: Request) -> Reply | None: ...


class DuplicateCommand(ValueError):
    """Two features claimed one command name or action id."""


class CommandRegistry:
    """Every feature's commands and actions, checked for clashes, in declaration order."""

    def __init__(self, features: Iterable[Feature]) -> None:
        self._commands: list[Command] = []
        self._by_name: dict[str, Command] = {}
        self._actions: dict[str, Handler] = {}
        for feature in features:
            for command in feature.commands():
                self.add(command)
            for action_id, handler in feature.actions().items():
                if action_id in self._actions:
                    raise DuplicateCommand(f"two features handle the action {action_id!r}")
                self._actions[action_id] = handler

    def add(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            if name in self._by_name:
                raise DuplicateCommand(f"/{name} is declared twice "
                                       f"(by /{self._by_name[name].name} and /{command.name})")
            self._by_name[name] = command
        self._commands.append(command)

    @property
    def commands(self) -> tuple[Command, ...]:
        return tuple(self._commands)

    @property
    def listed(self) -> tuple[Command, ...]:
        """The commands every platform shows as slash commands."""
        return tuple(c for c in self._commands if c.listed)

    @property
    def names(self) -> list[str]:
        """Every name the Desk answers to, aliases included."""
        return sorted(self._by_name)

    def get(self, name: str) -> Command | None:
        return self._by_name.get(name.lstrip("/").lower())

    def action(self, action_id: str) -> Handler | None:
        return self._actions.get(action_id)

    def help_reply(self, intro: str = "", topic: str = "") -> Reply:
        """`/help`: one line per command; `/help jobs`: that command's details."""
        if topic:
            command = self.get(topic)
            if command is not None:
                lines = [f"`{command.example}` — {command.help}", *command.details]
                return Reply(title=f"/{command.name}", subtitle=intro,
                             sections=(Section("How to use it", "\n".join(f"- {x}" for x in lines)),))
            intro = f"“/{topic[:30]}” is not a CodeDesk command. " + intro
        lines = [f"`{c.example}` — {c.help}" for c in self._commands]
        lines.append("Mention me with a question, e.g. “what is 99213 and E11.9?”")
        return Reply(title="CodeDesk — medical coding in your chat", subtitle=intro.strip(),
                     sections=(Section("Commands", "\n".join(f"- {line}" for line in lines)),),
                     footer="`/help <command>` for more, e.g. `/help jobs`")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One autocomplete choice for a code option: the code and a short title."""

    code: str
    title: str

    def label(self, limit: int = 100) -> str:
        text = f"{self.code} — {self.title}" if self.title else self.code
        return clip(text, limit)


class Suggester(Protocol):
    """Codes to offer while someone types a code option (core/search/suggest.py)."""

    def suggest(self, system: str, typed: str, limit: int) -> list[Suggestion]: ...
