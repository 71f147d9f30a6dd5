"""What an adapter hands the Desk: who asked, where, and what."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

SHARE_WORD = "share"


def _strip_nul(value: object, names: tuple[str, ...]) -> None:
    """NUL never means anything in chat, and PostgreSQL refuses it in text: drop it at the door."""
    for name in names:
        text = getattr(value, name)
        if "\x00" in text:
            object.__setattr__(value, name, text.replace("\x00", ""))


class Platform(enum.StrEnum):
    SHELL = "shell"
    SLACK = "slack"
    DISCORD = "discord"


@dataclass(frozen=True, slots=True)
class Actor:
    """A person as one platform knows them. `is_admin` is what the platform itself says."""

    platform: Platform
    workspace_id: str  # Slack team id, Discord guild id, "local" in the shell
    user_id: str
    display_name: str = ""
    is_admin: bool = False

    def __post_init__(self) -> None:
        _strip_nul(self, ("workspace_id", "user_id", "display_name"))

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.platform.value, self.workspace_id, self.user_id)


class RequestKind(enum.StrEnum):
    COMMAND = "command"  # /cpt 86357
    MESSAGE = "message"  # a mention or a direct message: free text
    ACTION = "action"  # a button click: action id + value
    FORM = "form"  # a submitted form: form id + answers


@dataclass(frozen=True, slots=True)
class Request:
    actor: Actor
    kind: RequestKind
    channel_id: str = ""
    command: str = ""  # the canonical command name without the slash: "cpt", "icd10", "codesearch"
    text: str = ""  # argument text, free text, or the action value
    action_id: str = ""
    answers: dict[str, str] = field(default_factory=dict)  # form answers by field name
    channel_timezone: str = ""  # the workspace's IANA time zone when the platform knows it ("" if not)
    thread_id: str = ""  # a MESSAGE replying to another: that message's id (Slack thread ts, Discord id)

    def __post_init__(self) -> None:
        _strip_nul(self, ("channel_id", "command", "text", "action_id", "channel_timezone"))
        if any("\x00" in k or "\x00" in v for k, v in self.answers.items()):
            object.__setattr__(self, "answers", {k.replace("\x00", ""): v.replace("\x00", "")
                                                 for k, v in self.answers.items()})

    @property
    def asks_to_share(self) -> bool:
        """A command ending in `share` asks for its answer in the channel (`/cpt 99213 share`)."""
        words = self.text.lower().split()
        return self.kind is RequestKind.COMMAND and bool(words) and words[-1] == SHARE_WORD

    def without_share(self) -> str:
        """The argument text without the trailing `share`."""
        return self.text.strip()[: -len(SHARE_WORD)].strip() if self.asks_to_share else self.text.strip()

    @classmethod
    def command_of(cls, actor: Actor, command: str, text: str = "", channel_id: str = "",
                   channel_timezone: str = "") -> Request:
        return cls(actor=actor, kind=RequestKind.COMMAND, command=command.lstrip("/").lower(),
                   text=text, channel_id=channel_id, channel_timezone=channel_timezone)

    @classmethod
    def message_of(cls, actor: Actor, text: str, channel_id: str = "", channel_timezone: str = "",
                   thread_id: str = "") -> Request:
        return cls(actor=actor, kind=RequestKind.MESSAGE, text=text, channel_id=channel_id,
                   channel_timezone=channel_timezone, thread_id=thread_id)

    @classmethod
    def action_of(cls, actor: Actor, action_id: str, value: str = "", channel_id: str = "",
                  channel_timezone: str = "") -> Request:
        return cls(actor=actor, kind=RequestKind.ACTION, action_id=action_id, text=value,
                   channel_id=channel_id, channel_timezone=channel_timezone)

    @classmethod
    def form_of(cls, actor: Actor, form_id: str, answers: dict[str, str], channel_id: str = "",
                channel_timezone: str = "") -> Request:
        return cls(actor=actor, kind=RequestKind.FORM, action_id=form_id, answers=dict(answers),
                   channel_id=channel_id, channel_timezone=channel_timezone)
