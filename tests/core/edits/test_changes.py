"""`/changes` on the real CMS HCPCS 2019 and 2020 files, and `/changes watch` notices that reach the
channel through a real ChannelPoster."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.shell.poster import ShellPoster
from core.codes.catalog import Catalog
from core.codes.sources import hcpcs
from core.db import transaction
from core.desk import Desk
from core.edits import imports
from core.edits.changes import hcpcs_release_entries
from core.edits.check import default_rules
from core.edits.feature import CHANGES_PAGE, EditsFeature
from core.edits.store import EditStore
from core.edits.tables import EditNotice
from core.edits.watches import NoticeSender
from core.replies import ErrorKind, Reply
from core.requests import Actor, Platform, Request
from tests.conftest import shared_path
from tests.core.edits import cms_files
from tests.core.edits.conftest import TODAY
from tests.desks import code_desk

ACTOR = Actor(Platform.SHELL, "local", "coder")


@pytest.fixture(scope="module")
def hcpcs_years() -> dict[str, hcpcs.HcpcsImport]:
    return {"2019": hcpcs.read_hcpcs(shared_path("data", "cms", "hcpcs-2019", "HCPC2019_CONTR_ANWEB.txt")),
            "2020": hcpcs.read_hcpcs(shared_path("data", "cms", "hcpcs-2020", "HCPC2020_ANWEB_w_disclaimer.txt"))}


def _record(sessions: sessionmaker[Session], data: hcpcs.HcpcsImport) -> int:
    with transaction(sessions) as session:
        return imports.record_code_release(session, "hcpcs", data.version, data.source,
                                           hcpcs_release_entries(data.records))


def _desk(catalog: Catalog, sessions: sessionmaker[Session]) -> Desk:
    feature = EditsFeature(sessions, default_rules(EditStore(sessions, lambda: TODAY), lambda: catalog),
                           today=lambda: TODAY)
    return code_desk(catalog, features=(feature,))


def _ask(desk: Desk, text: str, channel: str = "C0CODING") -> Reply:
    return desk.handle(Request.command_of(ACTOR, "changes", text, channel_id=channel))


def test_hcpcs_2019_to_2020_counts_and_pages(catalog: Catalog, sessions: sessionmaker[Session],
                                             hcpcs_years: dict[str, hcpcs.HcpcsImport]) -> None:
    _record(sessions, hcpcs_years["2019"])
    _record(sessions, hcpcs_years["2020"])
    desk = _desk(catalog, sessions)
    reply = _ask(desk, "hcpcs 2019 2020")
    counts = {f.label: f.value for f in reply.fields}
    # CMS's own change list for 2020 counts 70 long-description changes and 99 discontinued codes;
    # against the 2019 annual file 268 codes are new (CMS's list says 250: 18 came in 2019's quarters)
    # and one more code (in 2019, absent from 2020) ended.
    assert counts == {"Added": "268", "Terminated": "100", "Description changed": "70"}
    assert reply.title == "HCPCS Level II: 2019 → 2020" and reply.subtitle == "all changes, page 1 of 22"
    assert len(reply.results) == 20
    added = _ask(desk, "hcpcs 2019 2020 added")
    assert any(r.title == "C9041 · added" for r in added.results)
    changed = _ask(desk, "hcpcs 2019 2020 changed")
    b4185 = next(r for r in changed.results if r.title == "B4185 · changed")
    assert "per 10 grams lipids → Parenteral nutrition solution, not otherwise specified" in b4185.subtitle
    ended = _ask(desk, "hcpcs 2019 2020 terminated page:3")
    assert ended.subtitle == "terminated, page 3 of 5" and any(r.title == "G9017 · terminated" for r in ended.results)
    [next_page, _previous] = ended.actions
    assert next_page.action_id == CHANGES_PAGE
    pressed = desk.handle(Request.action_of(ACTOR, CHANGES_PAGE, next_page.value))
    assert pressed.subtitle == "terminated, page 4 of 5"
    missing = _ask(desk, "hcpcs 2018 2020")
    assert missing.error is ErrorKind.NOT_FOUND and "2018 is not loaded" in missing.title
    assert "Loaded: 2019, 2020" in missing.sections[0].text
    assert _ask(desk, "dental 2019 2020").error is ErrorKind.BAD_INPUT


def test_a_watched_hcpcs_code_changed_by_an_import_is_posted_to_the_channel(
        catalog: Catalog, sessions: sessionmaker[Session], hcpcs_years: dict[str, hcpcs.HcpcsImport]) -> None:
    desk = _desk(catalog, sessions)
    _record(sessions, hcpcs_years["2019"])
    watching = _ask(desk, "watch B4185 J1885 G9017")
    assert watching.title == "Watching codes for changes" and not watching.is_private
    assert "`B4185`" in _ask(desk, "watching").sections[0].text
    assert _record(sessions, hcpcs_years["2020"]) == 1  # one channel to tell
    out = io.StringIO()
    report = NoticeSender(sessions, {"shell": ShellPoster(out)}).run()
    assert report.sent == 1
    posted = out.getvalue()
    assert "── posted to #C0CODING ──" in posted and "HCPCS 2020 imported" in posted
    assert "`B4185`: changed in HCPCS 2020" in posted and "`G9017`: terminated in HCPCS 2020" in posted
    assert "J1885" not in posted  # unchanged codes are not mentioned
    assert NoticeSender(sessions, {"shell": ShellPoster(out)}).run().sent == 0  # sent once
    unwatched = _ask(desk, "unwatch B4185")
    assert unwatched.title == "Stopped watching 1 code"


def test_watched_edits_changed_by_a_new_quarter_are_posted_once(catalog: Catalog, sessions: sessionmaker[Session],
                                                                tmp_path: Path) -> None:
    desk = _desk(catalog, sessions)
    imports.import_ncci(sessions, [cms_files.write_ptp_txt(tmp_path / "ccipra-v322r0-f1.txt")])
    _ask(desk, "watch 29881 99214", channel="C0ORTHO")
    _ask(desk, "watch 11102", channel="C0DERM")
    changed = [r if r[:2] != ("29880", "29881") else (*r[:4], "20261001", *r[5:])
               for r in cms_files.PRACTITIONER_ROWS]
    done = imports.import_ncci(sessions, [cms_files.write_ptp_txt(tmp_path / "ccipra-v323r0-f1.txt", changed)])
    assert done.notices == 1  # 29881 changed; 99214 and 11102 did not
    with sessions() as session:
        [notice] = session.scalars(select(EditNotice)).all()
    assert notice.channel_id == "C0ORTHO" and "`29881`" in notice.body and "99214" not in notice.body
    out = io.StringIO()
    gone = ShellPoster(out, gone=frozenset({"C0ORTHO"}))
    assert NoticeSender(sessions, {"shell": gone}).run().gone == 1  # a removed bot: recorded, not retried
    assert NoticeSender(sessions, {"slack": ShellPoster(out)}).run().sent == 0  # other platforms' notices stay
