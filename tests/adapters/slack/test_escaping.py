"""Issue 16 defect 2: whatever a person typed reaches Slack escaped in every text field, the
top-level fallback `text` of public posts included, so `<!channel>` or a masked link stays text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.slack.render import form_view, render
from core.replies import Action, ErrorKind, Field, Form, FormField, Reply, ResultItem, Section, Visibility

HOSTILE = "<!channel> <!here> <https://evil.example|click> <@U123> & friends"


def texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "text" and isinstance(inner, str):
                yield inner
            else:
                yield from texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from texts(inner)


REPLIES = [
    Reply(title=HOSTILE, subtitle=HOSTILE, visibility=Visibility.CHANNEL),  # a mention answer, a digest
    Reply(title="Daily jobs", subtitle=f"filter: {HOSTILE}", fields=(Field(HOSTILE, HOSTILE),),
          sections=(Section(HOSTILE, HOSTILE),), results=(ResultItem(HOSTILE, HOSTILE, HOSTILE,
                                                                      Action(HOSTILE, "open", "1")),),
          actions=(Action(HOSTILE, "go"),), footer=HOSTILE, visibility=Visibility.CHANNEL),
    Reply(title=HOSTILE, error=ErrorKind.BAD_INPUT),
]


@pytest.mark.parametrize("reply", REPLIES)
def test_no_live_markup_reaches_slack(reply: Reply) -> None:
    for message in render(reply):
        for text in [message.text, *texts(message.blocks)]:
            assert "<!" not in text and "<http" not in text and "<@" not in text, text
            assert "& " not in text  # a bare ampersand is escaped too
        assert "&lt;!channel&gt;" in message.text


def test_form_texts_are_escaped() -> None:
    view = form_view(Form("post", HOSTILE, (FormField("title", HOSTILE, placeholder=HOSTILE),), HOSTILE,
                          intro=HOSTILE))
    for text in texts(view):
        assert "<!" not in text and "<http" not in text
