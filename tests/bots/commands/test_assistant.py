"""`codedesk ask` and `codedesk bench assistant` (bench/assistant.py), run in-process against a home of the
test's own."""

import json
from pathlib import Path

import pytest

from bench.assistant import main as bench_main
from bots.cli import main
from core.assistant.eval import DEV_QUESTIONS, HOLDOUT_QUESTIONS, QuestionFileError, read_questions

pytestmark = pytest.mark.usefixtures("local_home")


def test_ask_prints_the_answer_with_its_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "when", "do", "I", "use", "excludes1", "versus", "excludes2"]) == 0
    out = capsys.readouterr().out
    assert "Excludes1 versus Excludes2" in out and "(intent: guideline" in out
    assert "Source: CodeDesk note “Excludes1 versus Excludes2”" in out and "I.A.12.a" in out


def test_ask_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "how do I pick an office visit level by time", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert set(row) == {"question", "intent", "codes", "text", "sources", "ms"}
    assert row["intent"] == "guideline" and "99215" in row["codes"] and "40 minutes" in row["text"]
    assert any("MLN006764" in s for s in row["sources"]) and isinstance(row["ms"], float)


def test_ask_batch_prints_one_json_line_per_question(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_text("what is E11.9\n\n# a comment\nis there an NCCI edit between 29881 and 29880?\nthanks\n",
                     encoding="utf-8")
    assert main(["ask", "--batch", str(batch), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["intent"] for r in rows] == ["lookup", "ncci", "smalltalk"]
    assert rows[0]["codes"] == ["E11.9"] and any("ICD-10-CM" in s for s in rows[0]["sources"])
    # /ncci is installed but no PTP file is imported: the answer says what to import.
    assert rows[1]["codes"] == ["29881", "29880"] and "codedesk import ncci" in rows[1]["text"]


def test_ask_needs_a_question(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["ask"]) == 2
    assert main(["ask", "--batch", str(tmp_path / "missing.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bench_prints_dev_and_held_out_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dev, holdout = tmp_path / "dev.tsv", tmp_path / "holdout.tsv"
    dev.write_text("# dev\nwhat is E11.9\tlookup\ticd10cm:E11.9\tE11.9|ICD-10-CM\n"
                   "modifier 24 vs 25\tmodifier\tmodifier:24 modifier:25\t24|25\n", encoding="utf-8")
    holdout.write_text("thanks!\tsmalltalk\t\t\ntell me a joke\tsearch\t\tI don't know\n", encoding="utf-8")
    assert bench_main(["--dev", str(dev), "--holdout", str(holdout), "--hcpcs", str(tmp_path / "none.txt")]) == 0
    out = capsys.readouterr().out
    assert "dev       n=2    intent 1.000  entity F1 1.000" in out
    assert "held-out  n=2    intent 0.500" in out and "facts held 1.000" in out
    assert "case coding not installed" not in out  # Case2Code ships: its case scores are printed


def test_the_shipped_question_sets_are_big_enough_and_valid() -> None:
    dev, holdout = read_questions(DEV_QUESTIONS), read_questions(HOLDOUT_QUESTIONS)
    assert len(dev) >= 200 and len(holdout) >= 50
    assert not {q.text for q in dev} & {q.text for q in holdout}
    assert {q.intent for q in dev} == {q.intent for q in holdout}  # every intent in both


def test_damaged_question_files_are_refused_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("# header\nwhat is E11.9\tlookup\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match=r"bad\.tsv: line 2: expected 4"):
        read_questions(bad)
    bad.write_text("what is E11.9\tlooking\t\t\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match="unknown intent 'looking'"):
        read_questions(bad)
