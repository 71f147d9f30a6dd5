"""Delivering rendered messages during a request, written once: send each message in order; when
Slack refuses one, stop, log Slack's error code (never the text) with a reference id, and tell the
person privately that the answer did not arrive, quoting the reference.

A reply goes back either through the command's or click's `response_url` (`ResponseUrl`) or through
the Web API into a channel or thread (`Channel`). Digests and notices outside a request use
adapters/slack/poster.py, which reports failures to its caller instead of apologising.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.render import SlackMessage
from core import logsafe
from core.replies import reference_id

log = logging.getLogger(__name__)

APOLOGY = "Sorry, Slack did not accept CodeDesk's answer just now (ref {ref}). Please try again in a moment."


class Destination(Protocol):
    def send(self, message: SlackMessage) -> None: ...
    def apologise(self, text: str) -> None: ...
    def describe(self) -> str: ...  # for the log line: where, never what


def response_type(message: SlackMessage) -> str:
    return "ephemeral" if message.ephemeral else "in_channel"


@dataclass(frozen=True)
class ResponseUrl:
    """Answers posted to a response_url: a slash command's follow-up or a button click's answer."""

    respond: Respond

    def send(self, message: SlackMessage) -> None:
        self.respond(text=message.text, blocks=message.blocks, response_type=response_type(message),
                     replace_original=False)

    def apologise(self, text: str) -> None:
        self.respond(text=text, response_type="ephemeral", replace_original=False)

    def describe(self) -> str:
        return "response_url"


def _ephemeral(message: SlackMessage) -> bool:
    return message.ephemeral


@dataclass(frozen=True)
class Channel:
    """Answers posted with the Web API into a channel (and thread) for `user`; `private` says which
    messages only that person sees."""

    client: WebClient
    channel: str
    user: str
    thread: str = ""
    private: Callable[[SlackMessage], bool] = _ephemeral

    def send(self, message: SlackMessage) -> None:
        if self.private(message):
            self.client.chat_postEphemeral(channel=self.channel, user=self.user, text=message.text,
                                           blocks=message.blocks, thread_ts=self.thread or None)
        else:
            self.client.chat_postMessage(channel=self.channel, text=message.text, blocks=message.blocks,
                                         thread_ts=self.thread or None)

    def apologise(self, text: str) -> None:
        self.client.chat_postEphemeral(channel=self.channel, user=self.user, text=text,
                                       thread_ts=self.thread or None)

    def describe(self) -> str:
        return f"channel={self.channel}"


def deliver(destination: Destination, messages: Sequence[SlackMessage]) -> bool:
    """Send every message; on the first refusal apologise with a reference id and stop. True when all
    arrived. Never raises: a failed answer must not take a worker thread down."""
    for message in messages:
        try:
            destination.send(message)
        except Exception as err:
            apologise(destination, err)
            return False
    return True


def apologise(destination: Destination, err: BaseException) -> str:
    """Log why Slack refused (its error code, or the exception's type and place) and tell the person,
    quoting the reference id that ties the two together. Returns the reference."""
    ref = reference_id()
    log.warning("Slack refused an answer ref=%s %s error=%s", ref, destination.describe(), _why(err))
    try:
        destination.apologise(APOLOGY.format(ref=ref))
    except Exception as again:
        log.warning("apology failed too ref=%s %s error=%s", ref, destination.describe(), _why(again))
    return ref


def _why(err: BaseException) -> str:
    # The Slack error code only: the exception's message may quote what the person typed.
    if isinstance(err, SlackApiError):
        return str(err.response.get("error", "unknown"))
    return logsafe.describe(err)
