"""Free text typed into the terminal chat goes to the assistant, on the Desk bots.app wires (real
catalog, search, SQLite and quota): questions are answered with sources and cost no code views;
only a lookup's card does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.shell.chat import WORKSPACE, ShellSession
from bots.app import Services
from core.requests import Actor, Platform
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def shell(sqlite_url: str) -> Iterator[ShellSession]:
    services = Services(Settings(database_url=sqlite_url, home=ROOT / "var", cache_dir=ROOT / "var" / "cache"))
    services.upgrade()
    yield ShellSession(services.desk(), Actor(Platform.SHELL, WORKSPACE, "coder", "coder"))
    services.engine.dispose()


def test_the_issue_questions_are_answered_in_the_shell_without_using_the_one_guest_view(shell: ShellSession) -> None:
    by_time = " ".join(shell.send("how do I pick an office visit level by time").split())
    assert by_time.startswith("Picking an office visit level by time")
    assert "99214 30" in by_time and "Source: CMS MLN006764" in by_time
    excludes = " ".join(shell.send("when do I use excludes1 versus excludes2").split())
    assert excludes.startswith("Excludes1 versus Excludes2") and "Section I.A.12.a" in excludes
    modifier = " ".join(shell.send("when do I use modifier 25?").split())
    assert modifier.startswith("Modifier 25") and "separately identifiable" in modifier
    searched = shell.send("code for left knee osteoarthritis")
    assert "M17.12" in searched
    # A guest has one code view: every answer above left it unused, so the lookup's card still opens.
    card = " ".join(shell.send("what is E11.9?").split())
    assert card.startswith("E11.9 — Type 2 diabetes mellitus without complications")
    assert card.endswith("0 code views left this month")


def test_the_issue_case_is_coded(shell: ShellSession) -> None:
    answer = " ".join(shell.send("case: type 2 diabetes with stage 3b CKD and hypertension").split())
    assert answer.startswith("Proposed code set") and "Codes: E11.22, I12.9, N18.32" in answer


def test_account_questions_are_answered_by_the_account_commands(shell: ShellSession) -> None:
    standing = shell.send("how many code views do I have left?")
    assert "1 of 1" in standing and "From `/me`" in standing
    assert "/register" in shell.send("how do I register?")


def test_jobs_questions_reach_the_job_board(shell: ShellSession) -> None:
    assert "/jobs" in shell.send("how do I post a job?")
    listing = shell.send("any remote CPC jobs in Texas?")
    assert "jobs" in listing.lower() and "From `/jobs search CPC TX remote`" in " ".join(listing.split())
