"""Turning raw Discord data into what the core reads: modal answers and mention text."""

from __future__ import annotations

from adapters.discord.mapping import modal_answers, strip_mention
from tests.adapters.discord.conftest import payload


def test_modal_answers_from_action_rows() -> None:
    components = payload("interaction_modal_submit")["data"]["components"]
    assert modal_answers(components) == {"email": "ana@example.org", "agree": "yes"}


def test_modal_answers_from_label_components() -> None:
    # Newer modals wrap each input in a label component (type 18) holding a single `component`.
    components = [{"type": 18, "id": 1, "component": {"type": 4, "id": 2, "custom_id": "email",
                                                      "value": "bo@example.org"}},
                  {"type": 18, "id": 3, "component": {"type": 4, "id": 4, "custom_id": "note",
                                                      "value": None}}]
    assert modal_answers(components) == {"email": "bo@example.org", "note": ""}


def test_the_mention_is_removed_wherever_it_is() -> None:
    assert strip_mention("<@1300000000000000002> what is  E11.9?", 1300000000000000002) == "what is E11.9?"
    assert strip_mention("is 99213 ok <@!1300000000000000002>", 1300000000000000002) == "is 99213 ok"
    assert strip_mention("ask <@42> about E11.9", 1300000000000000002) == "ask <@42> about E11.9"
