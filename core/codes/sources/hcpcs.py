"""The CMS HCPCS Level II alpha-numeric file: procedure and modifier records for the catalog.

CMS publishes the file every year as fixed-width text (``HCPC2020_ANWEB_w_disclaimer.txt``) and as
an Excel workbook (``HCPC2019_CONTR_ANWEB.xlsx``); `read_hcpcs` reads either into `CodeRecord` values.

The text edition follows the CMS record layout (``HCPCS2019_recordlayout.txt``): 320 columns a
line. Columns 1-5 hold the procedure code, or a modifier right-aligned in columns 4-5; 6-10 a
sequence number; 11 the record identification code: 3 starts a procedure, 7 starts a modifier, and
4 / 8 continue the long description (columns 12-91) of the record above with a higher sequence
number. Only a first line carries the short description and the administrative fields. Text before
the first line that fits this layout (CMS's disclaimer) is skipped; after it every non-blank line
must be a valid record line, or `HcpcsFileError` names the line and what is wrong with it.

The workbook holds one row per record under a header row (HCPC, SEQNUM, RECID, LONG DESCRIPTION,
...), columns found by header name. CMS still splits an over-long description onto a RECID 4 row.

Descriptions are joined across lines with runs of whitespace collapsed to one space, so both
editions of a year give identical records. `effective` is the date the code was added (the action
effective date when that is blank); the action and its date are attributes. Modifiers are not
billable: they only qualify a code on a claim. The version is the year in the file name (HCPC2020... ->
"2020"); failing that, the latest year among the added and action-effective dates, since each annual
file takes effect on January 1 of its year.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from core.codes.record import CodeRecord, RecordKind, System

ProgressCallback = Callable[[int, int], None]

SOURCE_NAME = "CMS HCPCS Level II alpha-numeric file"
MODIFIER_SECTION = "HCPCS Level II modifiers"

_RECORD_WIDTH = 320
_PROGRESS_EVERY = 1000
_PROCEDURE_IDS = frozenset("34")
_MODIFIER_IDS = frozenset("78")
_FIRST_LINE_IDS = frozenset("37")

# ASCII classes only: str patterns would otherwise let latin-1 digits such as "²" through.
_PROCEDURE_CODE = re.compile(r"[A-Z][0-9]{4}")
_MODIFIER_CODE = re.compile(r"[A-Z0-9]{2}")
_SEQUENCE = re.compile(r"[0-9]{1,5}")
_DATE = re.compile(r"[0-9]{8}")
# Columns 1-11 of any record line; a preamble line never looks like this.
_RECORD_START = re.compile(r"(?:[A-Z][0-9]{4}| {3}[A-Z0-9]{2})[0-9]{5}[3478]")
_YEAR_IN_NAME = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary .xls format

# The first letter of a procedure code names its range; J splits at J8500 (chemotherapy from J8501).
_SECTIONS: dict[str, str] = {
    "A": "Transport, medical and surgical supplies, miscellaneous and experimental (A0000-A9999)",
    "B": "Enteral and parenteral nutrition therapy (B4000-B9999)",
    "C": "Hospital outpatient prospective payment system codes (C1000-C9999)",
    "D": "Dental procedures (D0000-D9999)",
    "E": "Durable medical equipment (E0100-E9999)",
    "G": "Temporary codes for procedures and professional services (G0000-G9999)",
    "H": "Alcohol and drug abuse treatment services (H0001-H9999)",
    "K": "Temporary codes for the DME Medicare contractors (K0000-K9999)",
    "L": "Orthotics and prosthetics (L0000-L9999)",
    "M": "Medical services (M0000-M9999)",
    "P": "Pathology and laboratory services (P0000-P9999)",
    "Q": "Temporary codes (Q0000-Q9999)",
    "R": "Diagnostic radiology services (R0000-R9999)",
    "S": "Temporary national codes, not used by Medicare (S0000-S9999)",
    "T": "National codes set up for state Medicaid agencies (T1000-T9999)",
    "V": "Vision, hearing and speech-language services (V0000-V9999)",
}
_J_DRUGS = "Drugs given other than by mouth (J0120-J8499)"
_J_CHEMOTHERAPY = "Chemotherapy drugs (J8501-J9999)"

# Meanings of the coded fields, from the code tables in the CMS record layout, in our own words.
_COVERAGE: dict[str, str] = {
    "C": "carrier judgment (the Medicare contractor decides)",
    "D": "special coverage instructions apply",
    "I": "not payable by Medicare",
    "M": "not covered by Medicare",
    "S": "not covered by Medicare, by statute",
}
_ACTION: dict[str, str] = {
    "A": "code added",
    "B": "administrative data and long description changed",
    "C": "long description changed",
    "D": "code discontinued",
    "F": "administrative data changed",
    "N": "no change",
    "P": "payment data changed",
    "R": "discontinued code reactivated",
    "S": "short description changed",
    "T": "other change (BETOS, type of service)",
}
_PRICING: dict[str, str] = {
    "00": "not priced separately by Part B",
    "11": "physician fee schedule, national RVUs",
    "12": "physician fee schedule, anesthesia base units",
    "13": "physician fee schedule, priced by the contractor",
    "21": "clinical lab fee schedule, national limit",
    "22": "clinical lab, priced by the contractor",
    "31": "DME, frequently serviced",
    "32": "DME, inexpensive or routinely bought",
    "33": "oxygen and oxygen equipment",
    "34": "DME supplies",
    "35": "surgical dressings",
    "36": "DME, capped rental",
    "37": "ostomy, tracheostomy and urological supplies",
    "38": "orthotics, prosthetics and vision services",
    "39": "parenteral and enteral nutrition",
    "45": "customised DME",
    "46": "DMEPOS, priced by the contractor",
    "51": "drugs",
    "52": "reasonable charge",
    "53": "set by statute",
    "54": "vaccinations",
    "55": "splints and casts",
    "56": "intraocular lenses inserted in an office",
    "57": "other, priced by the contractor",
    "99": "no value established",
}
_MULTIPLE_PRICING: dict[str, str] = {
    "9": "not applicable: not priced separately or no value established",
    "A": "not applicable: one pricing method",
    "B": "professional part by RVUs; technical part and global service by the contractor",
    "C": "physician interpretation by RVUs; the lab test by the clinical lab fee schedule",
    "D": "physician by RVUs, clinical psychologist by its own schedule (ended 1998)",
    "E": "physician, clinical psychologist and social worker on separate schedules (ended 1998)",
    "F": "physician priced by the contractor, psychologist and social worker by schedule (ended 1998)",
    "G": "reasonable charge when billed with blood products, else the clinical lab fee schedule",
}
_TYPE_OF_SERVICE: dict[str, str] = {
    "0": "whole blood",
    "1": "medical care",
    "2": "surgery",
    "3": "consultation",
    "4": "diagnostic radiology",
    "5": "diagnostic laboratory",
    "6": "therapeutic radiology",
    "7": "anesthesia",
    "8": "assistant at surgery",
    "9": "other medical items or services",
    "A": "used DME",
    "B": "high-risk screening mammography (retired)",
    "C": "low-risk screening mammography (retired)",
    "D": "ambulance",
    "E": "enteral and parenteral nutrients and supplies",
    "F": "ambulatory surgical center facility use",
    "G": "immunosuppressive drugs",
    "H": "hospice (retired)",
    "I": "DME bought in instalments (retired)",
    "J": "diabetic shoes",
    "K": "hearing items and services",
    "L": "ESRD supplies",
    "M": "monthly capitation payment for dialysis",
    "N": "kidney donor",
    "P": "lump-sum purchase of DME, prosthetics or orthotics",
    "Q": "vision items or services",
    "R": "DME rental",
    "S": "surgical dressings and other medical supplies",
    "T": "outpatient mental health limitation",
    "U": "occupational therapy",
    "V": "pneumococcal, flu or hepatitis B vaccine",
    "W": "physical therapy",
    "Y": "second opinion on elective surgery (retired)",
    "Z": "third opinion on elective surgery (retired)",
}
_LAB_CERTIFICATION: dict[str, str] = {
    "010": "histocompatibility testing",
    "100": "microbiology",
    "110": "bacteriology",
    "115": "mycobacteriology",
    "120": "mycology",
    "130": "parasitology",
    "140": "virology",
    "150": "other microbiology",
    "200": "diagnostic immunology",
    "210": "syphilis serology",
    "220": "general immunology",
    "300": "chemistry",
    "310": "routine chemistry",
    "320": "urinalysis",
    "330": "endocrinology",
    "340": "toxicology",
    "350": "other chemistry",
    "400": "hematology",
    "500": "immunohematology",
    "510": "ABO group and Rh type",
    "520": "antibody detection for transfusion",
    "530": "antibody detection, not for transfusion",
    "540": "antibody identification",
    "550": "compatibility testing",
    "560": "other immunohematology",
    "600": "pathology",
    "610": "histopathology",
    "620": "oral pathology",
    "630": "cytology",
    "800": "radiobioassay",
    "900": "clinical cytogenetics",
}


class HcpcsFileError(ValueError):
    """A problem in the file itself. `line` is 1-based (a worksheet row for .xlsx); 0 = whole file."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(path, line, reason)

    def __str__(self) -> str:
        name = Path(self.path).name
        if self.line:
            return f"{name}, line {self.line}: {self.reason}"
        return f"{name}: {self.reason}"


