"""The platform-neutral answer the Desk gives. Adapters render it; they know nothing about codes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from core import logsafe


class Visibility(enum.StrEnum):
    ONLY_YOU = "only_you"  # Slack ephemeral, Discord ephemeral, shell: printed
    CHANNEL = "channel"


class ErrorKind(enum.StrEnum):
    BAD_INPUT = "bad_input"  # the user typed something we cannot use; the text says what to type
    NOT_FOUND = "not_found"
    QUOTA = "quota"  # no code views left
    FORBIDDEN = "forbidden"  # an admin action by a non-admin
    UNAVAILABLE = "unavailable"  # a dependency (the database) failed; nothing was counted
    INTERNAL = "internal"  # a bug; the text carries a reference id


class ActionStyle(enum.StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    text: str  # markdown-ish: *bold*, `code`, "- " bullets, newlines


@dataclass(frozen=True, slots=True)
class Action:
    """A button. `action_id` is a core action name (e.g. "open_code"); `value` is what it acts on."""

    label: str
    action_id: str
    value: str = ""
    style: ActionStyle = ActionStyle.DEFAULT


@dataclass(frozen=True, slots=True)
class ResultItem:
    """One line of a result list (search results, job postings), optionally with its own action."""

    title: str
    subtitle: str = ""
    detail: str = ""
    action: Action | None = None


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a form (a Slack modal, a Discord modal, shell prompts)."""

    name: str
    label: str
    placeholder: str = ""
    required: bool = True
    multiline: bool = False
    kind: str = "text"  # text, email, checkbox, url, number
    value: str = ""  # filled in already (the question typed after /consult); the person may change it


@dataclass(frozen=True, slots=True)
class Form:
    """A request to collect input; the adapter shows it and submits the answers as an action."""

    form_id: str  # the core action id the answers are submitted to
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    intro: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    title: str
    subtitle: str = ""
    fields: tuple[Field, ...] = ()
    sections: tuple[Section, ...] = ()
    results: tuple[ResultItem, ...] = ()
    actions: tuple[Action, ...] = ()
    footer: str = ""
    visibility: Visibility = Visibility.ONLY_YOU
    error: ErrorKind | None = None
    form: Form | None = None  # when set, the adapter opens this form instead of (or after) showing text
    parts: tuple[Reply, ...] = ()  # further replies sent with this one (several cards for one mention)

    @property
    def is_error(self) -> bool:
        return self.error is not None

    @property
    def is_private(self) -> bool:
        """Only the asker sees it (Slack and Discord ephemeral); decided here, never by a renderer.
        Errors and quota refusals are for the asker alone, whatever the reply asked for."""
        return self.is_error or self.visibility is Visibility.ONLY_YOU

    def shared(self) -> Reply:
        return replace(self, visibility=Visibility.CHANNEL)

    def with_footer(self, extra: str) -> Reply:
        footer = f"{self.footer} · {extra}" if self.footer else extra
        return replace(self, footer=footer)

    def all_parts(self) -> tuple[Reply, ...]:
        """This reply followed by its further parts, flattened."""
        out: list[Reply] = [replace(self, parts=())]
        for part in self.parts:
            out.extend(part.all_parts())
        return tuple(out)


def error_reply(kind: ErrorKind, title: str, hint: str = "", *actions: Action) -> Reply:
    """A short error: what was wrong (title) and what to type instead (hint)."""
    sections = (Section("", hint),) if hint else ()
    return Reply(title=title, sections=sections, actions=tuple(actions), error=kind)


def unavailable_reply() -> Reply:
    """What every command answers while the database cannot be reached: nothing was done or counted."""
    return error_reply(ErrorKind.UNAVAILABLE, "CodeDesk is temporarily unavailable, nothing was counted.",
                       "Its database cannot be reached just now. Please try again in a minute.")


def reference_id() -> str:
    """A short id that ties an apology the user sees to the log line an operator reads: the current
    request's id (core.logsafe.request_scope), or a new one outside a request."""
    return logsafe.REQUEST_ID.get() or logsafe.new_request_id()



ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """At most `limit` characters; a cut ends with an ellipsis (every platform has length limits)."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS
