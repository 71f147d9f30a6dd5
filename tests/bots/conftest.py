"""CLI tests run the `codedesk` command in-process against a home folder (and SQLite file) of their own."""

from pathlib import Path

import pytest

from tests.conftest import CACHE_DIR


@pytest.fixture
def local_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CODEDESK_HOME", str(tmp_path))
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(CACHE_DIR))  # the ICD-10-CM cache is shared, keyed by version
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path
