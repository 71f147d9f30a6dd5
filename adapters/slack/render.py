"""Render a core Reply as Slack Block Kit, and a core Form as a modal. Knows nothing about codes.

Block Kit's limits are met by truncating with "…" (never by letting the API refuse the message):
50 blocks a message, 3,000 characters a text, 10 fields a section, 2,000 characters a field or a
button value, 150 characters a header, 75 characters a button label.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from core.replies import ELLIPSIS, Action, ActionStyle, Form, FormField, Reply, ResultItem, clip

MAX_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_VALUE = 2000
MAX_HEADER = 150
MAX_BUTTON_LABEL = 75
MAX_BUTTONS = 25
MAX_MODAL_TITLE = 24
MAX_FALLBACK = 3000
FORM_CALLBACK = "codedesk_form"
CHECKED = "yes"

Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    """One message: fallback text (notifications, screen readers), blocks, and where it shows."""

    text: str
    blocks: list[Block]
    ephemeral: bool
    error: bool = False


_CHANNEL_LINK = re.compile(r"&lt;#([CG][A-Z0-9]{2,20})&gt;")


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters: escape them all, so nobody's text can
    ping (`<!channel>`) or mask a link. A bare channel link (`<#C0123>`) stays live: it only names a
    channel, and replies use it to say where consults go."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CHANNEL_LINK.sub(r"<#\1>", escaped)


def mrkdwn(text: str, limit: int = MAX_TEXT) -> dict[str, str]:
    lines = [("• " + line[2:]) if line.startswith("- ") else line for line in escape(text).splitlines()]
    return {"type": "mrkdwn", "text": clip("\n".join(lines), limit)}


def plain(text: str, limit: int) -> dict[str, Any]:
    # Escaped like every text Slack is sent: &, < and > are the three characters Slack decodes.
    return {"type": "plain_text", "text": escape(clip(text, limit)) or " ", "emoji": True}


def encode_action_id(action_id: str, index: int) -> str:
    """Slack wants action ids unique within a message; the index is dropped again on the way back."""
    return f"{action_id}:{index}"


def decode_action_id(slack_action_id: str) -> str:
    name, sep, index = slack_action_id.rpartition(":")
    return name if sep and index.isdigit() else slack_action_id


def render(reply: Reply) -> list[SlackMessage]:
    """The reply and its further parts, one Slack message each."""
    return [render_one(part) for part in reply.all_parts()]


def render_one(reply: Reply, max_blocks: int = MAX_BLOCKS) -> SlackMessage:
    return SlackMessage(text=fallback_text(reply), blocks=blocks_for(reply, max_blocks),
                        ephemeral=reply.is_private, error=reply.is_error)


def fallback_text(reply: Reply) -> str:
    """The message's top-level `text`: Slack parses it for mentions and links like mrkdwn, so it is
    escaped too (a job filter typed as `<!channel>` must not ping a channel every day)."""
    text = f"⚠ {reply.title}" if reply.is_error else reply.title
    if reply.subtitle:
        text += f" — {reply.subtitle}"
    return escape(clip(text, MAX_FALLBACK))


def blocks_for(reply: Reply, max_blocks: int = MAX_BLOCKS) -> list[Block]:
    counter = _ButtonCounter()
    body: list[Block] = []
    if reply.is_error:
        body.append({"type": "section", "text": mrkdwn(f":warning: *{reply.title}*")})
    else:
        body.append({"type": "header", "text": plain(reply.title, MAX_HEADER)})
    if reply.subtitle:
        body.append({"type": "section", "text": mrkdwn(reply.subtitle)})
    body.extend(_field_blocks(reply))
    for section in reply.sections:
        text = f"*{section.heading}*\n{section.text}" if section.heading else section.text
        if text.strip():
            body.append({"type": "section", "text": mrkdwn(text)})
    body.extend(_result_block(item, counter) for item in reply.results)

    tail: list[Block] = []
    for start in range(0, len(reply.actions), MAX_BUTTONS):
        chunk = reply.actions[start:start + MAX_BUTTONS]
        tail.append({"type": "actions", "elements": [button(a, counter) for a in chunk]})
    if reply.footer:
        tail.append({"type": "context", "elements": [mrkdwn(reply.footer)]})

    room = max_blocks - len(tail)
    if len(body) > room:
        hidden = len(body) - (room - 1)
        body = [*body[: room - 1], {"type": "context", "elements": [
            mrkdwn(f"{ELLIPSIS} {hidden} more not shown")]}]
    return (body + tail)[:max_blocks]


def _field_blocks(reply: Reply) -> list[Block]:
    blocks: list[Block] = []
    inline = [f for f in reply.fields if f.inline]
    for start in range(0, len(inline), MAX_FIELDS):
        chunk = inline[start:start + MAX_FIELDS]
        blocks.append({"type": "section", "fields": [mrkdwn(f"*{f.label}*\n{f.value}", MAX_FIELD_TEXT)
                                                     for f in chunk]})
    blocks.extend({"type": "section", "text": mrkdwn(f"*{f.label}*\n{f.value}")}
                  for f in reply.fields if not f.inline)
    return blocks


def _result_block(item: ResultItem, counter: _ButtonCounter) -> Block:
    line = f"*{item.title}*" + (f" — {item.subtitle}" if item.subtitle else "")
    if item.detail:
        line += f"\n{item.detail}"
    block: Block = {"type": "section", "text": mrkdwn(line)}
    if item.action is not None:
        block["accessory"] = button(item.action, counter)
    return block


class _ButtonCounter:
    """Numbers the buttons of one message, so every action_id in it is unique."""

    def __init__(self) -> None:
        self.next = 0

    def take(self) -> int:
        self.next += 1
        return self.next - 1


def button(action: Action, counter: _ButtonCounter) -> Block:
    out: Block = {"type": "button", "text": plain(action.label, MAX_BUTTON_LABEL),
                  "action_id": encode_action_id(action.action_id, counter.take()),
                  "value": clip(action.value, MAX_VALUE)}
    if action.style is not ActionStyle.DEFAULT:
        out["style"] = action.style.value
    return out


# --- modals ----------------------------------------------------------------------------------------
def form_view(form: Form, channel_id: str = "") -> Block:
    """A modal for a core Form; private_metadata carries the form id and channel back on submit."""
    blocks: list[Block] = []
    if form.intro:
        blocks.append({"type": "section", "text": mrkdwn(form.intro)})
    blocks.extend(_input_block(item) for item in form.fields)
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain(form.title, MAX_MODAL_TITLE),
        "submit": plain(form.submit_label, MAX_MODAL_TITLE),
        "close": plain("Cancel", MAX_MODAL_TITLE),
        "private_metadata": json.dumps({"form_id": form.form_id, "channel": channel_id}),
        "blocks": blocks[:MAX_MODAL_BLOCKS],
    }


def result_view(reply: Reply) -> Block:
    """What the modal turns into after a submit: the core's answer, with a Close button."""
    return {"type": "modal", "title": plain("CodeDesk", MAX_MODAL_TITLE), "close": plain("Close", 24),
            "blocks": [b for b in blocks_for(reply, MAX_MODAL_BLOCKS) if b["type"] != "actions"]}


