"""`codedesk bench cases` (bench/cases.py) prints dev and held-out scores separately, with the targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cases import main

pytestmark = pytest.mark.usefixtures("local_home")


def test_bench_cases_prints_dev_and_held_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dev = tmp_path / "dev.tsv"
    dev.write_text("Essential hypertension\toutpatient\tI10\tsingle\n"
                   "Former smoker with COPD\toutpatient\tJ44.9,Z87.891\thistory\n", encoding="utf-8")
    held_out = tmp_path / "held.tsv"
    held_out.write_text("Right knee osteoarthritis\toutpatient\tM17.11\tlaterality\n"
                        "Knee pain\toutpatient\tM25.561\tlaterality\n", encoding="utf-8")
    assert main(["--dev", str(dev), "--held-out", str(held_out), "--no-baseline", "--misses"]) == 0
    out = capsys.readouterr().out
    assert "dev: dev.tsv" in out and "held-out: held.tsv" in out
    assert "Case2Code (negspacy)             2     1.000" in out
    assert "Case2Code (negspacy)             2     0.500" in out
    assert "'Knee pain': expected M25.561; proposed M25.569" in out
    assert "held-out exact-set >= 0.90 NOT met" in out and "dev exact-set >= 0.90 met" in out


def test_bench_cases_with_the_hand_written_reader_and_a_missing_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dev", str(tmp_path / "absent.tsv"), "--no-baseline"]) == 2
    assert "does not exist" in capsys.readouterr().err
    dev = tmp_path / "dev.tsv"
    dev.write_text("No fever. Cough.\toutpatient\tR05.9\tnegation\n", encoding="utf-8")
    assert main(["--dev", str(dev), "--held-out", str(dev), "--no-baseline", "--context", "trigger"]) == 0
    assert "Case2Code (trigger)" in capsys.readouterr().out
