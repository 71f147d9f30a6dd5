"""Block Kit rendering: what a Slack user sees, and that Slack's limits are never exceeded."""

from __future__ import annotations

from adapters.slack.render import (
    ELLIPSIS,
    MAX_BLOCKS,
    decode_action_id,
    form_answers,
    form_metadata,
    form_view,
    render,
    render_one,
)
from core.replies import Action, ErrorKind, Field, Form, FormField, Reply, ResultItem, Section, Visibility


def _texts(blocks: list[dict]) -> list[str]:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out.extend(f["text"] for f in block.get("fields", []))
        out.extend(e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str))
    return out


def test_a_card_has_header_fields_sections_buttons_and_footer() -> None:
    reply = Reply(title="E11.9 — Type 2 diabetes", subtitle="Chapter 4",
                  fields=(Field("System", "ICD-10-CM"), Field("Billable", "Yes")),
                  sections=(Section("Excludes1", "- one\n- two"),),
                  actions=(Action("Open E11", "open_code", "icd10cm:E11"),), footer="Source: CDC")
    message = render_one(reply)
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["header", "section", "section", "section", "actions", "context"]
    assert message.blocks[0]["text"]["text"] == "E11.9 — Type 2 diabetes"
    assert message.blocks[2]["fields"][0]["text"] == "*System*\nICD-10-CM"
    assert "• one\n• two" in message.blocks[3]["text"]["text"]
    assert message.blocks[4]["elements"][0]["value"] == "icd10cm:E11"
    assert message.blocks[5]["elements"][0]["text"] == "Source: CDC"
    assert message.ephemeral  # only-you by default
    assert message.text.startswith("E11.9")


def test_shared_cards_go_to_the_channel_but_errors_never_do() -> None:
    assert not render_one(Reply(title="x", visibility=Visibility.CHANNEL)).ephemeral
    quota = Reply(title="No code views left", visibility=Visibility.CHANNEL, error=ErrorKind.QUOTA)
    message = render_one(quota)
    assert message.ephemeral
    assert message.blocks[0]["type"] == "section"
    assert "No code views left" in message.blocks[0]["text"]["text"]


def test_block_kit_limits_are_met_by_truncating() -> None:
    huge = "x" * 5000
    reply = Reply(title="T" * 400, fields=tuple(Field(f"f{i}", huge) for i in range(23)),
                  sections=tuple(Section(f"s{i}", huge) for i in range(80)),
                  actions=tuple(Action("L" * 100, "open_code", "v" * 3000) for i in range(30)),
                  footer=huge)
    blocks = render_one(reply).blocks
    assert len(blocks) == MAX_BLOCKS
    assert len(blocks[0]["text"]["text"]) == 150 and blocks[0]["text"]["text"].endswith(ELLIPSIS)
    for block in blocks:
        assert len(block.get("fields", [])) <= 10
        assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["value"]) <= 2000 and len(element["text"]["text"]) <= 75
    # The buttons and the footer survive; the cut is said out loud.
    assert [b["type"] for b in blocks[-3:]] == ["actions", "actions", "context"]
    assert any("more not shown" in t for t in _texts(blocks))


def test_every_button_in_a_message_has_its_own_action_id_and_maps_back() -> None:
    reply = Reply(title="Results", results=tuple(
        ResultItem(f"E11.{i}", action=Action("Open", "open_code", f"icd10cm:E11.{i}")) for i in range(5)),
        actions=(Action("Next page", "search_page", "2"),))
    blocks = render_one(reply).blocks
    ids = [b["accessory"]["action_id"] for b in blocks if "accessory" in b]
    ids += [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == len(set(ids)) == 6
    assert {decode_action_id(i) for i in ids} == {"open_code", "search_page"}


def test_parts_become_further_messages() -> None:
    reply = Reply(title="E11.9", parts=(Reply(title="I10"), Reply(title="J45.909")))
    assert [m.blocks[0]["text"]["text"] for m in render(reply)] == ["E11.9", "I10", "J45.909"]


def test_mrkdwn_control_characters_are_escaped() -> None:
    text = render_one(Reply(title="x", sections=(Section("", "a < b & c > d"),))).blocks[1]["text"]["text"]
    assert text == "a &lt; b &amp; c &gt; d"


def test_a_form_becomes_a_modal_and_its_answers_come_back_by_field_name() -> None:
    form = Form("register_submit", "Register for more code views", (
        FormField("name", "Your name"), FormField("email", "Work email", kind="email"),
        FormField("terms", "I agree to the terms", kind="checkbox"),
        FormField("note", "Anything else?", required=False, multiline=True)), submit_label="Register")
    view = form_view(form, "C0GENERAL")
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["email"]["element"]["type"] == "email_text_input"
    assert inputs["terms"]["element"]["type"] == "checkboxes"
    assert inputs["note"]["optional"] and inputs["note"]["element"]["multiline"]
    submitted = dict(view, state={"values": {
        "name": {"name": {"type": "plain_text_input", "value": "Dana"}},
        "email": {"email": {"type": "email_text_input", "value": "d@example.org"}},
        "terms": {"terms": {"type": "checkboxes", "selected_options": []}},
        "note": {"note": {"type": "plain_text_input", "value": None}}}})
    assert form_answers(submitted) == {"name": "Dana", "email": "d@example.org", "terms": "no", "note": ""}
    assert form_metadata(submitted) == ("register_submit", "C0GENERAL")


def test_escaping_keeps_channel_links_but_never_pings_or_masked_links() -> None:
    from adapters.slack.render import escape

    assert escape("go to <#C0EXPERTS>") == "go to <#C0EXPERTS>"
    assert escape("<!channel> <!here> <@U123> <https://evil|click>") == (
        "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil|click&gt;")
    assert escape("<#C0EXPERTS|x> <#not-a-channel>") == "&lt;#C0EXPERTS|x&gt; &lt;#not-a-channel&gt;"
