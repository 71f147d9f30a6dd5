"""Small CMS edit and fee files written in exactly the official layouts (../shared/data/cms/LAYOUTS.md),
for tests to import. Codes and numbers are made up; no AMA text is written."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl

PTP_PREAMBLE = ("CPT codes, descriptions and other data only are copyright 2025 American Medical Association. "
                "All Rights Reserved.\r\nApplicable FARS/DFARS Apply.\r\n\r\n")
PTP_HEADER = ["Column 1", "Column 2", "*=in existence prior to 1996", "Effective Date",
              "Deletion Date *=no data", "Modifier 0=not allowed 1=allowed 9=not applicable", "PTP Edit Rationale"]

# column 1, column 2, prior 1996, effective, deletion, modifier, rationale
PtpRow = tuple[str, str, str, str, str, str, str]

PRACTITIONER_ROWS: list[PtpRow] = [
    ("11102", "11103", "", "20190101", "*", "0", "Misuse of column two code with column one code"),
    ("29880", "29870", "*", "19960101", "*", "1", "Standards of medical / surgical practice"),
    ("29880", "29881", "", "20120101", "*", "1", "Mutually exclusive procedures"),
    ("29881", "29877", "", "20100101", "20210101", "9", "Standards of medical / surgical practice"),
    ("36415", "36416", "", "20150101", "20240101", "0", "CPT Manual or CMS manual coding instructions"),
    ("99214", "11102", "", "20260101", "*", "1", "Standards of medical / surgical practice"),
    ("99214", "96372", "", "20250101", "*", "1", "CPT Manual or CMS manual coding instructions"),
]


def ptp_text(rows: Sequence[PtpRow], *, wrapped_header: bool = False) -> str:
    lines = [PTP_PREAMBLE.rstrip("\r\n")]
    if wrapped_header:  # the text edition as CMS wraps it: the header runs over several lines
        lines.append("Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale")
        lines.append("\t\tprior to 1996\tDate\tDate\t0=not allowed")
        lines.append("\t\t\t\t*=no data\t1=allowed")
    else:
        lines.append("\t".join(PTP_HEADER))
    lines.extend("\t".join(row) for row in rows)
    return "\r\n".join(lines) + "\r\n"


def write_ptp_txt(path: Path, rows: Sequence[PtpRow] = PRACTITIONER_ROWS, *, wrapped_header: bool = False) -> Path:
    path.write_bytes(ptp_text(rows, wrapped_header=wrapped_header).encode())
    return path


def write_ptp_xlsx(path: Path, rows: Sequence[PtpRow] = PRACTITIONER_ROWS) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in PTP_PREAMBLE.split("\r\n")[:2]:
        sheet.append([line])
    sheet.append(PTP_HEADER)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def write_ptp_zip(path: Path, inner: str, rows: Sequence[PtpRow] = PRACTITIONER_ROWS) -> Path:
    """A zip as downloaded: the .txt, its .xlsx twin and a read-me."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{inner}.txt", ptp_text(rows))
        buffer = io.BytesIO()
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(PTP_HEADER)
        book.save(buffer)
        archive.writestr(f"{inner}.xlsx", buffer.getvalue())
        archive.writestr("README.pdf", b"%PDF-1.4 not a table")
    return path


MUE_ROWS = [("86357", "1", "3 Date of Service Edit: Clinical", "Nature of Service/Procedure"),
            ("J1885", "8", "3 Date of Service Edit: Clinical", "Clinical: Data"),
            ("11102", "1", "2 Date of Service Edit: Policy", "CMS Policy"),
            ("96372", "4", "1 Line Edit", "Clinical: CMS Workgroup"),
            ("99214", "1", "2 Date of Service Edit: Policy", "Code Descriptor / CPT Instruction")]


def write_mue_csv(path: Path, service: str = "Practitioner Services", rows: Sequence[Sequence[str]] = MUE_ROWS) -> Path:
    out = io.StringIO()
    out.write('"CPT codes, descriptions and other data only are copyright 2025 American Medical Association. '
              'All rights reserved."\r\n')
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["HCPCS/CPT Code", f"{service} MUE Values", "MUE Adjudication Indicator", "MUE Rationale"])
    writer.writerows(rows)
    path.write_text(out.getvalue())
    return path


AOC_HEADER = ["Add-on Code", "AOC Del Dt", "Primary Code", "Primary Code Del Dt", "AOC Edit Type",
              "AOC Edit Eff Dt", "AOC Edit Del Dt", "Special Instruction Notes"]
AOC_ROWS = [("11103", "*", "11102", "*", "1", "20190101", "*", ""),
            ("11103", "*", "11104", "*", "1", "20190101", "*", ""),
            ("99417", "*", "99205", "*", "1", "20210101", "*", ""),
            ("99417", "*", "99215", "*", "1", "20210101", "*", ""),
            ("0001U", "*", "CCCCC", "*", "2", "20200101", "*", "Contractor defined primary codes")]


def write_aoc_txt(path: Path, rows: Sequence[Sequence[str]] = AOC_ROWS) -> Path:
    lines = ["\t".join(AOC_HEADER)] + ["\t".join(row) for row in rows]
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


