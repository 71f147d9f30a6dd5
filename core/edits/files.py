"""Reading CMS edit and fee files as rows of cells, whatever they come in: tab-delimited text, CSV
(quoted or bare, CRLF or LF), an .xlsx workbook, or the zip as downloaded holding any of those.

Every reader yields `(line number, cells)`, so an importer can refuse a damaged file with its name,
line and reason (`EditFileError`) and never needs to know the container.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO

Rows = Iterator[tuple[int, list[str]]]
ProgressCallback = Callable[[int, int], None]

_TEXT_SUFFIXES = (".txt", ".csv", ".tsv")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"


class EditFileError(ValueError):
    """A file CodeDesk will not import: its name, the 1-based line (0: the whole file) and why."""

    def __init__(self, name: str, line: int, reason: str) -> None:
        self.name = name
        self.line = line
        self.reason = reason
        super().__init__(name, line, reason)

    def __str__(self) -> str:
        where = f"{self.name}, line {self.line}" if self.line else self.name
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class SourceFile:
    """One readable table: a plain file, or a member of a zip (named `outer.zip/inner.txt`)."""

    name: str  # for messages and for reading the setting and period from
    size: int  # bytes, for the progress bar
    _open: Callable[[], IO[bytes]]
    workbook: bool = False

    def rows(self, progress: ProgressCallback | None = None) -> Rows:
        """Every line (or worksheet row) as stripped cells; progress(done bytes or rows, total)."""
        if self.workbook:
            return _workbook_rows(self, progress)
        return _text_rows(self, progress)

    def head(self, lines: int = 15) -> str:
        """The first lines as text, to detect what the file is from its preamble and header."""
        if self.workbook:
            out = []
            for _, cells in self.rows():
                out.append(" ".join(cells))
                if len(out) >= lines:
                    break
            return "\n".join(out)
        with self._open() as raw:
            data = raw.read(8192)
        return data.decode("utf-8", errors="replace")


def sources(paths: Sequence[Path]) -> list[SourceFile]:
    """The tables inside `paths`: zips are opened (a .txt is preferred over its .xlsx twin)."""
    found: list[SourceFile] = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise EditFileError(path.name, 0, "no such file")
        with path.open("rb") as handle:
            magic = handle.read(4)
        is_workbook = path.suffix.lower() in _WORKBOOK_SUFFIXES
        if magic == _ZIP_MAGIC and not is_workbook:
            found.extend(_zip_members(path))
        else:
            found.append(SourceFile(path.name, path.stat().st_size, _opener(path), is_workbook))
    return found


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _zip_members(path: Path) -> list[SourceFile]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise EditFileError(path.name, 0, "this zip file is damaged or incomplete") from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX")]
    texts = [i for i in infos if i.filename.lower().endswith(_TEXT_SUFFIXES)]
    books = [i for i in infos if i.filename.lower().endswith(_WORKBOOK_SUFFIXES)]
    chosen, workbook = (texts, False) if texts else (books, True)
    if not chosen:
        raise EditFileError(path.name, 0, "the zip holds no .txt, .csv or .xlsx file")

    def opener(member: str) -> Callable[[], IO[bytes]]:
        def open_member() -> IO[bytes]:
            outer = zipfile.ZipFile(path)
            inner = outer.open(member)
            return _Closing(inner, outer)
        return open_member

    return [SourceFile(f"{path.name}/{Path(info.filename).name}", info.file_size, opener(info.filename), workbook)
            for info in sorted(chosen, key=lambda i: i.filename)]


class _Closing(io.BufferedReader):
    """A zip member that closes its archive with it."""

    def __init__(self, inner: IO[bytes], outer: zipfile.ZipFile) -> None:
        super().__init__(inner)  # type: ignore[arg-type]
        self._outer = outer

    def close(self) -> None:
        super().close()
        self._outer.close()


def _text_rows(source: SourceFile, progress: ProgressCallback | None) -> Rows:
    with source._open() as plain:
        raw = plain if isinstance(plain, io.BufferedReader) else io.BufferedReader(plain)  # type: ignore[type-var]
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        # Tab-delimited text (PTP, AOC) or CSV (MUE, RVU, GPCI): a tab anywhere near the top decides.
        peek = raw.peek(65536) if hasattr(raw, "peek") else b""
        tabbed = b"\t" in peek[:65536] and not source.name.lower().endswith(".csv")
        lines: Iterator[str] = iter(text)
        total = max(source.size, 1)
        done = 0
        if tabbed:
            for number, line in enumerate(lines, 1):
                done += len(line)
                if progress is not None and number % 50_000 == 0:
                    progress(min(done, total), total)
                body = line.rstrip("\r\n")
                cells = body.split("\t")
                # Quotes and padding are rare in tab-delimited files: clean only lines that have them
                # (a few substring tests in C cost far less than cleaning every cell of 4.5 million rows).
                if '"' in body:
                    cells = [_unquote(c) for c in cells]
                elif " \t" in body or "\t " in body or body[:1] == " " or body[-1:] == " ":
                    cells = [c.strip() for c in cells]
                yield number, cells
        else:
            counted = _Counting(lines)
            reader = csv.reader(counted)
            for cells in reader:
                if progress is not None and reader.line_num % 20_000 == 0:
                    progress(min(counted.chars, total), total)
                yield reader.line_num, [c.strip() for c in cells]
        if progress is not None:
            progress(total, total)


class _Counting:
    """Lines passed to csv.reader, counting characters for the progress bar."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.chars = 0

    def __iter__(self) -> _Counting:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.chars += len(line)
        return line


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == '"' and cell[-1] == '"':
        cell = cell[1:-1].replace('""', '"').strip()
    return cell


def _workbook_rows(source: SourceFile, progress: ProgressCallback | None) -> Rows:
    import warnings

    import openpyxl

    with source._open() as raw, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
        try:
            book = openpyxl.load_workbook(io.BytesIO(raw.read()), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a damaged workbook
            raise EditFileError(source.name, 0, "this workbook is damaged or not an .xlsx file") from exc
        try:
            sheet = book.worksheets[0]
            total = max(sheet.max_row or 1, 1)
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                if progress is not None and number % 20_000 == 0:
                    progress(min(number, total), total)
                yield number, [_cell_text(v) for v in values]
            if progress is not None:
                progress(total, total)
        finally:
            book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_yyyymmdd(text: str) -> date | None:
    """"20261001" -> a date; "", "*" -> None; a 7-digit YYYYDDD (day of year) is read too."""
    text = text.strip()
    if not text or text == "*":
        return None
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if len(text) == 7 and text.isdigit():
        return date.fromordinal(date(int(text[:4]), 1, 1).toordinal() + int(text[4:]) - 1)
    if len(text) == 10 and text[4] == "-":
        return date.fromisoformat(text)
    if len(text) == 10 and text[2] == "/":
        return date(int(text[6:]), int(text[:2]), int(text[3:5]))
    raise ValueError(text)


def normalised(cell: str) -> str:
    """A header cell reduced to lower-case words, for finding columns by name."""
    return " ".join("".join(ch.lower() if ch.isalnum() else " " for ch in cell).split())
