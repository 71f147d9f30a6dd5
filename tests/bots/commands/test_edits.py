"""`codedesk import ncci|mue|aoc|rvu|gpci` and `codedesk bench edits` (bench/edits.py), run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.edits import main as bench_main
from bots.cli import main
from tests.core.edits import cms_files

pytestmark = pytest.mark.usefixtures("local_home")


def test_each_kind_imports_and_says_what_it_loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f1 = cms_files.write_ptp_txt(tmp_path / "ccipra-v323r0-f1.txt", cms_files.PRACTITIONER_ROWS[:3])
    f2 = cms_files.write_ptp_zip(tmp_path / "ccipra-v323r0-f2.zip", "ccipra-v323r0-f2", cms_files.PRACTITIONER_ROWS[3:])
    assert main(["import", "ncci", str(f1), str(f2)]) == 0
    assert capsys.readouterr().out == "Imported NCCI PTP practitioner 2026Q4: 7 edits from 2 files.\n"
    mue = cms_files.write_mue_csv(tmp_path / "mue.csv", "DME Supplier Services")
    assert main(["import", "mue", str(mue), "--quarter", "2026Q4"]) == 0
    assert capsys.readouterr().out == "Imported MUE DME supplier 2026Q4: 5 codes.\n"
    assert main(["import", "aoc", str(cms_files.write_aoc_txt(tmp_path / "AOC_V2026Q4_01-MCR.txt"))]) == 0
    assert "Imported NCCI add-on code edits 2026Q4: 5 add-on/primary pairs." in capsys.readouterr().out
    assert main(["import", "rvu", str(cms_files.write_rvu_csv(tmp_path / "PPRRVU2026_Jan_QPP.csv",
                                                                factor="33.5675"))]) == 0
    assert capsys.readouterr().out == "Imported PFS RVUs (QPP) 2026Q1: 6 code rows, conversion factor 33.5675.\n"
    assert main(["import", "gpci", str(cms_files.write_gpci_csv(tmp_path / "GPCI2026.csv"))]) == 0
    assert capsys.readouterr().out == "Imported PFS GPCIs 2026: 5 localities.\n"


def test_a_damaged_file_is_refused_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "ccioph-v323r0-f1.txt"
    bad.write_text(cms_files.ptp_text(cms_files.PRACTITIONER_ROWS[:1]) + "11102\t11103\t\t2019\t*\t0\tX\r\n")
    assert main(["import", "ncci", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported; the data loaded before is unchanged" in err
    assert "ccioph-v323r0-f1.txt, line 5: effective date '2019' is not a date (YYYYMMDD)" in err
    assert main(["import", "mue", str(bad), "--quarter", "Q4"]) == 2
    assert "--quarter 'Q4' is not a quarter like 2026Q4" in capsys.readouterr().err
    assert main(["import", "gpci", str(tmp_path / "absent.csv")]) == 1
    assert "absent.csv: no such file" in capsys.readouterr().err


def test_bench_edits_prints_import_and_lookup_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main(["--rows", "20000"]) == 0
    out = capsys.readouterr().out
    assert "import: " in out and " rows/s)" in out
    assert "pair lookup: p50 " in out and "p95 " in out and "database size: " in out
