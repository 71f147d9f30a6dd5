"""A small MCD article export in exactly the official layout: quoted CSVs with the export's own
headers, zipped as current_article_csv.zip inside current_article.zip. Tests change the tables
before writing them to make a damaged export.

Three current articles list 93000: A57326 (First Coast 09102 in FL, Novitas 12502 in PA and part of
New York) with covered groups 1-3 (group 1 written as the range I48.0-I48.91, group 3 long enough
for two pages) and non-covered Z00.00 and Z01.810-Z01.818 (only the ends listed); A54321 (Palmetto
11202 in SC); and A58888, which lists no diagnoses. A retired article and a row of an article
version the export does not carry are left out.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

ARTICLE_COLUMNS = (
    "article_id", "article_version", "article_type", "title", "article_pub_date", "article_eff_date",
    "article_end_date", "description", "other_comments", "sad_url", "status", "last_updated", "history_exp",
    "key_article", "icd9_covered_para", "icd9_noncovered_para", "revenue_para", "thirty_percent",
    "article_rev_end_date", "source_article_id", "date_retired", "keywords", "icd10_doc", "add_icd10_info",
    "cms_cov_policy", "display_id", "reference_article")
HCPC_COLUMNS = ("article_id", "article_version", "hcpc_code_id", "hcpc_code_version", "hcpc_code_group", "range",
                "last_updated", "long_description", "short_description")
COVERED_COLUMNS = ("article_id", "article_version", "icd10_code_id", "icd10_code_version", "icd10_covered_group",
                   "range", "last_updated", "sort_order", "description", "asterisk")
NONCOVERED_COLUMNS = ("article_id", "article_version", "icd10_code_id", "icd10_code_version",
                      "icd10_noncovered_group", "range", "last_updated", "sort_order", "description")
ARTICLE_CONTRACTOR_COLUMNS = ("article_id", "article_version", "article_type", "contractor_id",
                              "contractor_type_id", "contractor_version", "last_updated")
CONTRACTOR_COLUMNS = (
    "contractor_id", "contractor_type_id", "contractor_version", "contractor_bus_name", "contractor_number",
    "dmerc_rgn", "address1", "address2", "address3", "city", "state_id", "zipcode", "phone", "fax", "status",
    "last_updated", "url", "email", "ignore", "status_flag", "cmd_name", "cmd_title", "contractor_subtype_id")
JURISDICTION_COLUMNS = ("contractor_id", "contractor_type_id", "contractor_version", "state_id", "last_updated",
                        "active_date", "term_date")
STATE_COLUMNS = ("state_id", "state_abbrev", "description")
TYPE_COLUMNS = ("contractor_type_id", "description")
PERIOD_COLUMNS = ("period_id", "begin_date", "dis_end_date")

UPDATED = "2026-11-20 08:00:00"
LONG_GROUP = ("I10", "I11.0", "I11.9", "I12.0", "I12.9", "I13.0", "I13.10", "I13.11", "I13.2", "I15.0", "I15.1",
              "I15.2", "I15.8", "I15.9", "I16.0", "I16.1", "I16.9", "I20.0", "I20.1", "I20.9", "I21.01", "I21.02",
              "I21.09", "I21.11", "I21.19")


def _row(columns: tuple[str, ...], **values: str) -> list[str]:
    unknown = set(values) - set(columns)
    assert not unknown, unknown
    return [values.get(c, "") for c in columns]


def article(article_id: int, version: int, title: str, **extra: str) -> list[str]:
    return _row(ARTICLE_COLUMNS, article_id=str(article_id), article_version=str(version), article_type="1",
                title=title, article_pub_date="2026-10-01", article_eff_date="2026-10-01", status="A",
                last_updated=UPDATED, display_id=f"A{article_id}", **extra)


def hcpc(article_id: int, version: int, code: str, group: int, range_: str = "N") -> list[str]:
    # The export carries the AMA's descriptors here; the fixture uses a placeholder instead.
    return _row(HCPC_COLUMNS, article_id=str(article_id), article_version=str(version), hcpc_code_id=code,
                hcpc_code_version="1", hcpc_code_group=str(group), range=range_, last_updated=UPDATED,
                long_description="(descriptor)", short_description="(descriptor)")


def covered(article_id: int, version: int, code: str, group: int, sort: int, range_: str = "N",
            asterisk: str = "N") -> list[str]:
    return _row(COVERED_COLUMNS, article_id=str(article_id), article_version=str(version), icd10_code_id=code,
                icd10_code_version="1", icd10_covered_group=str(group), range=range_, last_updated=UPDATED,
                sort_order=str(sort), description="(title)", asterisk=asterisk)


def noncovered(article_id: int, version: int, code: str, group: int, sort: int, range_: str = "N") -> list[str]:
    return _row(NONCOVERED_COLUMNS, article_id=str(article_id), article_version=str(version), icd10_code_id=code,
                icd10_code_version="1", icd10_noncovered_group=str(group), range=range_, last_updated=UPDATED,
                sort_order=str(sort), description="(title)")


def link(article_id: int, version: int, contractor_id: int) -> list[str]:
    return _row(ARTICLE_CONTRACTOR_COLUMNS, article_id=str(article_id), article_version=str(version),
                article_type="1", contractor_id=str(contractor_id), contractor_type_id="1", contractor_version="1",
                last_updated=UPDATED)


def contractor(contractor_id: int, name: str, number: str) -> list[str]:
    return _row(CONTRACTOR_COLUMNS, contractor_id=str(contractor_id), contractor_type_id="1",
                contractor_version="1", contractor_bus_name=name, contractor_number=number, status="A",
                last_updated=UPDATED)


def serves(contractor_id: int, state_id: int, term_date: str = "") -> list[str]:
    return _row(JURISDICTION_COLUMNS, contractor_id=str(contractor_id), contractor_type_id="1",
                contractor_version="1", state_id=str(state_id), last_updated=UPDATED, active_date="2020-01-01",
                term_date=term_date)


def tables() -> dict[str, tuple[tuple[str, ...], list[list[str]]]]:
    """File name -> (header, rows). Change them, then `write_nested_zip` or `write_folder`."""
    long_group = [covered(57326, 12, code, 3, i + 1) for i, code in enumerate(LONG_GROUP)]
    return {
        "article.csv": (ARTICLE_COLUMNS, [
            article(57326, 12, "Billing and Coding: Electrocardiography"),
            article(54321, 3, "Billing and Coding: Ambulatory Heart Rhythm Monitoring"),
            article(58888, 1, "Billing and Coding: Screening Tests Without Diagnosis Limits"),
            article(50001, 2, "Billing and Coding: A Retired Article", date_retired="2025-01-01"),
        ]),
        "article_x_hcpc_code.csv": (HCPC_COLUMNS, [
            hcpc(57326, 12, "93000", 1, "B"), hcpc(57326, 12, "93005", 1, "M"), hcpc(57326, 12, "93010", 1, "E"),
            hcpc(54321, 3, "93000", 1), hcpc(54321, 3, "93224", 1), hcpc(54321, 3, "G0121", 2),
            hcpc(58888, 1, "93000", 1),
            hcpc(50001, 2, "93000", 1),  # retired
            hcpc(57326, 11, "99999", 1),  # an older version the export does not carry
        ]),
        "article_x_icd10_covered.csv": (COVERED_COLUMNS, [
            covered(57326, 12, "I48.0", 1, 1, "B"), covered(57326, 12, "I48.11", 1, 2, "M"),
            covered(57326, 12, "I48.19", 1, 3, "M"), covered(57326, 12, "I48.20", 1, 4, "M"),
            covered(57326, 12, "I48.91", 1, 5, "E"),
            covered(57326, 12, "R55", 2, 2, asterisk="Y"), covered(57326, 12, "R00.1", 2, 1),
            *long_group,
            covered(54321, 3, "R00.2", 1, 1), covered(54321, 3, "I48.91", 1, 2),
        ]),
        "article_x_icd10_noncovered.csv": (NONCOVERED_COLUMNS, [
            noncovered(57326, 12, "Z00.00", 1, 1),
            noncovered(57326, 12, "Z01.810", 1, 2, "B"), noncovered(57326, 12, "Z01.818", 1, 3, "E"),
            noncovered(54321, 3, "Z00.00", 1, 1),
        ]),
        "article_x_contractor.csv": (ARTICLE_CONTRACTOR_COLUMNS, [
            link(57326, 12, 370), link(57326, 12, 360), link(54321, 3, 380), link(58888, 1, 380),
            link(50001, 2, 370),
        ]),
        "contractor.csv": (CONTRACTOR_COLUMNS, [
            contractor(370, "First Coast Service Options, Inc.", "09102"),
            contractor(360, "Novitas Solutions, Inc.", "12502"),
            contractor(380, "Palmetto GBA", "11202"),
        ]),
        "contractor_jurisdiction.csv": (JURISDICTION_COLUMNS, [
            serves(370, 10), serves(360, 39), serves(360, 65), serves(380, 41), serves(380, 10, "2024-06-30"),
        ]),
        "state_lookup.csv": (STATE_COLUMNS, [
            ["10", "FL", "Florida"], ["39", "PA", "Pennsylvania"], ["41", "SC", "South Carolina"],
            ["33", "NY", "New York"], ["65", "UN", "New York - Upstate"],
        ]),
        "contractor_type_lookup.csv": (TYPE_COLUMNS, [["1", "A and B MAC"]]),
        "update_period.csv": (PERIOD_COLUMNS, [["1219", "2026-11-13 00:00:00", "2026-11-20 00:00:00"],
                                               ["1220", "2026-11-20 00:00:00", "2026-11-27 00:00:00"]]),
    }


def csv_bytes(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def inner_zip(data: dict[str, tuple[tuple[str, ...], list[list[str]]]] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in (data or tables()).items():
            archive.writestr(name, csv_bytes(header, rows))
    return buffer.getvalue()


def write_nested_zip(folder: Path, data: dict[str, tuple[tuple[str, ...], list[list[str]]]] | None = None) -> Path:
    """current_article.zip as downloaded: a readme and current_article_csv.zip."""
    path = folder / "current_article.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("current_article_csv.zip", inner_zip(data))
        archive.writestr("readme_first.txt", "Medicare Coverage Database article export (test).\r\n")
    return path


def write_folder(folder: Path, data: dict[str, tuple[tuple[str, ...], list[list[str]]]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in (data or tables()).items():
        (folder / name).write_bytes(csv_bytes(header, rows))
    return folder