@dataclass(frozen=True)
class HcpcsImport:
    """The records of one HCPCS file, with the release it is and where it came from."""

    records: tuple[CodeRecord, ...]
    version: str
    source: str

    @property
    def code_count(self) -> int:
        return sum(1 for record in self.records if record.kind is RecordKind.CODE)

    @property
    def modifier_count(self) -> int:
        return sum(1 for record in self.records if record.kind is RecordKind.MODIFIER)


def read_hcpcs(path: Path, progress: ProgressCallback | None = None) -> HcpcsImport:
    """Detects .txt (fixed width) vs .xlsx by suffix/content; progress(done, total) is called periodically.

    `done` and `total` count lines (worksheet rows for .xlsx). Raises `HcpcsFileError` for a damaged
    or unrecognised file; a missing file raises the usual `OSError`.
    """
    path = Path(path)
    with path.open("rb") as handle:
        magic = handle.read(len(_XLSX_MAGIC))
    if magic.startswith(_OLE_MAGIC):
        raise HcpcsFileError(
            str(path), 0, "this is an old binary .xls workbook; save it as .xlsx or use the .txt file"
        )
    assembler = _Assembler(str(path))
    if magic == _XLSX_MAGIC or path.suffix.lower() in {".xlsx", ".xlsm"}:
        _read_workbook(path, assembler, progress)
    else:
        _read_text(path, assembler, progress)
    pending = assembler.finish()
    version = _version(path, assembler.latest_year)
    source = f"{SOURCE_NAME} ({path.name})"
    return HcpcsImport(
        records=tuple(_build_record(entry, source, version) for entry in pending),
        version=version,
        source=source,
    )


