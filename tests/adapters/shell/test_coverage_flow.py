"""Coverage in the terminal chat: import the test export, list a procedure's articles, page with a
numbered button, check diagnoses, crosswalk."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from adapters.shell.chat import ShellSession
from core.codes.catalog import Catalog
from core.coverage import store
from core.coverage.export import read_export
from core.coverage.feature import CoverageFeature
from core.db import transaction
from core.requests import Actor, Platform
from tests.core.coverage.export_fixture import write_nested_zip
from tests.desks import code_desk


def test_coverage_questions_in_the_shell(catalog: Catalog, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    desk = code_desk(catalog, features=(CoverageFeature(sessions, catalog),))
    shell = ShellSession(desk, Actor(Platform.SHELL, "local", "coder"))
    assert "codedesk import coverage FILE" in shell.send("/coverage 93000")
    with transaction(sessions) as session:
        store.replace_export(session, read_export(write_nested_zip(tmp_path)))

    listing = shell.send("/coverage 93000")
    assert "Coverage for 93000: 3 articles" in listing
    assert "A57326 — Billing and Coding: Electrocardiography" in listing
    assert "[1] Next ▶" in listing and "Page 1 of 2" in listing
    page2 = shell.send("1")
    assert "Page 2 of 2" in page2 and "`I21.19` ST elevation (STEMI)" in page2

    checked = shell.send("/coverage 93000 Z00.00 state:FL")
    assert "*Not covered* by A57326 (group 1)" in checked and "A54321" not in checked
    assert "`I48.91` Unspecified atrial fibrillation — covered in 2 of 3" in shell.send("/crosswalk 93000")
    assert "/coverage" in shell.send("/help") and "/crosswalk" in shell.send("/help")
    assert "is not a CPT or HCPCS code" in shell.send("/coverage 93O00")
