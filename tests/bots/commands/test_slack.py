"""`codedesk run slack` and `codedesk bench slack` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots import cli


def test_run_slack_explains_a_missing_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert cli.main(["run", "slack", "--http", "--port", "0"]) == 2
    assert "SLACK_SIGNING_SECRET is not set" in capsys.readouterr().err


def test_bench_slack_and_run_options_parse() -> None:
    args = cli.parser().parse_args(["bench", "slack", "--clients", "10"])
    assert args.target == "slack" and args.clients == 10
    run = cli.parser().parse_args(["run", "slack", "--http", "--port", "8080"])
    assert (run.platform, run.http, run.port) == ("slack", True, 8080)