@dataclass(frozen=True, slots=True)
class _Fields:
    """One line (or worksheet row) split into the layout's fields, each stripped of padding."""

    line: int
    code: str  # unstripped, so a modifier can be checked for sitting in columns 4-5
    sequence: str
    record_id: str
    long: str
    short: str = ""
    pricing: tuple[str, ...] = ()
    multiple_pricing: str = ""
    cim: tuple[str, ...] = ()
    mcm: tuple[str, ...] = ()
    statute: str = ""
    lab_certification: tuple[str, ...] = ()
    cross_reference: tuple[str, ...] = ()
    coverage: str = ""
    asc_group: str = ""
    asc_date: str = ""
    mog_date: str = ""
    processing_note: str = ""
    betos: str = ""
    type_of_service: tuple[str, ...] = ()
    anesthesia_units: str = ""
    added: str = ""
    action_effective: str = ""
    terminated: str = ""
    action: str = ""


# --- the fixed-width text edition -------------------------------------------------------------


def _span(column: int, width: int) -> slice:
    """The slice of a line holding a field that starts at 1-based `column`, as the layout counts."""
    return slice(column - 1, column - 1 + width)


def _spans(column: int, width: int, occurs: int) -> tuple[slice, tuple[slice, ...]]:
    """A repeating field: the whole block (to skip it when blank) and each occurrence."""
    return _span(column, width * occurs), tuple(_span(column + i * width, width) for i in range(occurs))


