"""Reading and writing spreadsheets (CSV and XLSX) as plain rows of text, for registry import and export.

Nothing here knows about platforms: :mod:`youthsafe.registry.importexport` maps the rows to records. Line
numbers are counted the way a spreadsheet user counts rows (the header is line 1), not physical text lines,
so a quoted cell spanning two lines of a CSV file still belongs to one numbered row.

An XLSX file is a zip archive of XML, and a small one can unpack to gigabytes (a 399 KB workbook whose one
shared string is 400 MB took 33 s and 3 GB to read). Before openpyxl sees a workbook, its archive is checked
(``XLSX_LIMITS``: members, declared and actual unpacked sizes, compression ratio) and its XML is scanned as a
stream for a cell longer than a spreadsheet cell can be (``MAX_CELL_CHARS``, Excel's own limit) and for a row
wider than a spreadsheet (``MAX_ROW_CELLS``); openpyxl then streams the sheet (read-only mode). Every cell of
a CSV or XLSX file is bounded the same way while the rows are collected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from youthsafe.core import archives, uploads
from youthsafe.core.cells import defuse

MAX_COLUMNS = 100
MAX_CELL_CHARS = 32_767  # the most text an Excel cell holds
MAX_ROW_CELLS = 16_384  # the most columns an Excel sheet has (XFD)
XLSX_LIMITS = uploads.REGISTRY.zip_limits  # members, unpacked sizes and compression ratio
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


class TableError(Exception):
    """The file as a whole cannot be read; ``line`` points at the row where reading stopped, if any."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells); blank rows are left out


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel reads the Chinese text as the local code page."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([defuse(v) if isinstance(v, str) else _csv_scalar(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "platforms") -> bytes:
    """One sheet, header frozen. Text is defused and stripped of control characters XLSX cannot hold."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    sheet.append(list(header))
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", defuse(v)) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_table(data: bytes, filename: str, *, max_rows: int) -> Table:
    """Parse a CSV or XLSX upload, chosen by extension and checked against the content."""
    if not data.strip():
        raise TableError(_("The file is empty."))
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise TableError(_("Old .xls workbooks are not supported; save the file as .xlsx or CSV."))
    if suffix == ".xlsx":
        if not data.startswith(_ZIP_MAGIC):
            raise TableError(_("The file is named .xlsx but is not an XLSX workbook."))
        rows: Iterator[list[str]] = _xlsx_rows(data, max_rows)
    elif suffix == ".csv":
        if data.startswith(_ZIP_MAGIC):
            raise TableError(_("The file is named .csv but is a workbook; name it .xlsx."))
        rows = _csv_rows(data)
    else:
        raise TableError(_("Upload a .csv or .xlsx file."))
    return _collect(rows, max_rows)


def _collect(rows: Iterator[list[str]], max_rows: int) -> Table:
    """Header plus up to ``max_rows`` non-blank data rows; one more is an error, so huge files stop early."""
    header: list[str] | None = None
    body: list[tuple[int, list[str]]] = []
    for line, cells in enumerate(rows, start=1):
        if header is None:
            if len(cells) > MAX_COLUMNS:
                raise TableError(_("The header has more than %(n)d columns.") % {"n": MAX_COLUMNS}, line)
            header = cells
            continue
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise TableError(_too_long(line), line)
        if not any(c.strip() for c in cells):
            continue
        if len(body) >= max_rows:
            raise TableError(_("The file has more than %(n)d data rows.") % {"n": max_rows}, line)
        body.append((line, cells))
    if header is None or not any(h.strip() for h in header):
        raise TableError(_("The file has no header row."), 1)
    return Table(header, body)


def _too_long(line: int) -> str:
    return _("Row %(line)d has a cell longer than %(n)s characters, more than a spreadsheet cell holds.") % {
        "line": line, "n": MAX_CELL_CHARS}


def _decode(data: bytes) -> str:
    # Excel on Chinese Windows saves "CSV" in GB18030/GBK unless told otherwise; accept both encodings.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise TableError(_("The CSV file is not readable text in UTF-8 or GB18030."))


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Excel writes ";" or tabs in some locales; the header line shows which separator the file uses.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for line, row in enumerate(reader, start=1):  # noqa: B007  (line is reported on errors)
            yield row
    except csv.Error as exc:
        raise TableError(_("The CSV file is malformed near row %(line)d: %(error)s")
                         % {"line": line + 1, "error": exc}, line + 1) from exc


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        # Excel stores every number as a float; 120000.0 is the whole number a user typed.
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _check_archive(data: bytes, max_rows: int) -> None:
    """Refuse, before any XML is parsed, a workbook that unpacks to too much or holds an over-long cell, an
    over-wide row or more cells than an import of ``max_rows`` rows (see the module's docstring)."""
    try:
        archives.check_zip(io.BytesIO(data), XLSX_LIMITS)
    except archives.ArchiveError as exc:
        raise TableError(exc.message) from exc
    max_cells = (max_rows + 1) * (MAX_COLUMNS + 1)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                _scan_xml(member, max_cells)


class _Scan:
    """Counts, while expat streams one XML part, the cells (``c``) of each row and the characters inside each
    cell, and raises TableError past a limit (element names without their namespace prefix). Shared strings
    are left to ``_collect``, which knows the row of each: their part as a whole is bounded by the archive's
    limits, and openpyxl holds it in memory either way."""

    def __init__(self, max_cells: int) -> None:
        self.max_cells = max_cells
        self.total = 0
        self.row = 0
        self.cells = 0
        self.in_cell = False
        self.chars = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            number = attrs.get("r", "")
            self.row = int(number) if number.isdigit() and len(number) < 8 else self.row + 1
            self.cells = 0
        elif local == "c":
            self.cells += 1
            self.total += 1
            if self.cells > MAX_ROW_CELLS:
                raise TableError(_("Row %(line)d has more than %(n)s cells, more than a spreadsheet holds.")
                                 % {"line": self.row, "n": MAX_ROW_CELLS}, self.row)
            if self.total > self.max_cells:  # parsing each one costs time, even an empty one
                rows = self.max_cells // (MAX_COLUMNS + 1) - 1
                raise TableError(_("The sheet has more than %(n)s cells, more than an import of at most %(rows)s "
                                   "rows holds.") % {"n": self.max_cells, "rows": rows}, self.row)
            self.in_cell = True
            self.chars = 0

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] == "c":
            self.in_cell = False

    def text(self, data: str) -> None:
        if self.in_cell:
            self.chars += len(data)
            if self.chars > MAX_CELL_CHARS:
                raise TableError(_too_long(self.row), self.row)

    @staticmethod
    def doctype(*_args: Any) -> None:
        raise TableError(_("The XLSX workbook cannot be read: %(error)s") % {"error": "DOCTYPE"})


