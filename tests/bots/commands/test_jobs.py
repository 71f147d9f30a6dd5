"""`codedesk jobs …` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.cli import main


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)


def test_jobs_upkeep_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs", "digest-now"]) == 0
    assert "0 due, 0 sent" in capsys.readouterr().out
    assert main(["jobs", "import-feeds"]) == 0
    assert "0 feeds read." in capsys.readouterr().out
    assert main(["jobs", "sweep"]) == 0
    assert "0 postings expired." in capsys.readouterr().out
