"""`codedesk data status` names the Medicare coverage export beside the code sets: not loaded (with the
command to load it), then the export's date and size once imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.cli import main
from tests.core.coverage import export_fixture as fx

pytestmark = pytest.mark.usefixtures("local_home")


def test_data_status_shows_the_coverage_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "status"]) == 0
    assert "Medicare coverage not loaded: `codedesk import coverage current_article.zip`" in capsys.readouterr().out
    assert main(["import", "coverage", str(fx.write_nested_zip(tmp_path))]) == 0
    capsys.readouterr()
    assert main(["data", "status"]) == 0
    out = capsys.readouterr().out
    assert "Medicare coverage 3 articles" in out and "export of 2026-11-27 (current_article.zip)" in out