def _scan_xml(member: IO[bytes], max_cells: int) -> None:
    """Scan one part of the archive; a part that is not XML (an image) ends its scan quietly: openpyxl reads
    XML only, and refuses it when it is a part it needs."""
    scan = _Scan(max_cells)
    parser = expat.ParserCreate()
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.text
    parser.StartDoctypeDeclHandler = scan.doctype  # no entities: nothing may expand while it is parsed
    try:
        while chunk := member.read(archives.CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        return


def _xlsx_rows(data: bytes, max_rows: int) -> Iterator[list[str]]:
    """Rows of the first sheet, once the archive passed ``_check_archive``. Read-only mode streams the sheet
    instead of building it in memory."""
    _check_archive(data, max_rows)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; those are not the user's problem.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        # Untrusted input into a third-party parser: zip, XML (lxml or expat) and openpyxl's own errors
        # have no common base class, and every one of them means the same thing to the user.
        raise TableError(_("The XLSX workbook cannot be read: %(error)s") % {"error": exc}) from exc
    try:
        if not book.worksheets:
            return
        blank: tuple[Any, ...] | None = None
        for row in book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            if row is blank:  # openpyxl hands out one tuple for every row missing from the sheet
                yield []
                continue
            if all(v is None for v in row):
                blank = row
                yield []
                continue
            cells = [_xlsx_cell(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()  # formatting often extends a sheet's used range with empty cells
            yield cells
    except Exception as exc:
        # A damaged sheet inside a valid workbook fails only while streaming; same reasoning as above.
        raise TableError(_("The XLSX workbook cannot be read: %(error)s") % {"error": exc}) from exc
    finally:
        book.close()
