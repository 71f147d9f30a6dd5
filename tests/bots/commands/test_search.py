"""`codedesk search`, run in-process against a home of the test's own."""

import json
from pathlib import Path

import pytest

from bots.cli import main

pytestmark = pytest.mark.usefixtures("local_home")


def test_search_prints_codes_with_titles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "otitis", "media", "--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("H66.9") and "otitis media" in lines[0].lower()
    assert lines[-1].startswith("— 1–3 of")


def test_search_json_respects_system_and_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "office", "visit", "--system", "cpt", "--limit", "4", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["query"] == "office visit" and isinstance(payload["ms"], float)
    assert len(payload["results"]) == 4
    assert {r["system"] for r in payload["results"]} == {"cpt"}
    assert set(payload["results"][0]) >= {"system", "code", "title", "score"}


def test_batch_prints_one_json_line_per_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "queries.txt"
    batch.write_text("bee sting\n\n   \n🙂\nE11.\n", encoding="utf-8")
    assert main(["search", "--batch", str(batch), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["query"] for r in rows] == ["bee sting", "🙂", "E11."]
    assert rows[0]["results"] and rows[1]["results"] == [] and "no letters" in rows[1]["error"]
    assert rows[2]["results"][0]["code"] == "E11"


def test_a_bad_query_is_an_error_with_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "?!?"]) == 2
    assert "no letters or digits" in capsys.readouterr().err
