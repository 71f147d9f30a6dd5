"""Reading the MCD article export: the nested zip as downloaded, a folder of CSVs, and refusals that
name the file and line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from core.coverage.export import CoverageFileError, read_export
from tests.core.coverage import export_fixture as fx


def test_the_nested_zip_as_downloaded_is_read_and_joined(export_zip: Path) -> None:
    export = read_export(export_zip)
    assert export.exported == "2026-11-27"  # the latest end date in update_period.csv
    assert sorted(a.display_id for a in export.articles) == ["A54321", "A57326", "A58888"]  # retired one left out
    assert export.counts == {"articles": 3, "procedures": 7, "covered": 34, "noncovered": 4, "contractors": 3}
    assert export.skipped == 3  # the retired article's code and contractor rows, and an old version's code
    numbers = {c.key: c.number for c in export.contractors}
    assert sorted(numbers[key] for article_id, key in export.article_contractors if article_id == 57326) == \
        ["09102", "12502"]
    assert {c.number: c.kind for c in export.contractors}["09102"] == "A and B MAC"


def test_a_folder_of_the_csvs_reads_the_same(tmp_path: Path, export_zip: Path) -> None:
    folder = fx.write_folder(tmp_path / "csvs")
    assert read_export(folder).diagnoses == read_export(export_zip).diagnoses


def test_the_inner_zip_alone_is_accepted(tmp_path: Path) -> None:
    inner = tmp_path / "current_article_csv.zip"
    inner.write_bytes(fx.inner_zip())
    assert read_export(inner).counts["articles"] == 3


def test_groups_keep_the_articles_numbering_and_order(export_zip: Path) -> None:
    export = read_export(export_zip)
    group2 = [(d[3], d[4], d[6]) for d in export.diagnoses if d[0] == 57326 and d[1] and d[2] == 2]
    assert group2 == [(0, "R00.1", False), (1, "R55", True)]  # sort_order, not file order; R55 asterisked
    sizes = {(a, k, g): n for a, k, g, n in export.groups}
    assert sizes[(57326, "covered", 3)] == 25 and sizes[(57326, "noncovered", 1)] == 3


def test_range_rows_are_kept_as_codes_and_as_whole_ranges(export_zip: Path) -> None:
    export = read_export(export_zip)
    assert (57326, "covered", 1, "I48.0", "I48.91") in export.ranges
    assert (57326, "noncovered", 1, "Z01.810", "Z01.818") in export.ranges
    assert (57326, "procedure", 1, "93000", "93010") in export.ranges
    in_range = {d[4]: d[5] for d in export.diagnoses if d[0] == 57326 and d[1] and d[2] == 1}
    assert in_range == dict.fromkeys(("I48.0", "I48.11", "I48.19", "I48.20", "I48.91"), "I48.0-I48.91")


def test_a_part_state_region_counts_as_its_state_and_ended_jurisdictions_do_not(export_zip: Path) -> None:
    states = set(read_export(export_zip).contractor_states)
    assert ("360-1-1", "NY") in states  # "New York - Upstate" (UN)
    assert ("380-1-1", "FL") not in states  # Palmetto's Florida row ended in 2024


def test_a_row_with_a_missing_field_is_refused_with_its_file_and_line(tmp_path: Path) -> None:
    data = fx.tables()
    data["article_x_icd10_covered.csv"][1][6] = data["article_x_icd10_covered.csv"][1][6][:-1]
    with pytest.raises(CoverageFileError) as caught:
        read_export(fx.write_nested_zip(tmp_path, data))
    assert caught.value.file == "article_x_icd10_covered.csv" and caught.value.line == 8
    assert "9 fields; the header has 10" in str(caught.value)


def test_a_code_that_cannot_be_a_diagnosis_is_refused(tmp_path: Path) -> None:
    data = fx.tables()
    data["article_x_icd10_noncovered.csv"][1][0][2] = "ZZTOP"
    with pytest.raises(CoverageFileError, match=r"article_x_icd10_noncovered.csv, line 2: icd10_code_id is “ZZTOP”"):
        read_export(fx.write_nested_zip(tmp_path, data))


def test_a_missing_file_or_column_is_refused(tmp_path: Path) -> None:
    data = fx.tables()
    del data["state_lookup.csv"]
    with pytest.raises(CoverageFileError, match=r"state_lookup.csv: the file is missing"):
        read_export(fx.write_nested_zip(tmp_path, data))
    data = fx.tables()
    header, rows = data["article_x_hcpc_code.csv"]
    data["article_x_hcpc_code.csv"] = (tuple("grp" if c == "hcpc_code_group" else c for c in header), rows)
    with pytest.raises(CoverageFileError, match=r"article_x_hcpc_code.csv, line 1: no header row"):
        read_export(fx.write_folder(tmp_path / "f", data))


def test_a_link_to_an_unknown_contractor_is_refused(tmp_path: Path) -> None:
    data = fx.tables()
    data["article_x_contractor.csv"][1].append(fx.link(57326, 12, 999))
    with pytest.raises(CoverageFileError, match=r"line 7: contractor 999-1-1 is not in contractor.csv"):
        read_export(fx.write_nested_zip(tmp_path, data))


def test_something_that_is_not_the_export_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "current_article.zip"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(CoverageFileError, match="not a zip archive"):
        read_export(junk)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(CoverageFileError, match=r"holds neither current_article_csv.zip nor article.csv"):
        read_export(other)
