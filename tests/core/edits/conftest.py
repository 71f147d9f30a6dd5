"""A database with a quarter of every edit and fee file imported from the layout fixtures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.edits import imports
from tests.core.edits import cms_files

TODAY = date(2026, 11, 15)


@dataclass
class Loaded:
    sessions: sessionmaker[Session]
    folder: Path


def load_all(sessions: sessionmaker[Session], folder: Path) -> Loaded:
    imports.import_ncci(sessions, [cms_files.write_ptp_txt(folder / "ccipra-v323r0-f1.txt")])
    imports.import_ncci(sessions, [cms_files.write_ptp_txt(
        folder / "ccioph-v323r0-f1.txt", [("99214", "96372", "", "20250101", "*", "0", "Hospital rationale")])])
    imports.import_mue(sessions, cms_files.write_mue_csv(folder / "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"))
    imports.import_mue(sessions, cms_files.write_mue_csv(
        folder / "MCR_MUE_OutpatientHospitalServices_Eff_10-01-2026.csv", "Outpatient Hospital Services",
        [("86357", "2", "3 Date of Service Edit: Clinical", "Clinical: Data")]))
    imports.import_aoc(sessions, cms_files.write_aoc_txt(folder / "AOC_V2026Q4_01-MCR.txt"))
    imports.import_rvu(sessions, cms_files.write_rvu_csv(folder / "PPRRVU2026_Oct_nonQPP.csv"))
    imports.import_rvu(sessions, cms_files.write_rvu_csv(folder / "PPRRVU2026_Oct_QPP.csv", factor="33.5675"))
    imports.import_gpci(sessions, cms_files.write_gpci_csv(folder / "GPCI2026.csv"))
    return Loaded(sessions, folder)


@pytest.fixture
def loaded(sessions: sessionmaker[Session], tmp_path: Path) -> Loaded:
    return load_all(sessions, tmp_path)