def _input_block(item: FormField) -> Block:
    element: Block
    if item.kind == "checkbox":
        element = {"type": "checkboxes", "options": [{"text": plain(item.label, MAX_BUTTON_LABEL),
                                                     "value": CHECKED}]}
    elif item.kind == "email":
        element = {"type": "email_text_input"}
    elif item.kind == "url":
        element = {"type": "url_text_input"}
    elif item.kind == "number":
        element = {"type": "number_input", "is_decimal_allowed": False}
    else:
        element = {"type": "plain_text_input", "multiline": item.multiline}
    element["action_id"] = item.name
    if item.value and item.kind in ("text", "email", "url"):
        element["initial_value"] = item.value
    if item.placeholder and item.kind != "checkbox":
        element["placeholder"] = plain(item.placeholder, 150)
    return {"type": "input", "block_id": item.name, "optional": not item.required,
            "label": plain(item.label, MAX_FIELD_TEXT), "element": element}


def form_answers(view: Block) -> dict[str, str]:
    """The submitted values of a form modal, by field name ("yes"/"no" for a checkbox)."""
    answers: dict[str, str] = {}
    for block_id, inputs in view.get("state", {}).get("values", {}).items():
        for state in inputs.values():
            if state.get("type") == "checkboxes":
                answers[block_id] = CHECKED if state.get("selected_options") else "no"
            else:
                answers[block_id] = str(state.get("value") or "")
    return answers


def form_metadata(view: Block) -> tuple[str, str]:
    """(form id, channel id) from a submitted modal."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        meta = {}
    return str(meta.get("form_id", "")), str(meta.get("channel", ""))
