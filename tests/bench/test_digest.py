"""bench/digest.py: many due digests in a fresh database, sent once each through the poster asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.digest import main


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)


def test_bench_digest_sends_each_subscription_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--subscriptions", "60", "--workspaces", "4", "--postings", "5"]) == 0
    out = capsys.readouterr().out
    assert "60 due, 60 sent" in out and "sends/s" in out
    assert "second tick at once: 0 sent" in out and "send log: sent 60" in out


def test_bench_digest_takes_a_poster_factory(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--subscriptions", "5", "--workspaces", "1", "--postings", "2",
                 "--platform", "slack", "--poster", "tests.bench.test_digest:counting_poster"])
    assert code == 0 and "5 sent" in capsys.readouterr().out
    assert COUNTED == [5]


COUNTED: list[int] = []


def counting_poster():  # type: ignore[no-untyped-def]
    from tests.core.jobs.conftest import RecordingPoster

    class Counting(RecordingPoster):
        def close(self) -> None:
            COUNTED.append(len(self.posts))

    return Counting()
