"""Rendering against Discord's limits: what a coder sees when a reply is too big for one embed."""

from __future__ import annotations

from adapters.discord import render
from adapters.discord.custom_ids import button_id, form_id, parse_button_id, parse_form_id
from core.codes.cards import code_card, open_action
from core.codes.catalog import Catalog
from core.codes.record import System
from core.replies import (
    Action,
    ActionStyle,
    ErrorKind,
    Field,
    Form,
    FormField,
    Reply,
    ResultItem,
    Section,
    error_reply,
)


def test_a_real_code_card_renders_with_title_fields_sections_and_footer(catalog: Catalog) -> None:
    record = catalog.get(System.ICD10CM, "S72.001A")
    assert record is not None
    embed = render.embed_for(code_card(catalog, record)).to_dict()
    assert embed["title"].startswith("S72.001A — ")
    assert {"name": "Billable", "value": "Yes", "inline": True} in embed["fields"]
    assert "**Hierarchy**" in embed["description"]
    assert "Source: CDC ICD-10-CM" in embed["footer"]["text"]


def test_every_catalog_card_for_a_large_category_stays_within_limits(catalog: Catalog) -> None:
    for code in ("E11", "S72", "T40", "O09"):
        record = catalog.get(System.ICD10CM, code)
        assert record is not None
        embed = render.embed_for(code_card(catalog, record))
        assert len(embed) <= render.EMBED_TOTAL_LIMIT
        assert len(embed.description or "") <= render.DESCRIPTION_LIMIT


def test_long_texts_are_cut_with_an_ellipsis() -> None:
    reply = Reply(title="T" * 300, subtitle="S" * 5000, fields=(Field("L" * 300, "V" * 2000),),
                  footer="F" * 3000)
    embed = render.embed_for(reply)
    assert embed.title is not None and len(embed.title) == 256 and embed.title.endswith("…")
    assert embed.description is not None and embed.description.endswith("…")
    assert len(embed.fields[0].name or "") == 256 and len(embed.fields[0].value or "") == 1024
    assert embed.footer.text is not None and len(embed.footer.text) == 2048
    assert len(embed) <= 6000


def test_more_than_25_fields_end_with_a_count_of_what_is_not_shown() -> None:
    results = tuple(ResultItem(f"E11.{i}", f"result {i}") for i in range(40))
    embed = render.embed_for(Reply(title="Search", fields=(Field("Query", "diabetes"),), results=results))
    assert len(embed.fields) == 25
    assert embed.fields[-1].name == "More" and "17 more" in (embed.fields[-1].value or "")


def test_the_whole_embed_stays_under_6000_characters() -> None:
    sections = tuple(Section(f"Heading {i}", "x" * 900) for i in range(10))
    fields = tuple(Field(f"Label {i}", "y" * 1000, inline=False) for i in range(20))
    embed = render.embed_for(Reply(title="Big", sections=sections, fields=fields, footer="source"))
    assert len(embed) <= render.EMBED_TOTAL_LIMIT
    assert embed.fields, "the description shrinks before fields are dropped"


def test_empty_field_values_are_not_sent_empty() -> None:
    embed = render.embed_for(Reply(title="t", fields=(Field("Notes", ""),), results=(ResultItem("A1"),)))
    assert all(f.value for f in embed.fields)


def test_single_star_bold_becomes_discord_bold() -> None:
    assert render.discord_markdown("*Excludes1* and `E11.9`, not **x** or 2*3") == \
        "**Excludes1** and `E11.9`, not **x** or 2*3"


def test_quota_errors_have_their_own_colour() -> None:
    assert render.embed_for(error_reply(ErrorKind.QUOTA, "No views left")).colour == render.COLOUR_QUOTA


def test_buttons_come_from_results_then_actions_without_duplicates() -> None:
    opener = open_action(System.ICD10CM, "E11.9")
    reply = Reply(title="r", results=(ResultItem("E11.9", action=opener),),
                  actions=(opener, Action("Register (free)", "register", "", ActionStyle.PRIMARY)))
    buttons = render.buttons_for(reply)
    assert [b.custom_id for b in buttons] == ["cd:open_code:icd10cm:E11.9", "cd:register:"]
    assert buttons[1].style.value == 1  # primary
    rows = render.components_for(buttons)
    assert rows == [{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "Open E11.9", "custom_id": "cd:open_code:icd10cm:E11.9"},
        {"type": 2, "style": 1, "label": "Register (free)", "custom_id": "cd:register:"}]}]


def test_at_most_25_buttons_and_none_whose_id_would_not_fit() -> None:
    actions = tuple(Action(f"Open {i}", "open_code", f"icd10cm:A{i:02d}") for i in range(30))
    too_long = Action("Too long", "search_page", "x" * 120)
    buttons = render.buttons_for(Reply(title="r", actions=(too_long, *actions)))
    assert len(buttons) == 25
    assert all(len(b.custom_id) <= 100 for b in buttons)
    assert "Too long" not in {b.label for b in buttons}
    assert len(render.components_for(buttons)) == 5


def test_custom_ids_round_trip() -> None:
    custom = button_id("open_code", "icd10cm:E11.9")
    assert custom is not None
    parsed = parse_button_id(custom)
    assert parsed is not None and (parsed.action_id, parsed.value) == ("open_code", "icd10cm:E11.9")
    assert parse_button_id("something-else") is None
    assert parse_form_id(form_id("register_submit")) == "register_submit"
    assert len(form_id("f" * 200)) <= 100


def test_forms_become_modals_of_at_most_five_short_labelled_inputs() -> None:
    fields = tuple(FormField(f"f{i}", "A very long label for the input number " + str(i)) for i in range(7))
    inputs = render.modal_inputs(Form("signup", "Sign up", fields))
    assert len(inputs) == 5
    assert all(len(i.label) <= 45 for i in inputs)
    modal = render.modal_for(Form("signup", "A title far longer than forty-five characters, surely", fields))
    assert len(modal.title) <= 45
    assert modal.custom_id.startswith("cdf:signup:")


def test_message_payload_is_what_the_poster_sends() -> None:
    body = render.message_payload(Reply(title="Daily digest", actions=(Action("Open", "open_job", "42"),)))
    assert body["embeds"][0]["title"] == "Daily digest"
    assert body["components"][0]["components"][0]["custom_id"] == "cd:open_job:42"
    assert body["allowed_mentions"] == {"parse": []}
