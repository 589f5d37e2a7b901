"""An XLSX import cannot exhaust memory (issue 16, item 5): a 399 KB workbook whose one shared string inflates
to 400 MB took 33 s and 3 GB. The archive's members are checked by their declared and actual sizes and by
their compression ratio before openpyxl sees the file, the XML is scanned for over-long cells and over-wide
rows before it is parsed, and every cell is bounded while the sheet streams; each refusal is a clear message
in the user's language and nothing is imported."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.conftest import Tree
from youthsafe.core.models import AuditEvent, User
from youthsafe.core.roles import Role
from youthsafe.registry import tabular
from youthsafe.registry.importexport import import_platforms
from youthsafe.registry.models import Platform

HEADER = ["name", "kind", "operator", "jurisdiction", "registered_users", "minor_users", "notes"]
ROW = ["青苗学堂", "education", "某公司", "JC-N", "300", "200", "备注"]
MB = 1 << 20

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/sharedStrings.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Target="xl/workbook.xml" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="platforms" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
                  '<Relationship Id="rId2" Target="sharedStrings.xml" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                  '</Relationships>')


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def workbook(rows: list[list[str]], *, huge: int = 0, extra_cells: int = 0) -> bytes:
    """A workbook as Excel writes it: every text in the shared-string table. ``huge``: the last string of the
    last row is that many bytes of "A" (streamed into the archive, never held in memory); ``extra_cells``: the
    last row gets that many more (empty) cells."""
    strings: list[str] = []
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            cells.append(f'<c r="{_column(c)}{r}" t="s"><v>{len(strings)}</v></c>')
            strings.append(value)
        if r == len(rows):
            cells.append("<c/>" * extra_cells)  # no reference: each is the next column
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + "".join(sheet_rows) + "</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as handle:
            handle.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                         b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for i, text in enumerate(strings):
                if huge and i == len(strings) - 1:
                    handle.write(b"<si><t>")
                    chunk = b"A" * MB
                    for _ in range(huge // MB):
                        handle.write(chunk)
                    handle.write(b"</t></si>")
                else:
                    handle.write(f"<si><t>{escape(text)}</t></si>".encode())
            handle.write(b"</sst>")
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """The probe's file: 399 KB on disk, one shared string of 400 MB."""
    return workbook([HEADER, [*ROW[:-1], "x"]], huge=400 * MB)


@pytest.fixture
def analyst(make_user: Callable[..., User], tree: Tree) -> User:
    return make_user(Role.ANALYST, tree.north)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _nothing_imported() -> None:
    assert Platform.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import").exists()


def test_a_well_formed_shared_string_workbook_imports(analyst: User) -> None:
    result = import_platforms(workbook([HEADER, ROW]), "ok.xlsx", actor=analyst)
    assert result.ok, result.errors
    assert Platform.objects.get().notes == "备注"


def test_the_probes_400_mb_shared_string_is_refused_before_parsing(analyst: User, bomb: bytes) -> None:
    assert len(bomb) < 500 * 1024
    started = time.monotonic()
    result = import_platforms(bomb, "bomb.xlsx", actor=analyst)
    elapsed = time.monotonic() - started
    assert not result.ok
    [error] = result.errors
    assert "too large when unpacked" in error.message, error.message
    assert elapsed < 10, elapsed  # was 33 s (and 3 GB)
    _nothing_imported()


def test_an_absurd_compression_ratio_is_refused_even_under_the_size_limits(analyst: User) -> None:
    data = workbook([HEADER, [*ROW[:-1], "x"]], huge=8 * MB)  # 8 MB of one letter: ~1000:1
    [error] = import_platforms(data, "ratio.xlsx", actor=analyst).errors
    assert "compressed" in error.message, error.message
    _nothing_imported()


def test_a_cell_longer_than_a_spreadsheet_cell_can_be_is_refused_with_its_line(analyst: User) -> None:
    long_note = "注" * 40_000
    data = workbook([HEADER, ROW, [*ROW[:-1], long_note]])
    [error] = import_platforms(data, "long.xlsx", actor=analyst).errors
    assert error.line == 3
    assert "32767" in error.message.replace(",", ""), error.message
    _nothing_imported()


def test_a_long_csv_cell_is_refused_too(analyst: User) -> None:
    text = ",".join(HEADER) + "\n" + ",".join([*ROW[:-1], "注" * 40_000]) + "\n"
    [error] = import_platforms(text.encode(), "long.csv", actor=analyst).errors
    assert error.line == 2
    assert "32767" in error.message.replace(",", ""), error.message
    _nothing_imported()


def test_a_row_wider_than_a_spreadsheet_is_refused_before_parsing(analyst: User) -> None:
    data = workbook([HEADER, ROW], extra_cells=20_000)
    [error] = import_platforms(data, "wide.xlsx", actor=analyst).errors
    assert error.line == 2
    assert "cells" in error.message, error.message
    _nothing_imported()


def test_a_sheet_with_more_cells_than_an_import_can_hold_is_refused_before_parsing(
        analyst: User, settings: SettingsWrapper) -> None:
    settings.MAX_IMPORT_ROWS = 10  # at most 11 rows of 101 columns: 1,111 cells, each costs time to parse
    data = workbook([HEADER, ROW], extra_cells=1200)
    [error] = import_platforms(data, "cells.xlsx", actor=analyst).errors
    assert "The sheet has more than 1111 cells" in error.message, error.message
    _nothing_imported()


def test_rows_missing_from_the_sheet_cost_nothing(analyst: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row numbered 20,000 after the header: openpyxl hands out the 19,998 rows between as empty rows of 101
    cells each (a 1.5 KB file with row 1,048,576 took 10 s); they are skipped without looking at their cells."""
    looked_at = 0
    real = tabular._xlsx_cell

    def counting(value: Any) -> str:
        nonlocal looked_at
        looked_at += 1
        return real(value)

    monkeypatch.setattr(tabular, "_xlsx_cell", counting)
    data = workbook([HEADER, ROW])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b'<row r="2">', b'<row r="20000">').replace(b'2" t="s">', b'20000" t="s">')
            dst.writestr(info.filename, body)
    result = import_platforms(out.getvalue(), "gap.xlsx", actor=analyst)
    assert result.ok, result.errors
    assert looked_at < 1000, looked_at


def test_many_members_are_refused(analyst: User) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, zipfile.ZipFile(io.BytesIO(workbook([HEADER, ROW]))) as good:
        for info in good.infolist():
            archive.writestr(info.filename, good.read(info))
        for i in range(2000):
            archive.writestr(f"customXml/item{i}.xml", "<a/>")
    [error] = import_platforms(out.getvalue(), "many.xlsx", actor=analyst).errors
    assert "files" in error.message, error.message
    _nothing_imported()


def test_the_page_says_so_in_chinese(analyst: User, login: Callable[[User], Client], bomb: bytes) -> None:
    upload = io.BytesIO(bomb)
    upload.name = "平台.xlsx"
    response = login(analyst).post("/registry/import/", {"file": upload})  # Chinese: the default language
    assert response.status_code == 200
    assert "解压后过大" in response.content.decode()
    _nothing_imported()