_CODE = _span(1, 5)
_SEQUENCE_NUMBER = _span(6, 5)
_RECORD_ID = _span(11, 1)
_LONG = _span(12, 80)
_SHORT = _span(92, 28)
_PRICING_COLUMNS = _spans(120, 2, 4)
_MULTIPLE_PRICING_CODE = _span(128, 1)
_CIM_COLUMNS = _spans(129, 6, 3)
_MCM_COLUMNS = _spans(147, 8, 3)
_STATUTE = _span(171, 10)
_LAB_COLUMNS = _spans(181, 3, 8)
_XREF_COLUMNS = _spans(205, 5, 5)
_COVERAGE_CODE = _span(230, 1)
_ASC_GROUP = _span(231, 2)
_ASC_DATE = _span(233, 8)
_MOG_DATE = _span(245, 8)
_PROCESSING_NOTE = _span(253, 4)
_BETOS = _span(257, 3)
_TOS_COLUMNS = _spans(261, 1, 5)
_ANESTHESIA_UNITS = _span(266, 3)
_ADDED = _span(269, 8)
_ACTION_EFFECTIVE = _span(277, 8)
_TERMINATED = _span(285, 8)
_ACTION_CODE = _span(293, 1)
_LAST_COLUMN = 293  # every CMS first line fills the action code, so none ends before it


def _read_text(path: Path, assembler: _Assembler, progress: ProgressCallback | None) -> None:
    # Split on line ends only: str.splitlines would also break at 0x85, a character in latin-1 text.
    raw = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise HcpcsFileError(str(path), line, "the line holds a NUL byte: this is not a CMS text file")
    lines = raw.decode("latin-1").split("\n")
    ended = not lines or not lines[-1].strip()  # a download that stopped leaves a last line unended
    if lines and not lines[-1]:
        lines.pop()  # the final line end does not start another line
    total = len(lines)
    started = False
    last_record = max((n for n, t in enumerate(lines, start=1) if t.strip()), default=0)
    for number, text in enumerate(lines, start=1):
        if progress is not None and number % _PROGRESS_EVERY == 0:
            progress(number, total)
        text = text.rstrip()
        if not text:
            continue
        if not started:
            if not _RECORD_START.match(text):
                continue  # the disclaimer CMS puts above the records
            started = True
        if len(text) > _RECORD_WIDTH:
            raise HcpcsFileError(
                str(path), number, f"line has {len(text)} characters; a record has {_RECORD_WIDTH}"
            )
        if number == last_record and not ended:
            raise HcpcsFileError(str(path), number, "the file ends in the middle of a record (its last line "
                                 "has no line end): the download may have stopped early")
        if len(text) > _RECORD_ID.start and text[_RECORD_ID] in _FIRST_LINE_IDS and len(text) < _LAST_COLUMN:
            raise HcpcsFileError(str(path), number, f"the record is cut short: it ends at column {len(text)}, "
                                 f"and every first line of a record runs to column {_LAST_COLUMN} (the action "
                                 "code); the file may be truncated")
        assembler.add(_split_line(number, text))
    if progress is not None:
        progress(total, total)


def _split_line(number: int, text: str) -> _Fields:
    line = text.ljust(_RECORD_WIDTH)
    record_id = line[_RECORD_ID]
    if record_id not in _FIRST_LINE_IDS:
        # A continuation line carries only the code, sequence, record id and description text.
        return _Fields(number, line[_CODE], line[_SEQUENCE_NUMBER].strip(), record_id, line[_LONG].strip())
    return _Fields(
        line=number,
        code=line[_CODE],
        sequence=line[_SEQUENCE_NUMBER].strip(),
        record_id=record_id,
        long=line[_LONG].strip(),
        short=line[_SHORT].strip(),
        pricing=_repeated(line, _PRICING_COLUMNS),
        multiple_pricing=line[_MULTIPLE_PRICING_CODE].strip(),
        cim=_repeated(line, _CIM_COLUMNS),
        mcm=_repeated(line, _MCM_COLUMNS),
        statute=line[_STATUTE].strip(),
        lab_certification=_repeated(line, _LAB_COLUMNS),
        cross_reference=_repeated(line, _XREF_COLUMNS),
        coverage=line[_COVERAGE_CODE].strip(),
        asc_group=line[_ASC_GROUP].strip(),
        asc_date=line[_ASC_DATE].strip(),
        mog_date=line[_MOG_DATE].strip(),
        processing_note=line[_PROCESSING_NOTE].strip(),
        betos=line[_BETOS].strip(),
        type_of_service=_repeated(line, _TOS_COLUMNS),
        anesthesia_units=line[_ANESTHESIA_UNITS].strip(),
        added=line[_ADDED].strip(),
        action_effective=line[_ACTION_EFFECTIVE].strip(),
        terminated=line[_TERMINATED].strip(),
        action=line[_ACTION_CODE].strip(),
    )


