"""Edit, fee and change questions typed at the terminal, on the real Services desk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.shell.chat import ShellSession
from bots.app import Services
from core.requests import Actor, Platform
from core.settings import Settings
from tests.conftest import CACHE_DIR
from tests.core.edits.conftest import load_all


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[ShellSession]:
    services = Services(Settings(database_url=f"sqlite:///{tmp_path / 'codedesk.db'}", home=tmp_path,
                                 cache_dir=CACHE_DIR))
    services.upgrade()
    load_all(services.sessions, tmp_path)
    yield ShellSession(services.desk(), Actor(Platform.SHELL, "local", "you"))
    services.engine.dispose()


def test_ncci_mue_and_rvu_answer_at_the_terminal(shell: ShellSession) -> None:
    ncci = shell.send("/ncci 29881 29880 date:2026-11-15")
    assert ncci.startswith("NCCI edit: 29881 is bundled into 29880")
    assert "Mutually exclusive procedures" in ncci and "NCCI PTP practitioner 2026Q4" in ncci
    assert "1: a modifier may bypass it" in ncci
    mue = shell.send("/mue 86357 date:2026-11-15")
    assert "1 per day" in mue and "MUE practitioner 2026Q4" in mue
    rvu = shell.send("/rvu 99214 FL 04 date:2026-11-15")
    assert "× 33.4009 = $" in rvu and "FL 04 MIAMI" in rvu


def test_check_and_its_problems_at_the_terminal(shell: ShellSession) -> None:
    answer = shell.send("/check 99214-25 11102 11103 J1885x2 E11.9 N18.32 date:2026-11-15")
    assert "11103 is bundled into 11102" in answer
    assert "11102 with 99214 has an edit" in answer and "the claim carries 25, which bypasses it" in answer
    assert "Checks that could not run" in answer and "codedesk import hcpcs FILE" in answer
    clean = shell.send("/check 99214 E11.9 date:2026-11-15")
    # Every edit check ran clean, but no coverage export is loaded: "No problems found" would overclaim.
    assert clean.startswith("Nothing found, but not every check could run")
    assert "codedesk import coverage FILE" in clean


def test_bad_input_and_absent_data_get_clear_answers(shell: ShellSession) -> None:
    assert "is not a CPT or HCPCS code" in shell.send("/ncci 29881 banana")
    absent = shell.send("/ncci 29881 29880 date:2019-05-01")
    assert "No NCCI PTP practitioner data is loaded for 2019-05-01." in absent
    assert "codedesk import ncci FILE" in absent
    assert "No locality matches “Atlantis”" in shell.send("/rvu 99214 Atlantis date:2026-11-15")
    assert "/changes needs a code system and two releases" in shell.send("/changes")
