"""MUE, add-on, RVU and GPCI imports: what each keeps, and damaged files refused with name, line and
reason while the data loaded before stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.edits import fees, imports, releases
from core.edits.files import EditFileError
from core.edits.periods import Period
from core.edits.store import EditStore
from core.edits.tables import ReleaseKind
from tests.core.edits import cms_files
from tests.core.edits.conftest import Loaded


def _loaded(sessions: sessionmaker[Session]) -> dict[str, releases.Release]:
    with sessions() as session:
        return {f"{r.kind} {r.period}": r for r in releases.loaded(session)}


def test_every_file_keeps_its_kind_and_quarter(loaded: Loaded) -> None:
    found = _loaded(loaded.sessions)
    assert set(found) == {"ptp_practitioner 2026Q4", "ptp_hospital 2026Q4", "mue_practitioner 2026Q4",
                          "mue_hospital 2026Q4", "aoc 2026Q4", "rvu 2026Q4", "rvu_qpp 2026Q4", "gpci 2026"}
    store = EditStore(loaded.sessions)
    qpp = store.rvu(found["rvu_qpp 2026Q4"], "99214")
    assert qpp is not None and qpp.conversion_factor == 33.5675
    assert [g.label for g in store.localities(found["gpci 2026"])][:2] == ["AL 00 ALABAMA", "FL 03 FORT LAUDERDALE"]
    contractor = store.addon(found["aoc 2026Q4"], "0001U")
    assert contractor[0].primary == "CCCCC" and contractor[0].edit_type == 2


def test_a_missing_conversion_factor_comes_from_the_known_table(sessions: sessionmaker[Session],
                                                                tmp_path: Path) -> None:
    imports.import_rvu(sessions, cms_files.write_rvu_csv(tmp_path / "PPRRVU2025_Jan.csv", factor=""))
    [release] = _loaded(sessions).values()
    assert release.label == "PFS RVUs 2025Q1"
    rvu = EditStore(sessions).rvu(release, "99214")
    assert rvu is not None and rvu.conversion_factor == 32.3465


def test_importing_a_quarter_again_replaces_it(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    path = cms_files.write_mue_csv(tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv")
    imports.import_mue(sessions, path)
    cms_files.write_mue_csv(path, rows=cms_files.MUE_ROWS[:2])
    done = imports.import_mue(sessions, path)
    assert done.lines == ("Imported MUE practitioner 2026Q4: 2 codes.",)
    assert _loaded(sessions)["mue_practitioner 2026Q4"].row_count == 2


@pytest.mark.parametrize(("kind", "name", "write", "line", "reason"), [
    ("mue", "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv",
     lambda p: cms_files.write_mue_csv(p, rows=[*cms_files.MUE_ROWS, ("86357", "2", "1 Line Edit", "x")]),
     8, "86357 appears twice (first on line 3)"),
    ("mue", "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv",
     lambda p: cms_files.write_mue_csv(p, rows=[("86357", "one", "1 Line Edit", "x")]),
     3, "MUE value 'one' for 86357 is not a whole number"),
    ("mue", "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv",
     lambda p: cms_files.write_mue_csv(p, rows=[("86357", "1", "Line Edit", "x")]),
     3, "adjudication indicator 'Line Edit' does not start with 1, 2 or 3"),
    ("aoc", "AOC_V2026Q4_01-MCR.txt",
     lambda p: cms_files.write_aoc_txt(p, [*cms_files.AOC_ROWS, ("99417", "*", "99215", "*", "4", "*", "*", "")]),
     7, "edit type '4' is not 1, 2 or 3"),
    ("rvu", "PPRRVU2026_Oct_nonQPP.csv",
     lambda p: cms_files.write_rvu_csv(p, [[*cms_files.RVU_ROWS[0][:5], "abc", *cms_files.RVU_ROWS[0][6:]]]),
     11, "work RVU 'abc' is not a number"),
    ("rvu", "PPRRVU2026_Oct_nonQPP.csv",
     lambda p: cms_files.write_rvu_csv(p, [cms_files.RVU_ROWS[0][:12]]), 11,
     "13 columns where the layout has at least 25"),
    ("gpci", "GPCI2026.csv",
     lambda p: cms_files.write_gpci_csv(p, [*cms_files.GPCI_ROWS, ("09102", "Florida", "05", "X", "1", "1", "1")]),
     8, "state 'Florida' is not a two-letter state code"),
])
def test_damaged_files_are_refused_and_the_loaded_quarter_stays(
        loaded: Loaded, tmp_path: Path, kind: str, name: str, write, line: int, reason: str) -> None:  # type: ignore[no-untyped-def]
    before = _loaded(loaded.sessions)
    path = tmp_path / "bad" / name
    path.parent.mkdir()
    write(path)
    run = {"mue": imports.import_mue, "aoc": imports.import_aoc, "rvu": imports.import_rvu,
           "gpci": imports.import_gpci}[kind]
    with pytest.raises(EditFileError) as refused:
        run(loaded.sessions, path)
    assert (refused.value.name, refused.value.line, refused.value.reason) == (name, line, reason)
    assert str(refused.value) == f"{name}, line {line}: {reason}"
    assert _loaded(loaded.sessions) == before


def test_files_of_the_wrong_kind_are_refused(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    gpci = cms_files.write_gpci_csv(tmp_path / "GPCI2026.csv")
    with pytest.raises(EditFileError, match="PPRRVU"):
        imports.import_rvu(sessions, gpci, period=Period(2026, 1))
    with pytest.raises(EditFileError, match="is this an MUE file"):
        imports.import_mue(sessions, gpci, period=Period(2026, 1))
    with pytest.raises(EditFileError, match="is this an AOC file"):
        imports.import_aoc(sessions, gpci, period=Period(2026, 1))
    rvu = cms_files.write_rvu_csv(tmp_path / "PPRRVU2026_Jan_nonQPP.csv")
    with pytest.raises(EditFileError, match="GPCI"):
        imports.import_gpci(sessions, rvu)
    assert _loaded(sessions) == {}


def test_localities_are_found_by_number_or_name() -> None:
    every = [fees.Gpci("m", s, n, name, 1, 1, 1) for _, s, n, name, *_ in cms_files.GPCI_ROWS]
    assert [g.name for g in fees.find_locality(every, "fl 4")] == ["MIAMI"]
    assert [g.name for g in fees.find_locality(every, "FL04")] == ["MIAMI"]
    assert [g.locality for g in fees.find_locality(every, "los angeles")] == ["18"]
    assert fees.find_locality(every, "atlantis") == []
    assert ReleaseKind.GPCI == "gpci"
