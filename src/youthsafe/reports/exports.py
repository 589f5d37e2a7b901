"""CSV and XLSX of every indicator the reader may see, for a period and a jurisdiction: the figures with
their definitions, the monthly series and the breakdown by child jurisdiction."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from youthsafe.core import indicators as ind
from youthsafe.reports.charts import month_labels
from youthsafe.reports.stats import Figure, Scope

HEADER = ["key", "指标", "数值", "单位", "定义", "起始日期", "截止日期", "辖区"]


def _main_rows(figures: list[Figure], scope: Scope) -> list[list[Any]]:
    return [[f.key, str(f.indicator.label), f.value, str(f.indicator.unit), str(f.indicator.definition),
             scope.start.isoformat(), scope.end.isoformat(), scope.place_name] for f in figures]


def to_csv(figures: list[Figure], scope: Scope) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    months = [m for m, _v in figures[0].months] if figures and figures[0].months else []
    writer.writerow([*HEADER, *month_labels(months)] if months else HEADER)
    for row, figure in zip(_main_rows(figures, scope), figures, strict=True):
        writer.writerow([*row, *(v for _m, v in figure.months)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese CSV correctly


def to_xlsx(figures: list[Figure], scope: Scope) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook has one sheet)
    sheet.title = "指标"
    sheet.append(HEADER)
    for row in _main_rows(figures, scope):
        sheet.append(row)
    months = [m for m, _v in figures[0].months] if figures and figures[0].months else []
    monthly = book.create_sheet("按月")
    monthly.append(["key", "指标", *month_labels(months)])
    for f in figures:
        monthly.append([f.key, str(f.indicator.label), *(v for _m, v in f.months)])
    places = book.create_sheet("按辖区")
    places.append(["key", "指标", "辖区", "数值"])
    for f in figures:
        for child, value in ind.by_child(f.indicator, scope.start, scope.end, scope.jurisdiction):
            name = child.name if child else f"{scope.place_name}（本级）"
            places.append([f.key, str(f.indicator.label), name, value])
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["B"].width = 24
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