def _repeated(line: str, columns: tuple[slice, tuple[slice, ...]]) -> tuple[str, ...]:
    block, occurrences = columns
    if line[block].isspace():
        return ()
    values = (line[occurrence].strip() for occurrence in occurrences)
    return tuple(value for value in values if value)


# --- the Excel edition ------------------------------------------------------------------------

# Header name (upper case, letters and digits only) -> field. Numbered headers (PRICE1..PRICE4)
# fill the repeating fields in order.
_SINGLE_COLUMNS: dict[str, str] = {
    "HCPC": "code",
    "HCPCS": "code",
    "SEQNUM": "sequence",
    "RECID": "record_id",
    "LONGDESCRIPTION": "long",
    "SHORTDESCRIPTION": "short",
    "MULTPI": "multiple_pricing",
    "STATUTE": "statute",
    "COV": "coverage",
    "ASCGRP": "asc_group",
    "ASCDT": "asc_date",
    "OPPSDT": "mog_date",
    "PROCNOTE": "processing_note",
    "BETOS": "betos",
    "ANESTBU": "anesthesia_units",
    "ADDDT": "added",
    "ACTEFFDT": "action_effective",
    "TERMDT": "terminated",
    "ACTIONCD": "action",
}
_REPEATED_COLUMNS: dict[str, str] = {
    "PRICE": "pricing",
    "CIM": "cim",
    "MCM": "mcm",
    "LABCERT": "lab_certification",
    "XREF": "cross_reference",
    "TOS": "type_of_service",
}
_REQUIRED_COLUMNS = {"code": "HCPC", "record_id": "RECID", "long": "LONG DESCRIPTION"}
_HEADER_SEARCH_ROWS = 50
_NUMBERED_HEADER = re.compile(r"([A-Z]+)([0-9]+)")


def _read_workbook(path: Path, assembler: _Assembler, progress: ProgressCallback | None) -> None:
    import openpyxl

    with warnings.catch_warnings():
        # CMS workbooks carry a print header openpyxl cannot parse; it warns and carries on.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        # A file object, not the path: openpyxl refuses a path whose suffix is not .xlsx.
        with path.open("rb") as handle:
            try:
                workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            except Exception as exc:  # openpyxl reports a damaged workbook through many exception types
                raise HcpcsFileError(str(path), 0, f"not a readable .xlsx workbook ({exc})") from exc
            try:
                _read_sheets(str(path), workbook.worksheets, assembler, progress)
            finally:
                workbook.close()


def _read_sheets(
    name: str, sheets: Iterable[Any], assembler: _Assembler, progress: ProgressCallback | None
) -> None:
    """Read the first sheet that has the header row; rows above it (CMS's disclaimer) are skipped."""
    for sheet in sheets:
        total = sheet.max_row or 0
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        columns = _find_header(name, rows)
        if columns is None:
            continue
        for number, values in rows:
            if progress is not None and number % _PROGRESS_EVERY == 0:
                progress(number, max(total, number))
            fields = _row_fields(number, values, columns)
            if fields is not None:
                assembler.add(fields)
        if progress is not None:
            progress(max(total, 1), max(total, 1))
        return
    raise HcpcsFileError(name, 0, "no worksheet has a header row with HCPC, RECID and LONG DESCRIPTION")


def _find_header(name: str, rows: Iterator[tuple[int, tuple[object, ...]]]) -> dict[str, list[int]] | None:
    """Advance `rows` past the header row and return field -> column indexes, or None if absent."""
    for number, values in rows:
        if number > _HEADER_SEARCH_ROWS:
            return None
        headers = [re.sub(r"[^A-Z0-9]", "", _cell_text(value).upper()) for value in values]
        if "RECID" not in headers:
            continue
        columns: dict[str, list[int]] = {}
        for index, header in enumerate(headers):
            if header in _SINGLE_COLUMNS:
                columns.setdefault(_SINGLE_COLUMNS[header], []).append(index)
            elif (numbered := _NUMBERED_HEADER.fullmatch(header)) and numbered[1] in _REPEATED_COLUMNS:
                columns.setdefault(_REPEATED_COLUMNS[numbered[1]], []).append(index)
        missing = [label for key, label in _REQUIRED_COLUMNS.items() if key not in columns]
        if missing:
            raise HcpcsFileError(name, number, f"header row has no {', '.join(missing)} column")
        return columns
    return None


