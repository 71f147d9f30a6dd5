"""Coverage through Discord: the real discord.py client against the fake Discord, the coverage
feature over a SQLite database holding the test export; the page button works from its custom id."""

from __future__ import annotations

from pathlib import Path

from core import db
from core.codes.catalog import Catalog
from core.coverage import store
from core.coverage.export import read_export
from core.coverage.feature import CoverageFeature
from core.db import transaction
from tests.adapters.discord.conftest import StartBot, command, interaction
from tests.core.coverage.export_fixture import write_nested_zip
from tests.desks import code_desk
from tests.fakes.discord_server import EPHEMERAL


async def test_coverage_lists_articles_and_the_page_button_turns_the_page(
        start_bot: StartBot, catalog: Catalog, sqlite_url: str, tmp_path: Path) -> None:
    engine = db.make_engine(sqlite_url)
    sessions = db.session_factory(engine)
    with transaction(sessions) as session:
        store.replace_export(session, read_export(write_nested_zip(tmp_path)))
    running = await start_bot(desk=code_desk(catalog, features=(CoverageFeature(sessions, catalog),)))

    body = await running.interact(command("coverage", "93000", "args"))
    embed = body["data"]["embeds"][0]
    assert embed["title"] == "Coverage for 93000: 3 articles"
    assert "article.aspx?articleid=54321" in embed["description"]
    assert body["data"]["flags"] & EPHEMERAL
    buttons = [b for row in body["data"]["components"] for b in row["components"]]
    assert [b["custom_id"] for b in buttons] == ["cd:coverage_page:93000 page:2"]

    click = interaction("interaction_button")
    click["data"]["custom_id"] = buttons[0]["custom_id"]
    click["message"]["components"] = body["data"]["components"]
    page2 = await running.interact(click)
    assert "Page 2 of 2" in page2["data"]["embeds"][0]["footer"]["text"]
    assert "A58888" in page2["data"]["embeds"][0]["description"]

    checked = await running.interact(command("coverage", "93000 R00.2", "args"))
    assert "*Not listed* in A57326" in checked["data"]["embeds"][0]["description"].replace("**", "*")
    engine.dispose()
