"""Tests for core/codes/sources/hcpcs.py: reading the CMS HCPCS Level II alpha-numeric file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.codes.record import CodeRecord, RecordKind, System
from core.codes.sources.hcpcs import HcpcsFileError, HcpcsImport, read_hcpcs

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "hcpcs_2020_sample.txt"
# The real CMS files live beside the project (../shared), never inside it.
PROJECT_ROOT = Path(__file__).resolve().parents[4]
CMS_DATA = PROJECT_ROOT.parent / "shared" / "data" / "cms"
REAL_2019_TXT = CMS_DATA / "hcpcs-2019" / "HCPC2019_CONTR_ANWEB.txt"
REAL_2019_XLSX = CMS_DATA / "hcpcs-2019" / "HCPC2019_CONTR_ANWEB.xlsx"
REAL_2020_TXT = CMS_DATA / "hcpcs-2020" / "HCPC2020_ANWEB_w_disclaimer.txt"

# Line numbers of the sample's records (lines 1-5 are its preamble).
GA_FIRST, GA_MORE, LT_LINE, A0021_LINE, C9899_LINE = 6, 7, 8, 9, 10
G0999_FIRST, G0999_SECOND, G0999_THIRD, G0001_LINE, J1885_LINE = 11, 12, 13, 14, 15


def by_code(result: HcpcsImport) -> dict[str, CodeRecord]:
    return {record.code: record for record in result.records}


def sample_lines() -> list[str]:
    return SAMPLE.read_bytes().decode("latin-1").split("\n")


def write_lines(tmp_path: Path, lines: list[str], name: str = "hcpcs_2020_sample.txt") -> Path:
    path = tmp_path / name
    path.write_bytes("\n".join(lines).encode("latin-1"))
    return path


def set_columns(line: str, column: int, text: str) -> str:
    """Overwrite a line starting at 1-based `column`, as the CMS layout numbers columns."""
    line = line.ljust(column - 1 + len(text))
    return line[: column - 1] + text + line[column - 1 + len(text) :]


def read_damaged(tmp_path: Path, lines: list[str]) -> HcpcsFileError:
    with pytest.raises(HcpcsFileError) as caught:
        read_hcpcs(write_lines(tmp_path, lines))
    return caught.value


def real_file(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real CMS file not available: {path} (the shared data folder ../shared is absent)")
    return path


# --- the sample fixture ------------------------------------------------------------------------


def test_sample_reads_procedures_and_modifiers_past_the_preamble() -> None:
    result = read_hcpcs(SAMPLE)

    assert [r.code for r in result.records] == [
        "GA", "LT", "A0021", "C9899", "G0999", "G0001", "J1885", "J9045", "P3000",
    ]
    assert result.code_count == 7
    assert result.modifier_count == 2
    assert result.version == "2020"
    assert result.source == "CMS HCPCS Level II alpha-numeric file (hcpcs_2020_sample.txt)"
    for record in result.records:
        assert record.system is System.HCPCS
        assert record.version == "2020"
        assert record.source == result.source


def test_procedure_record_carries_titles_dates_and_labelled_facts() -> None:
    j1885 = read_hcpcs(SAMPLE).records[6]

    assert j1885.code == "J1885"
    assert j1885.kind is RecordKind.CODE
    assert j1885.title == "Ketorolac tromethamine inj"
    assert j1885.description == "Injection, ketorolac tromethamine, per 15 mg"
    assert j1885.section.startswith("Drugs given other than by mouth")
    assert j1885.billable is True
    assert j1885.effective == date(1993, 1, 1)
    assert j1885.terminated is None
    assert j1885.attribute("Coverage") == "D - special coverage instructions apply"
    assert j1885.attribute("BETOS") == "O1E"
    assert j1885.attribute("Action") == "N - no change"
    assert j1885.attribute("Action effective") == "1997-01-01"
    assert j1885.attribute("Pricing indicator") == "51 - drugs"
    assert j1885.attribute("Multiple pricing") == "A - not applicable: one pricing method"
    assert j1885.attribute("Type of service") == (
        "1 - medical care; P - lump-sum purchase of DME, prosthetics or orthotics"
    )
    assert j1885.attribute("Medicare Carriers Manual") == "2049"
    assert j1885.attribute("Lab certification") is None  # only present when the file has one


def test_long_descriptions_are_joined_across_continuation_lines() -> None:
    records = by_code(read_hcpcs(SAMPLE))

    assert records["G0999"].description == (
        "Remote review of a home exercise programme by clinical staff, including setting up the "
        "monitor, reading the results the patient sends from home, and a written report to the "
        "treating practitioner, each 30 days"
    )
    assert records["GA"].description == (
        "Waiver of liability statement issued as required by payer policy, individual case, on file "
        "with the supplier"
    )


def test_modifiers_are_their_own_kind_and_section() -> None:
    ga = read_hcpcs(SAMPLE).records[0]

    assert (ga.code, ga.kind, ga.title) == ("GA", RecordKind.MODIFIER, "Waiver of liability on file")
    assert ga.section == "HCPCS Level II modifiers"
    assert ga.billable is False
    assert ga.effective == date(2002, 7, 1)
    assert ga.attribute("Coverage") == "C - carrier judgment (the Medicare contractor decides)"


def test_terminated_code_keeps_its_termination_date() -> None:
    g0001 = by_code(read_hcpcs(SAMPLE))["G0001"]

    assert g0001.terminated == date(2018, 12, 31)
    assert g0001.billable is True
    assert g0001.attribute("Action") == "D - code discontinued"


def test_sections_follow_the_first_letter_and_split_j_codes_at_chemotherapy() -> None:
    records = by_code(read_hcpcs(SAMPLE))

    assert records["A0021"].section.startswith("Transport, medical and surgical supplies")
    assert records["J9045"].section == "Chemotherapy drugs (J8501-J9999)"
    assert records["P3000"].section.startswith("Pathology and laboratory")


def test_lab_certification_cross_reference_and_asc_facts_when_present() -> None:
    records = by_code(read_hcpcs(SAMPLE))

    assert records["P3000"].attribute("Lab certification") == "630 - cytology"
    assert records["A0021"].attribute("Cross-reference") == "A0030"
    assert records["C9899"].attribute("ASC payment group") == (
        "YY - approved for ambulatory surgical centers (from 2019-01-01)"
    )


def test_latin1_byte_is_read_as_e_acute() -> None:
    assert b"Derm\xe9" in SAMPLE.read_bytes()
    c9899 = by_code(read_hcpcs(SAMPLE))["C9899"]

    assert c9899.description == "Implantable dermal mesh, Dermé brand, per square centimeter"
    assert c9899.title == "Dermé dermal mesh per sq cm"


def test_crlf_file_gives_the_same_records(tmp_path: Path) -> None:
    crlf = tmp_path / SAMPLE.name
    crlf.write_bytes(SAMPLE.read_bytes().replace(b"\n", b"\r\n"))

    assert read_hcpcs(crlf) == read_hcpcs(SAMPLE)


def test_blank_lines_and_trailing_whitespace_between_records_are_ignored(tmp_path: Path) -> None:
    lines = sample_lines()
    lines.insert(LT_LINE - 1, "      \t ")
    lines[J1885_LINE] = lines[J1885_LINE].rstrip() + "      "

    assert read_hcpcs(write_lines(tmp_path, lines)) == read_hcpcs(SAMPLE)


def test_byte_0x85_does_not_split_a_line(tmp_path: Path) -> None:
    # 0x85 is a line break to str.splitlines once decoded; in a CMS file it is just a character.
    lines = sample_lines()
    lines[J1885_LINE - 1] = set_columns(lines[J1885_LINE - 1], 21, "\x85")  # the comma after "Injection"

    j1885 = by_code(read_hcpcs(write_lines(tmp_path, lines)))["J1885"]

    # Unicode counts NEL as whitespace, so it reads as a space; the fields after it stay in place.
    assert j1885.description == "Injection ketorolac tromethamine, per 15 mg"
    assert (j1885.title, j1885.attribute("BETOS")) == ("Ketorolac tromethamine inj", "O1E")


def test_version_falls_back_to_the_latest_added_or_effective_year(tmp_path: Path) -> None:
    renamed = tmp_path / "hcpcs.txt"
    renamed.write_bytes(SAMPLE.read_bytes())

    assert read_hcpcs(renamed).version == "2019"


def test_progress_reports_lines_read_up_to_the_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    read_hcpcs(SAMPLE, progress=lambda done, total: calls.append((done, total)))

    assert calls[-1] == (18, 18)
    assert all(done <= total for done, total in calls)


# --- damaged files -----------------------------------------------------------------------------


def test_invalid_record_identification_code(tmp_path: Path) -> None:
    lines = sample_lines()
    lines[J1885_LINE - 1] = set_columns(lines[J1885_LINE - 1], 11, "5")

    error = read_damaged(tmp_path, lines)

    assert error.line == J1885_LINE
    assert "record identification code '5'" in error.reason
    assert str(error).startswith(f"hcpcs_2020_sample.txt, line {J1885_LINE}: ")


def test_code_that_is_not_a_hcpcs_code(tmp_path: Path) -> None:
    lines = sample_lines()
    lines[J1885_LINE - 1] = set_columns(lines[J1885_LINE - 1], 1, "J18X5")

    error = read_damaged(tmp_path, lines)

    assert error.line == J1885_LINE
    assert error.reason == "code 'J18X5' is not a HCPCS Level II code (a letter and four digits)"


def test_modifier_outside_columns_4_and_5(tmp_path: Path) -> None:
    lines = sample_lines()
    lines[LT_LINE - 1] = set_columns(lines[LT_LINE - 1], 1, "LT   ")

    error = read_damaged(tmp_path, lines)

    assert error.line == LT_LINE
    assert "columns 4-5" in error.reason


def test_continuation_line_for_a_code_that_never_started(tmp_path: Path) -> None:
    lines = sample_lines()
    lines.insert(J1885_LINE, "B4034002004more words for a record that has no first line")

    error = read_damaged(tmp_path, lines)

    assert error.line == J1885_LINE + 1
    assert error.reason == (
        "continuation line for B4034, but no procedure record for B4034 starts above it"
    )


def test_continuation_line_whose_first_line_is_missing(tmp_path: Path) -> None:
    lines = sample_lines()
    del lines[G0999_FIRST - 1]

    error = read_damaged(tmp_path, lines)

    assert error.line == G0999_FIRST  # the old second line moved up one
    assert "continuation line for G0999" in error.reason


def test_continuation_sequence_numbers_must_increase(tmp_path: Path) -> None:
    lines = sample_lines()
    lines[G0999_THIRD - 1] = set_columns(lines[G0999_THIRD - 1], 6, "00200")

    error = read_damaged(tmp_path, lines)

    assert error.line == G0999_THIRD
    assert error.reason == "sequence number 200 for G0999 does not come after the previous 200"


def test_sequence_number_that_is_not_a_number(tmp_path: Path) -> None:
    lines = sample_lines()
    lines[G0999_SECOND - 1] = set_columns(lines[G0999_SECOND - 1], 6, "002O0")

    error = read_damaged(tmp_path, lines)

    assert error.line == G0999_SECOND
    assert error.reason == "sequence number '002O0' for G0999 is not a number"


def test_invalid_date(tmp_path: Path) -> None:
    lines = sample_lines()
    lines[J1885_LINE - 1] = set_columns(lines[J1885_LINE - 1], 269, "19931301")

    error = read_damaged(tmp_path, lines)

    assert error.line == J1885_LINE
    assert error.reason == "added date '19931301' for J1885 is not a valid date (YYYYMMDD)"


def test_non_digit_termination_date(tmp_path: Path) -> None:
    lines = sample_lines()
    lines[G0001_LINE - 1] = set_columns(lines[G0001_LINE - 1], 285, "2018I231")

    error = read_damaged(tmp_path, lines)

    assert error.line == G0001_LINE
    assert "termination date '2018I231'" in error.reason


def test_same_code_twice(tmp_path: Path) -> None:
    lines = sample_lines()
    lines.insert(J1885_LINE, lines[J1885_LINE - 1])

    error = read_damaged(tmp_path, lines)

    assert error.line == J1885_LINE + 1
    assert error.reason == f"J1885 starts again (its record began on line {J1885_LINE})"


def test_text_after_the_records_is_not_silently_skipped(tmp_path: Path) -> None:
    lines = [*sample_lines(), "End of file. Questions? Write to the HCPCS team."]

    error = read_damaged(tmp_path, lines)

    assert error.line == len(lines)


def test_line_longer_than_a_record(tmp_path: Path) -> None:
    lines = sample_lines()
    lines[A0021_LINE - 1] = lines[A0021_LINE - 1].ljust(320) + "EXTRA"

    error = read_damaged(tmp_path, lines)

    assert error.line == A0021_LINE
    assert error.reason == "line has 325 characters; a record has 320"


def test_file_with_only_a_preamble(tmp_path: Path) -> None:
    error = read_damaged(tmp_path, sample_lines()[:5])

    assert error.line == 0
    assert str(error) == "hcpcs_2020_sample.txt: no HCPCS procedure or modifier records found"


def test_old_binary_xls_is_refused_with_a_way_out(tmp_path: Path) -> None:
    path = tmp_path / "HCPC2019.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)

    with pytest.raises(HcpcsFileError, match=r"save it as \.xlsx"):
        read_hcpcs(path)


def test_damaged_xlsx_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "HCPC2019.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")

    with pytest.raises(HcpcsFileError, match=r"not a readable \.xlsx workbook"):
        read_hcpcs(path)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(tail=st.binary(max_size=400), cut=st.integers(min_value=0, max_value=4000))
def test_arbitrary_bytes_never_crash_the_reader(tmp_path: Path, tail: bytes, cut: int) -> None:
    data = SAMPLE.read_bytes()[:cut] + tail
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)

    try:
        result = read_hcpcs(path)
    except HcpcsFileError as error:
        assert error.reason
    else:
        assert result.records


# --- the Excel edition -------------------------------------------------------------------------

# A shuffled subset of the real header, so the reader must find columns by name, not position.
XLSX_HEADER = [
    "RECID", "HCPC", "SEQNUM", "SHORT DESCRIPTION", "LONG DESCRIPTION", "ACTION CD", "PRICE1",
    "PRICE2", "MULT_PI", "COV", "BETOS", "TOS1", "TOS2", "MCM1", "ADD DT", "ACT EFF DT", "TERM DT",
]


def xlsx_row(**values: object) -> list[object]:
    return [values.get(name.replace(" ", "_")) for name in XLSX_HEADER]


def write_xlsx(tmp_path: Path, rows: list[list[object]], name: str = "HCPC2020_sample.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["***Disclaimers"])
    sheet.append([])
    sheet.append(["*Listing a code here says nothing about coverage."])
    sheet.append(XLSX_HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def sample_xlsx_rows() -> list[list[object]]:
    return [
        xlsx_row(RECID="7", HCPC="   GA", SEQNUM="0010", SHORT_DESCRIPTION="Waiver of liability on file",
                 LONG_DESCRIPTION="Waiver of liability statement issued as required by payer policy,",
                 COV="C", ADD_DT="20020701", ACT_EFF_DT=20190101, ACTION_CD="N"),
        # CMS splits an over-long description onto a RECID 4/8 row in the workbook too.
        xlsx_row(RECID="8", HCPC="   GA", SEQNUM="0020",
                 LONG_DESCRIPTION="individual case, on file with the supplier"),
        xlsx_row(RECID="3", HCPC="J1885", SEQNUM="0010", SHORT_DESCRIPTION="Ketorolac tromethamine inj",
                 LONG_DESCRIPTION="Injection, ketorolac tromethamine, per 15 mg", PRICE1="51", MULT_PI="A",
                 MCM1="2049", COV="D", BETOS="O1E", TOS1="1", TOS2="P", ADD_DT=19930101,
                 ACT_EFF_DT="19970101", ACTION_CD="N"),
        [],
        xlsx_row(RECID="3", HCPC="G0001", SEQNUM="0010", SHORT_DESCRIPTION="Drawing blood for specimen",
                 LONG_DESCRIPTION="Routine venipuncture for collection of specimen(s)", PRICE1="00",
                 MULT_PI="9", COV="I", BETOS="T1A", TOS1="5", ADD_DT="19850101", ACT_EFF_DT="20190101",
                 TERM_DT="20181231", ACTION_CD="D"),
    ]


def test_xlsx_maps_columns_by_header_name_and_matches_the_text_edition(tmp_path: Path) -> None:
    result = read_hcpcs(write_xlsx(tmp_path, sample_xlsx_rows()))
    text_records = by_code(read_hcpcs(SAMPLE))

    assert [r.code for r in result.records] == ["GA", "J1885", "G0001"]
    assert (result.code_count, result.modifier_count, result.version) == (2, 1, "2020")
    assert result.source == "CMS HCPCS Level II alpha-numeric file (HCPC2020_sample.xlsx)"
    for record in result.records:
        assert replace(record, source="") == replace(text_records[record.code], source="")


def test_xlsx_is_detected_by_content_whatever_the_suffix(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, sample_xlsx_rows())
    disguised = path.rename(tmp_path / "HCPC2020_download.bin")

    assert read_hcpcs(disguised).code_count == 2


def test_xlsx_damaged_row_names_its_row(tmp_path: Path) -> None:
    rows = sample_xlsx_rows()
    rows[2][XLSX_HEADER.index("HCPC")] = "J18 5"

    with pytest.raises(HcpcsFileError) as caught:
        read_hcpcs(write_xlsx(tmp_path, rows))

    assert caught.value.line == 7  # 4 rows of preamble and header, then GA, GA, J1885
    assert caught.value.reason.startswith("code 'J18 5' is not a HCPCS Level II code")


def test_xlsx_without_the_needed_header(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["HCPC", "RECID", "SHORT DESCRIPTION"])
    sheet.append(["J1885", "3", "Ketorolac tromethamine inj"])
    path = tmp_path / "HCPC2020.xlsx"
    workbook.save(path)

    with pytest.raises(HcpcsFileError) as caught:
        read_hcpcs(path)

    assert caught.value.line == 1
    assert caught.value.reason == "header row has no LONG DESCRIPTION column"


# --- the real CMS files (../shared/data/cms) -----------------------------------------------------


@pytest.fixture(scope="module")
def real_2019_txt() -> HcpcsImport:
    return read_hcpcs(real_file(REAL_2019_TXT))


@pytest.fixture(scope="module")
def real_2020_txt() -> HcpcsImport:
    return read_hcpcs(real_file(REAL_2020_TXT))


def test_real_2019_text_file_counts(real_2019_txt: HcpcsImport) -> None:
    assert real_2019_txt.code_count == 6440
    assert real_2019_txt.modifier_count == 360
    assert real_2019_txt.version == "2019"


def test_real_2020_text_file_counts(real_2020_txt: HcpcsImport) -> None:
    assert real_2020_txt.code_count == 6710
    assert real_2020_txt.modifier_count == 369
    assert real_2020_txt.version == "2020"


def test_real_2020_ketorolac(real_2020_txt: HcpcsImport) -> None:
    j1885 = by_code(real_2020_txt)["J1885"]

    assert "ketorolac" in j1885.title.lower()
    assert j1885.description == "Injection, ketorolac tromethamine, per 15 mg"
    assert j1885.kind is RecordKind.CODE
    assert j1885.attribute("BETOS") == "O1E"


def test_real_2020_long_description_spans_many_lines(real_2020_txt: HcpcsImport) -> None:
    g0503 = by_code(real_2020_txt)["G0503"]

    assert g0503.description.startswith("Subsequent psychiatric collaborative care management")
    assert g0503.description.endswith("and are prepared for discharge from active treatment")
    assert "  " not in g0503.description


def test_real_2019_xlsx_agrees_with_the_text_file(real_2019_txt: HcpcsImport) -> None:
    workbook = read_hcpcs(real_file(REAL_2019_XLSX))

    assert (workbook.code_count, workbook.modifier_count) == (6440, 360)
    text = {r.code: r for r in real_2019_txt.records}
    assert [r.code for r in workbook.records] == list(text)
    for record in workbook.records:
        twin = text[record.code]
        assert (record.kind, record.title, record.description) == (twin.kind, twin.title, twin.description)
        assert (record.effective, record.terminated, record.section) == (
            twin.effective, twin.terminated, twin.section,
        )
