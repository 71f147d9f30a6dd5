"""PTP import from every shape CMS ships, refusal of damaged files, and pair answers by date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.edits import ptp, releases
from core.edits.files import EditFileError
from core.edits.periods import Period
from core.edits.tables import ReleaseKind
from tests.core.edits import cms_files


def _release(sessions: sessionmaker[Session], kind: str, period: str) -> releases.Release:
    with sessions() as session:
        return next(r for r in releases.loaded(session) if r.kind == kind and r.period == period)


def _pair(sessions: sessionmaker[Session], release: releases.Release, a: str, b: str) -> list[ptp.PtpEdit]:
    with sessions() as session:
        return ptp.edits_between(session.connection(), release.id, a, b)


def test_a_text_file_imports_and_a_pair_is_found_in_either_order(sessions: sessionmaker[Session],
                                                                   tmp_path: Path) -> None:
    path = cms_files.write_ptp_txt(tmp_path / "ccipra-v323r0-f1.txt")
    with transaction(sessions) as session:
        [done] = ptp.import_ptp(session, [path])
    assert done.release.label == "NCCI PTP practitioner 2026Q4" and done.rows == 7
    forward = _pair(sessions, done.release, "29880", "29881")
    backward = _pair(sessions, done.release, "29881", "29880")
    assert forward == backward
    [edit] = forward
    assert (edit.column1, edit.column2, edit.modifier) == ("29880", "29881", 1)
    assert edit.effective == date(2012, 1, 1) and edit.deletion is None
    assert edit.rationale == "Mutually exclusive procedures"
    assert _pair(sessions, done.release, "99214", "29880") == []


def test_zip_parts_xlsx_and_a_wrapped_header_all_read_the_same(sessions: sessionmaker[Session],
                                                               tmp_path: Path) -> None:
    first, rest = cms_files.PRACTITIONER_ROWS[:3], cms_files.PRACTITIONER_ROWS[3:]
    files = [cms_files.write_ptp_zip(tmp_path / "medicare-ncci-2026q4-practitioner-ptp-edits-ccipra-v323r0-f1.zip",
                                     "ccipra-v323r0-f1", first),
             cms_files.write_ptp_xlsx(tmp_path / "ccipra-v323r0-f2.xlsx", rest[:2]),
             cms_files.write_ptp_txt(tmp_path / "ccipra-v323r0-f3.txt", rest[2:], wrapped_header=True)]
    with transaction(sessions) as session:
        [done] = ptp.import_ptp(session, files)
    assert done.rows == len(cms_files.PRACTITIONER_ROWS) and len(done.files) == 3
    assert "ccipra-v323r0-f1.txt" in done.files[0]  # the .txt in the zip, not its .xlsx twin
    assert _pair(sessions, done.release, "36416", "36415")[0].deletion == date(2024, 1, 1)
    assert _pair(sessions, done.release, "96372", "99214")[0].modifier == 1


def test_practitioner_and_hospital_files_in_one_import_become_two_releases(sessions: sessionmaker[Session],
                                                                             tmp_path: Path) -> None:
    files = [cms_files.write_ptp_txt(tmp_path / "ccipra-v323r0-f1.txt"),
             cms_files.write_ptp_txt(tmp_path / "ccioph-v323r0-f1.txt", cms_files.PRACTITIONER_ROWS[:1])]
    with transaction(sessions) as session:
        done = ptp.import_ptp(session, files)
    assert sorted(d.release.label for d in done) == ["NCCI PTP outpatient hospital 2026Q4",
                                                     "NCCI PTP practitioner 2026Q4"]


def test_the_setting_is_read_from_the_preamble_when_the_name_says_nothing(sessions: sessionmaker[Session],
                                                                         tmp_path: Path) -> None:
    path = tmp_path / "edits.txt"
    path.write_text("Outpatient Hospital PTP edits, version 32.3\r\n" + cms_files.ptp_text(cms_files.PRACTITIONER_ROWS))
    with transaction(sessions) as session:
        [done] = ptp.import_ptp(session, [path])
    assert done.release.kind == ReleaseKind.PTP_HOSPITAL and done.release.period == "2026Q4"


def test_quarters_sit_side_by_side_and_a_date_picks_one(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    old = cms_files.write_ptp_txt(tmp_path / "ccipra-v322r0-f1.txt", [cms_files.PRACTITIONER_ROWS[2]])
    ended = ("29880", "29881", "", "20120101", "20261001", "1", "Mutually exclusive procedures")
    new = cms_files.write_ptp_txt(tmp_path / "ccipra-v323r0-f1.txt", [ended])
    with transaction(sessions) as session:
        ptp.import_ptp(session, [old])
        ptp.import_ptp(session, [new])
    with sessions() as session:
        loaded = releases.loaded(session)
    summer = releases.for_date(loaded, ReleaseKind.PTP_PRACTITIONER, date(2026, 8, 1))
    autumn = releases.for_date(loaded, ReleaseKind.PTP_PRACTITIONER, date(2026, 11, 15))
    assert summer is not None and summer.period == "2026Q3"
    assert autumn is not None and autumn.period == "2026Q4"
    deleted = ptp.edit_on(_pair(sessions, autumn, "29881", "29880"), date(2026, 11, 15))
    assert deleted is not None and not deleted.active_on(date(2026, 11, 15))
    assert deleted.deletion == date(2026, 10, 1)
    assert releases.for_date(loaded, ReleaseKind.PTP_PRACTITIONER, date(2026, 1, 1)) is None


@pytest.mark.parametrize(("line", "reason"), [
    ("2988\t29881\t\t20120101\t*\t1\tX", "'2988' is not a 5-character CPT or HCPCS code"),
    ("29880\t29881\t\t2012-13-01\t*\t1\tX", "effective date '2012-13-01' is not a date (YYYYMMDD)"),
    ("29880\t29881\t\t20120101\t*\t7\tX", "modifier indicator '7' is not 0, 1 or 9"),
    ("29880\t29881\t20120101", "3 columns where a PTP row has 7"),
])
def test_a_damaged_file_is_refused_with_its_line_and_the_loaded_data_stays(
        sessions: sessionmaker[Session], tmp_path: Path, line: str, reason: str) -> None:
    good = cms_files.write_ptp_txt(tmp_path / "ccipra-v323r0-f1.txt")
    with transaction(sessions) as session:
        ptp.import_ptp(session, [good])
    bad = tmp_path / "ccipra-v323r0-f2.txt"
    bad.write_text(cms_files.ptp_text(cms_files.PRACTITIONER_ROWS[:2]) + line + "\r\n")
    with pytest.raises(EditFileError) as refused, transaction(sessions) as session:
        ptp.import_ptp(session, [good, bad])  # the same release again: it would replace the good one
    assert refused.value.name == "ccipra-v323r0-f2.txt" and refused.value.line == 6
    assert refused.value.reason == reason
    release = _release(sessions, ReleaseKind.PTP_PRACTITIONER, "2026Q4")
    assert release.row_count == 7 and _pair(sessions, release, "29880", "29881")


def test_files_that_cannot_be_placed_are_refused(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    no_quarter = cms_files.write_ptp_txt(tmp_path / "ccipra-f1.txt")
    with pytest.raises(EditFileError, match="which quarter"), transaction(sessions) as session:
        ptp.import_ptp(session, [no_quarter])
    with transaction(sessions) as session:
        [done] = ptp.import_ptp(session, [no_quarter], period=Period(2026, 4))
    assert done.release.period == "2026Q4"
    no_setting = cms_files.write_ptp_txt(tmp_path / "edits-v323r0.txt")
    with pytest.raises(EditFileError, match="practitioner from outpatient hospital"), transaction(sessions) as s:
        ptp.import_ptp(s, [no_setting])
    not_ptp = tmp_path / "ccipra-v323r0-f1.csv"
    not_ptp.write_text("hello,world\r\n1,2\r\n")
    with pytest.raises(EditFileError, match="no header row"), transaction(sessions) as session:
        ptp.import_ptp(session, [not_ptp])
    broken_zip = tmp_path / "ccipra-v323r0.zip"
    broken_zip.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(EditFileError, match="damaged"), transaction(sessions) as session:
        ptp.import_ptp(session, [broken_zip])