def _row_fields(number: int, values: tuple[object, ...], columns: dict[str, list[int]]) -> _Fields | None:
    texts = [_cell_text(value) for value in values]
    if not any(text.strip() for text in texts):
        return None

    def one(key: str) -> str:
        indexes = columns.get(key, [])
        return texts[indexes[0]].strip() if indexes and indexes[0] < len(texts) else ""

    def many(key: str) -> tuple[str, ...]:
        cells = (texts[i].strip() for i in columns.get(key, []) if i < len(texts))
        return tuple(cell for cell in cells if cell)

    code_index = columns["code"][0]
    return _Fields(
        line=number,
        code=texts[code_index] if code_index < len(texts) else "",
        sequence=one("sequence"),
        record_id=one("record_id"),
        long=one("long"),
        short=one("short"),
        pricing=many("pricing"),
        multiple_pricing=one("multiple_pricing"),
        cim=many("cim"),
        mcm=many("mcm"),
        statute=one("statute"),
        lab_certification=many("lab_certification"),
        cross_reference=many("cross_reference"),
        coverage=one("coverage"),
        asc_group=one("asc_group"),
        asc_date=one("asc_date"),
        mog_date=one("mog_date"),
        processing_note=one("processing_note"),
        betos=one("betos"),
        type_of_service=many("type_of_service"),
        anesthesia_units=one("anesthesia_units"),
        added=one("added"),
        action_effective=one("action_effective"),
        terminated=one("terminated"),
        action=one("action"),
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")  # a date cell; the layout's dates are YYYYMMDD
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- from lines to records --------------------------------------------------------------------


@dataclass
class _Pending:
    """A record whose first line has been read and whose continuation lines may still follow."""

    code: str
    kind: RecordKind
    first: _Fields
    sequence: int
    dates: dict[str, date | None]
    parts: list[str] = field(default_factory=list)


class _Assembler:
    """Checks lines in file order, merges continuation lines and builds one CodeRecord per code."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._pending: _Pending | None = None
        self._first_line: dict[str, int] = {}
        self._done: list[_Pending] = []
        self.latest_year = 0

    def add(self, fields: _Fields) -> None:
        record_id = fields.record_id
        if record_id not in _PROCEDURE_IDS and record_id not in _MODIFIER_IDS:
            reason = f"record identification code {record_id!r} is not 3/4 (procedure) or 7/8 (modifier)"
            self._fail(fields, reason)
        kind = RecordKind.CODE if record_id in _PROCEDURE_IDS else RecordKind.MODIFIER
        code = self._code(fields, kind)
        if not _SEQUENCE.fullmatch(fields.sequence):
            self._fail(fields, f"sequence number {fields.sequence!r} for {code} is not a number")
        sequence = int(fields.sequence)
        if record_id in _FIRST_LINE_IDS:
            self._start(fields, code, kind, sequence)
        else:
            self._continue(fields, code, kind, sequence)

    def finish(self) -> list[_Pending]:
        """Every record read, in file order, each with its continuation lines merged."""
        self._flush()
        if not self._done:
            raise HcpcsFileError(self._path, 0, "no HCPCS procedure or modifier records found")
        return self._done

    def _code(self, fields: _Fields, kind: RecordKind) -> str:
        code = fields.code.strip()
        if kind is RecordKind.CODE:
            if not _PROCEDURE_CODE.fullmatch(code):
                self._fail(fields, f"code {code!r} is not a HCPCS Level II code (a letter and four digits)")
        elif not (_MODIFIER_CODE.fullmatch(code) and fields.code.endswith(code)):
            self._fail(fields, f"modifier {fields.code!r} is not two letters or digits in columns 4-5")
        return code

    def _start(self, fields: _Fields, code: str, kind: RecordKind, sequence: int) -> None:
        if code in self._first_line:
            self._fail(fields, f"{code} starts again (its record began on line {self._first_line[code]})")
        dates = {
            label: self._date(fields, label, text)
            for label, text in (
                ("added date", fields.added),
                ("action effective date", fields.action_effective),
                ("termination date", fields.terminated),
                ("ASC payment group date", fields.asc_date),
                ("MOG payment group date", fields.mog_date),
            )
        }
        self._flush()
        self._first_line[code] = fields.line
        self._pending = _Pending(code, kind, fields, sequence, dates, [fields.long])
        for label in ("added date", "action effective date"):
            if (when := dates[label]) is not None:
                self.latest_year = max(self.latest_year, when.year)

    def _continue(self, fields: _Fields, code: str, kind: RecordKind, sequence: int) -> None:
        pending = self._pending
        noun = "procedure" if kind is RecordKind.CODE else "modifier"
        if pending is None or pending.code != code or pending.kind is not kind:
            reason = f"continuation line for {code}, but no {noun} record for {code} starts above it"
            self._fail(fields, reason)
        if sequence <= pending.sequence:
            self._fail(
                fields,
                f"sequence number {sequence} for {code} does not come after the previous {pending.sequence}",
            )
        pending.sequence = sequence
        pending.parts.append(fields.long)

    def _flush(self) -> None:
        if self._pending is not None:
            self._done.append(self._pending)
            self._pending = None

    def _date(self, fields: _Fields, label: str, text: str) -> date | None:
        if not text:
            return None
        if _DATE.fullmatch(text):
            try:
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                pass
        code = fields.code.strip()
        self._fail(fields, f"{label} {text!r} for {code} is not a valid date (YYYYMMDD)")

    def _fail(self, fields: _Fields, reason: str) -> NoReturn:
        raise HcpcsFileError(self._path, fields.line, reason)


def _build_record(pending: _Pending, source: str, version: str) -> CodeRecord:
    first = pending.first
    description = _clean(" ".join(pending.parts))
    return CodeRecord(
        system=System.HCPCS,
        code=pending.code,
        title=_clean(first.short) or description,
        description=description,
        kind=pending.kind,
        section=_section(pending.code, pending.kind),
        billable=pending.kind is RecordKind.CODE,  # a modifier only qualifies a code on a claim
        effective=pending.dates["added date"] or pending.dates["action effective date"],
        terminated=pending.dates["termination date"],
        source=source,
        version=version,
        attributes=_attributes(first, pending.dates),
    )


def _attributes(first: _Fields, dates: dict[str, date | None]) -> tuple[tuple[str, str], ...]:
    facts: list[tuple[str, str]] = []

    def put(label: str, value: str) -> None:
        if value:
            facts.append((label, value))

    put("Coverage", _explain(first.coverage, _COVERAGE))
    put("BETOS", first.betos)
    put("Action", _explain(first.action, _ACTION))
    action_effective = dates["action effective date"]
    put("Action effective", action_effective.isoformat() if action_effective else "")
    put("Pricing indicator", _explain_all(first.pricing, _PRICING))
    put("Multiple pricing", _explain(first.multiple_pricing, _MULTIPLE_PRICING))
    put("Type of service", _explain_all(first.type_of_service, _TYPE_OF_SERVICE))
    put("Lab certification", _explain_all(first.lab_certification, _LAB_CERTIFICATION))
    put("Cross-reference", ", ".join(first.cross_reference))
    put("Statute", first.statute)
    if first.asc_group:
        asc_date = dates["ASC payment group date"]
        since = f" (from {asc_date.isoformat()})" if asc_date else ""
        meaning = " - approved for ambulatory surgical centers" if first.asc_group == "YY" else ""
        put("ASC payment group", f"{first.asc_group}{meaning}{since}")
    put("Processing note", first.processing_note)
    if first.anesthesia_units.isdigit() and int(first.anesthesia_units):
        put("Anesthesia base units", str(int(first.anesthesia_units)))
    put("Coverage Issues Manual", ", ".join(first.cim))
    put("Medicare Carriers Manual", ", ".join(first.mcm))
    return tuple(facts)


def _explain(value: str, meanings: dict[str, str]) -> str:
    if not value:
        return ""
    meaning = meanings.get(value)
    return f"{value} - {meaning}" if meaning else value


def _explain_all(values: Iterable[str], meanings: dict[str, str]) -> str:
    return "; ".join(_explain(value, meanings) for value in values)


def _section(code: str, kind: RecordKind) -> str:
    if kind is RecordKind.MODIFIER:
        return MODIFIER_SECTION
    letter = code[0]
    if letter == "J":
        return _J_CHEMOTHERAPY if code >= "J8500" else _J_DRUGS
    return _SECTIONS.get(letter, f"Other HCPCS Level II codes ({letter}0000-{letter}9999)")


def _clean(text: str) -> str:
    return " ".join(text.split())


def _version(path: Path, latest_year: int) -> str:
    if found := _YEAR_IN_NAME.search(path.name):
        return found.group(0)
    return str(latest_year) if latest_year else "unknown"
