"""End to end: the real discord.py client against the fake Discord, answering with the real Desk."""

from __future__ import annotations

import pytest

from core.commands import OptionKind
from tests.adapters.discord.conftest import (
    CHANNEL_ID,
    GUILD_ID,
    Running,
    StartBot,
    callback_path,
    command,
    interaction,
    payload,
)
from tests.fakes.discord_server import APPLICATION_ID, BOT_USER_ID, EPHEMERAL, FakeDiscord

MESSAGE_CONTENT_INTENT = 1 << 15


def _buttons(body: dict) -> list[dict]:  # type: ignore[type-arg]
    return [item for row in body.get("components", []) for item in row["components"]]


async def test_connects_through_the_gateway_without_the_message_content_intent(
        running: Running, fake_discord: FakeDiscord) -> None:
    identify = fake_discord.sessions[0].identify
    assert identify["token"] == "fake-discord-bot-token"
    assert not identify["intents"] & MESSAGE_CONTENT_INTENT
    assert running.bot.user is not None and str(running.bot.user.id) == BOT_USER_ID
    assert running.bot.application_id == int(APPLICATION_ID)
    assert running.bot.get_guild(int(GUILD_ID)) is not None  # READY, then GUILD_CREATE


async def test_icd10_command_answers_with_a_private_code_card(running: Running) -> None:
    body = await running.interact(command("icd10", "E11.9"))
    assert body["type"] == 4
    embed = body["data"]["embeds"][0]
    assert embed["title"] == "E11.9 — Type 2 diabetes mellitus without complications"
    assert "ICD-10-CM" in embed["footer"]["text"]
    assert {"name": "Code", "value": "E11.9", "inline": True} in embed["fields"]
    assert body["data"]["flags"] & EPHEMERAL


async def test_share_posts_the_card_to_the_channel(running: Running) -> None:
    body = await running.interact(command("code", "I10 share"))
    assert body["type"] == 4
    assert body["data"]["embeds"][0]["title"].startswith("I10 — Essential (primary) hypertension")
    assert not body["data"].get("flags", 0) & EPHEMERAL


async def test_bad_input_is_a_private_error_saying_what_to_type(running: Running) -> None:
    body = await running.interact(command("icd10", "hello!"))
    embed = body["data"]["embeds"][0]
    assert "is not a code" in embed["title"]
    assert "/codesearch" in embed["description"]
    assert body["data"]["flags"] & EPHEMERAL


async def test_header_code_offers_buttons_that_open_cards(running: Running) -> None:
    body = await running.interact(command("icd10", "E11"))
    buttons = _buttons(body["data"])
    assert buttons, "a header code lists billable codes under it as buttons"
    assert buttons[0]["custom_id"] == "cd:open_code:icd10cm:E11.00"
    assert buttons[0]["label"] == "Open E11.00"
    assert all(len(b["custom_id"]) <= 100 for b in buttons)


async def test_a_button_from_before_a_restart_still_opens_its_card(running: Running) -> None:
    # This process never sent the message the button sits on: the custom id alone routes the click.
    body = await running.interact(interaction("interaction_button"))
    assert body["type"] == 4
    assert body["data"]["embeds"][0]["title"].startswith("E11.9 — ")
    assert body["data"]["flags"] & EPHEMERAL


async def test_buttons_sent_by_one_bot_process_work_in_the_next(start_bot: StartBot,
                                                                 fake_discord: FakeDiscord) -> None:
    first = await start_bot()
    sent = await first.interact(command("icd10", "E11"))
    await first.bot.close()
    await fake_discord.wait_for_sessions(0)
    second = await start_bot()  # a fresh client: nothing of the first one's views survives
    click = interaction("interaction_button")
    click["message"]["components"] = sent["data"]["components"]
    click["data"]["custom_id"] = sent["data"]["components"][0]["components"][1]["custom_id"]
    body = await second.interact(click)
    assert body["data"]["embeds"][0]["title"].startswith("E11.01 — ")


async def test_autocomplete_suggests_codes_for_words_and_prefixes(running: Running) -> None:
    body = await running.interact(interaction("interaction_autocomplete"))
    assert body["type"] == 8
    choices = body["data"]["choices"]
    assert 0 < len(choices) <= 25
    assert all("diab" in c["name"].lower() for c in choices)
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)

    typed = interaction("interaction_autocomplete")
    typed["data"]["options"][0]["value"] = "e119"
    body = await running.interact(typed)
    assert body["data"]["choices"][0] == {"name": "E11.9 — Type 2 diabetes mellitus without complications",
                                          "value": "E11.9"}


async def test_register_opens_a_modal_whose_submit_reaches_the_desk(running: Running) -> None:
    body = await running.interact(command("register", None, "args"))
    assert body["type"] == 9
    modal = body["data"]
    assert modal["title"] == "Register for CodeDesk"
    assert modal["custom_id"].startswith("cdf:register_submit:")
    inputs = [item for row in modal["components"] for item in row["components"]]
    assert [i["custom_id"] for i in inputs] == ["email", "agree"]
    assert inputs[1]["placeholder"] == "Type yes to agree"

    submit = interaction("interaction_modal_submit")
    submit["data"]["custom_id"] = modal["custom_id"]
    body = await running.interact(submit)
    assert body["type"] == 4
    embed = body["data"]["embeds"][0]
    assert embed["title"] == "Registered, Ana"
    assert "ana@example.org" in embed["description"]


async def test_the_register_button_opens_the_modal(running: Running) -> None:
    click = interaction("interaction_button")
    click["data"]["custom_id"] = "cd:register:"
    button = click["message"]["components"][0]["components"][0]
    button.update(custom_id="cd:register:", label="Register (free)", style=1)
    body = await running.interact(click)
    assert body["type"] == 9
    assert body["data"]["custom_id"].startswith("cdf:register_submit:")


