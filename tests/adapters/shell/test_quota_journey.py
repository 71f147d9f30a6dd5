"""The guest → register → exhausted → grant journey, typed into the terminal chat exactly as a new
user would, against the Desk that bots.app wires (real catalog, real SQLite, real quota)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.shell.chat import WORKSPACE, ShellSession
from bots.app import Services
from core.requests import Actor, Platform
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
CACHE = ROOT / "var" / "cache"
REFUSAL = "0 code views left this month. Guests get 1; register for free to get 5 more."


class Typist:
    """Answers form prompts from a script and remembers which prompts were shown."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)


@pytest.fixture
def services(sqlite_url: str) -> Iterator[Services]:
    services = Services(Settings(database_url=sqlite_url, home=ROOT / "var", cache_dir=ROOT / "var" / "cache"))
    services.upgrade()
    yield services
    services.engine.dispose()


def test_a_new_user_goes_from_guest_to_registered_to_exhausted_to_granted(services: Services) -> None:
    typist = Typist()
    shell = ShellSession(services.desk(), Actor(Platform.SHELL, WORKSPACE, "newbie", "newbie"), ask=typist)

    first = shell.send("/icd10 E11.9")
    assert first.startswith("E11.9 — Type 2 diabetes mellitus without complications")
    assert " ".join(first.split()).endswith("· 0 code views left this month")

    refused = shell.send("/icd10 E10.9")
    assert refused.startswith(f"✖ {REFUSAL}")
    assert "[1] Register (free)" in refused
    assert "Type 1 diabetes" not in refused  # never the card

    typist.answers = ["New Bie", "newbie@example.org", "y"]
    registered = shell.send("/register")
    assert [p.split(" ")[0] for p in typist.prompts] == ["Your", "Email:", "I"]
    assert typist.prompts[2].endswith("(y/n): ")
    assert "Welcome, New Bie: you are registered" in registered
    assert "You have 5 code views left this month" in registered

    for left, code in zip((4, 3, 2, 1, 0), ("E10.9", "I10", "E78.5", "K21.9", "J45.909"), strict=True):
        card = " ".join(shell.send(f"/icd10 {code}").split())
        assert card.startswith(code) and f"{left} code view{'s' if left != 1 else ''} left this month" in card

    exhausted = shell.send("/icd10 N39.0")
    assert exhausted.startswith("✖ 0 code views left this month. "
                                "The registered tier gets 6 code views a month.")
    assert "Register" not in exhausted

    assert "Only workspace admins" in shell.send("/codedesk grant @newbie unlimited")
    assert shell.send("/user boss admin") == "Now typing as boss (admin)."
    assert shell.send("/codedesk grant @newbie unlimited").startswith(
        "newbie now has the unlimited tier in this workspace.")
    shell.send("/user newbie")

    again = shell.send("/icd10 N39.0")
    assert again.startswith("N39.0 — Urinary tract infection, site not specified")
    assert "left this month" not in again
    me = shell.send("/me")
    assert "Tier: unlimited" in me and "Code views left this month: unlimited" in me


def test_the_register_button_opens_the_same_form(services: Services) -> None:
    typist = Typist()
    shell = ShellSession(services.desk(), Actor(Platform.SHELL, WORKSPACE, "pat", "pat"), ask=typist)
    shell.send("/icd10 E11.9")
    shell.send("/icd10 E10.9")
    typist.answers = ["Pat", "not-an-email", "y"]
    wrong = shell.send("1")
    assert "That email address does not look right." in wrong
    typist.answers = ["Pat", "pat@example.org", "y"]
    assert "Welcome, Pat: you are registered" in shell.send("1")  # the error's own Register button
    assert "Type 1 diabetes" in shell.send("/icd10 E10.9")


def test_the_journey_through_the_codedesk_shell_command_with_piped_input(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for item in CACHE.glob("icd10cm-*"):  # reuse the built ICD-10-CM cache instead of rebuilding it
        (cache / item.name).symlink_to(item)
    script = "\n".join(["/icd10 E11.9", "/icd10 E10.9", "/register", "Piper", "piper@example.org", "y",
                        "/icd10 E10.9", "/me", ""])
    env = {**os.environ, "CODEDESK_HOME": str(tmp_path), "CODEDESK_GUEST_VIEWS": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bots.cli", "shell", "--user", "piper"], input=script,
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=True)
    out = " ".join(done.stdout.split())
    assert REFUSAL in out
    assert "Email: piper@example.org" in out  # the prompt echoed with the piped answer
    assert "Welcome, Piper: you are registered" in out
    assert "4 code views left this month" in out
    assert "Code views left this month: 4 of 6" in out