# By position: HCPCS, MOD, DESCRIPTION, STATUS, NOT USED, WORK, NF PE, NF NA, F PE, F NA, MP, NF TOTAL,
# F TOTAL, PCTC, GLOB, PRE, INTRA, POST, MULT, BILAT, ASST, CO, TEAM, ENDO, CONV FACTOR, then 6 more.
RVU_ROWS = [
    ["99214", "", "Office visit est", "A", "", "1.92", "1.50", "", "0.77", "", "0.13", "3.55", "2.82", "0", "XXX",
     "0", "0", "0", "0", "0", "0", "0", "0", "", "33.4009", "", "", "", "", "", ""],
    ["11102", "", "Tangntl bx skin single les", "A", "", "0.66", "2.10", "", "0.37", "", "0.07", "2.83", "1.10",
     "0", "000", "0", "0", "0", "2", "0", "1", "0", "0", "", "33.4009", "", "", "", "", "", ""],
    ["71046", "", "X-ray exam chest 2 views", "A", "", "0.22", "0.70", "", "0.00", "NA", "0.02", "0.94", "0.00", "1",
     "XXX", "0", "0", "0", "4", "0", "9", "9", "9", "", "33.4009", "", "", "", "", "", ""],
    ["71046", "26", "X-ray exam chest 2 views", "A", "", "0.22", "0.09", "", "0.09", "", "0.02", "0.33", "0.33",
     "1", "XXX", "0", "0", "0", "4", "0", "9", "9", "9", "", "33.4009", "", "", "", "", "", ""],
    ["36415", "", "Routine venipuncture", "X", "", "0.00", "0.00", "", "0.00", "", "0.00", "0.00", "0.00", "9",
     "XXX", "0", "0", "0", "9", "9", "9", "9", "9", "", "33.4009", "", "", "", "", "", ""],
    ["99420", "", "Deleted code", "D", "", "0.00", "0.00", "", "0.00", "", "0.00", "0.00", "0.00", "9",
     "XXX", "0", "0", "0", "9", "9", "9", "9", "9", "", "33.4009", "", "", "", "", "", ""],
]
RVU_HEADER = ["HCPCS", "MOD", "DESCRIPTION", "STATUS CODE", "NOT USED FOR MEDICARE PAYMENT", "WORK RVU",
              "NON-FAC PE RVU", "NON-FAC NA INDICATOR", "FACILITY PE RVU", "FACILITY NA INDICATOR", "MP RVU",
              "NON-FACILITY TOTAL", "FACILITY TOTAL", "PCTC IND", "GLOB DAYS", "PRE OP", "INTRA OP", "POST OP",
              "MULT PROC", "BILAT SURG", "ASST SURG", "CO- SURG", "TEAM SURG", "ENDO BASE", "CONV FACTOR",
              "PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES", "CALCULATION FLAG",
              "DIAGNOSTIC IMAGING FAMILY INDICATOR",
              "NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT", "FACILITY PE USED FOR OPPS PAYMENT AMOUNT",
              "MP USED FOR OPPS PAYMENT AMOUNT"]


def write_rvu_csv(path: Path, rows: Sequence[Sequence[str]] = RVU_ROWS, factor: str = "33.4009") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    preamble = ["2026 National Physician Fee Schedule Relative Value File January Release",
                "CPT codes and descriptions only are copyright 2025 American Medical Association.", "",
                "Dental codes (D codes) are copyright 2025 American Dental Association.", "", "", "", "", ""]
    for line in preamble:  # 9 preamble lines, the header on line 10
        writer.writerow([line] + [""] * 5)
    writer.writerow(RVU_HEADER)
    for row in rows:
        writer.writerow([*row[:24], factor, *row[25:]])
    path.write_text(out.getvalue())
    return path


GPCI_ROWS = [("10112", "AL", "00", "ALABAMA", "1.000", "0.869", "0.575"),
             ("09102", "FL", "03", "FORT LAUDERDALE", "1.000", "1.014", "1.763"),
             ("09102", "FL", "04", "MIAMI", "1.000", "1.057", "2.459"),
             ("09102", "FL", "99", "REST OF FLORIDA", "1.000", "0.941", "1.514"),
             ("01182", "CA", "18", "LOS ANGELES-LONG BEACH-ANAHEIM (LOS ANGELES CNTY)", "1.046", "1.189", "0.642")]


def write_gpci_csv(path: Path, rows: Sequence[Sequence[str]] = GPCI_ROWS, year: int = 2026) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"Addendum E. Final CY {year} Geographic Practice Cost Indices (GPCIs) by State and "
                     "Medicare Locality", "", "", "", "", "", ""])
    writer.writerow(["Medicare Administrative Contractor (MAC)", "State", "Locality Number", "Locality Name",
                     f"{year} PW GPCI (with 1.0 Floor)", f"{year} PE GPCI", f"{year} MP GPCI"])
    writer.writerows(rows)
    path.write_text(out.getvalue())
    return path