async def test_further_parts_of_an_answer_arrive_as_followups(running: Running) -> None:
    data = command("codedesk", "compare", "args")
    body = await running.interact(data)
    assert body["data"]["embeds"][0]["title"] == "Comparing 2 codes"
    path = f"/webhooks/{APPLICATION_ID}/{data['token']}"
    await running.discord.wait_for(lambda c: len(running.discord.calls_to("POST", path)) >= 2)
    followups = running.discord.calls_to("POST", path)
    assert [f.body["embeds"][0]["title"] for f in followups] == ["First code", "Second code"]
    assert all(f.body["flags"] & EPHEMERAL for f in followups)


async def test_a_modal_opened_before_a_restart_still_submits(running: Running) -> None:
    submit = interaction("interaction_modal_submit")
    submit["data"]["custom_id"] = "cdf:register_submit:feedbeef"  # never opened by this process
    submit["data"]["components"][1]["components"][0]["value"] = "no"
    body = await running.interact(submit)
    assert body["data"]["embeds"][0]["title"] == "Please accept the terms to register."
    assert body["data"]["flags"] & EPHEMERAL


@pytest.mark.parametrize(("admin", "title"), [
    (False, "Only people with Manage Server can grant views."),
    (True, "Granted unlimited views"),
])
async def test_admin_commands_check_manage_server(running: Running, admin: bool, title: str) -> None:
    body = await running.interact(command("codedesk", "grant", "args", admin=admin))
    assert body["data"]["embeds"][0]["title"] == title


async def test_every_command_answers(running: Running) -> None:
    listed = running.bot.desk.registry.listed
    assert {c.name for c in running.bot.tree.get_commands()} == {c.name for c in listed}
    for spec in listed:
        code = spec.option.kind is OptionKind.CODE
        value = "E11.9" if code else ("knee pain" if spec.option.required else None)
        body = await running.interact(command(spec.name, value, spec.option.name))
        assert body["type"] in (4, 9), spec.name
        if body["type"] == 4:
            assert body["data"]["embeds"][0]["title"], spec.name


async def test_slow_answers_defer_then_edit_the_thinking_message(start_bot: StartBot) -> None:
    running = await start_bot(answer_budget=0)  # every answer counts as slow
    data = command("icd10", "E11.9")
    body = await running.interact(data)
    assert body == {"type": 5, "data": {"flags": EPHEMERAL}}
    original = f"/webhooks/{APPLICATION_ID}/{data['token']}/messages/@original"
    edit = await running.discord.wait_for(lambda c: c.method == "PATCH" and c.path == original)
    assert edit.body["embeds"][0]["title"].startswith("E11.9 — ")


async def test_slow_error_after_a_public_defer_is_sent_privately(start_bot: StartBot) -> None:
    running = await start_bot(answer_budget=0)
    data = command("icd10", "hello! share")
    body = await running.interact(data)
    assert body["type"] == 5 and not body.get("data", {}).get("flags", 0) & EPHEMERAL  # "share": public
    followup = await running.discord.wait_for(
        lambda c: c.method == "POST" and c.path == f"/webhooks/{APPLICATION_ID}/{data['token']}")
    assert followup.body["flags"] & EPHEMERAL
    original = f"/webhooks/{APPLICATION_ID}/{data['token']}/messages/@original"
    await running.discord.wait_for(lambda c: c.method == "DELETE" and c.path == original)


async def test_a_mention_is_answered_as_a_reply_with_one_card_per_code(running: Running) -> None:
    ignored = payload("message_create_mention")
    ignored["id"] = "1200000000000003000"
    ignored["author"] = dict(ignored["author"], id="1200000000000000777", bot=True)
    await running.send("MESSAGE_CREATE", ignored)  # another bot: never answered
    unmentioned = payload("message_create_mention")
    unmentioned.update(id="1200000000000002999", mentions=[], content="what are E11.9 and I10?")
    await running.send("MESSAGE_CREATE", unmentioned)  # not for us (and carries no content in reality)

    mention = payload("message_create_mention")
    await running.send("MESSAGE_CREATE", mention)
    path = f"/channels/{CHANNEL_ID}/messages"
    await running.discord.wait_for(
        lambda c: c.path == path and len([x for x in running.discord.calls if x.path == path]) >= 2)
    replies = running.discord.calls_to("POST", path)
    assert [str(r.body["message_reference"]["message_id"]) for r in replies] == [mention["id"], mention["id"]]
    titles = [r.body["embeds"][0]["title"] for r in replies]
    assert titles[0].startswith("E11.9 — ") and titles[1].startswith("I10 — ")
    assert all(r.body["allowed_mentions"]["parse"] == [] for r in replies)
    assert running.discord.calls_to("POST", f"/channels/{CHANNEL_ID}/typing")


async def test_a_bare_mention_gets_help(running: Running) -> None:
    mention = payload("message_create_mention")
    mention["content"] = f"<@{BOT_USER_ID}>"
    await running.send("MESSAGE_CREATE", mention)
    call = await running.discord.wait_for(lambda c: c.path == f"/channels/{CHANNEL_ID}/messages")
    assert call.body["embeds"][0]["title"].startswith("CodeDesk")


async def test_shard_ids_come_from_configuration(start_bot: StartBot, fake_discord: FakeDiscord) -> None:
    await start_bot(shard_count=2, shard_ids=(1,))
    assert [s.identify["shard"] for s in fake_discord.sessions] == [[1, 2]]


async def test_interaction_callbacks_go_to_the_configured_api_base(running: Running) -> None:
    data = command("icd10", "E11.9")
    await running.interact(data)
    assert running.discord.calls_to("POST", callback_path(data))
