"""CSV and XLSX of every indicator the reader may see, for a period and a jurisdiction: the figures with
their definitions, the monthly series, the breakdown by child jurisdiction, and every breakdown in long form
(one row per indicator, dimension and part: level or kind, jurisdiction, taxonomy category).

Text cells are defused (``core.cells``): a jurisdiction or label starting with ``=``, ``+``, ``-`` or ``@``
is shown as text by spreadsheet programs, never run as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from youthsafe.core import indicators as ind
from youthsafe.core.cells import safe_cell
from youthsafe.reports import categories
from youthsafe.reports.charts import month_labels
from youthsafe.reports.stats import Figure, Scope

HEADER = ["key", "指标", "数值", "单位", "定义", "起始日期", "截止日期", "辖区"]
BREAKDOWN_HEADER = ["key", "指标", "分项维度", "分项值", "分项名称", "数值", "起始日期", "截止日期", "辖区"]


def _safe(row: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def _main_rows(figures: list[Figure], scope: Scope) -> list[list[Any]]:
    return [_safe([f.key, str(f.indicator.label), f.value, str(f.indicator.unit), str(f.indicator.definition),
                   scope.start.isoformat(), scope.end.isoformat(), scope.place_name]) for f in figures]


def breakdown_rows(figures: list[Figure], scope: Scope) -> list[list[Any]]:
    """Long form: ``key, label, dimension, value, name, figure, from, to, place``. Dimensions: the indicator's
    own breakdown (``level``, ``kind``...), ``jurisdiction`` (each child of the scope's place, and the place
    itself for records placed directly on it) and ``category`` (a record under each of its categories)."""
    rows: list[list[Any]] = []
    tail = [scope.start.isoformat(), scope.end.isoformat(), scope.place_name]
    for f in figures:
        head = [f.key, str(f.indicator.label)]
        args = (f.indicator, scope.start, scope.end, scope.jurisdiction)
        for value, label, n in ind.by_breakdown(*args):
            rows.append([*head, f.indicator.breakdown, value, label, n, *tail])
        for child, n in ind.by_child(*args):
            place = child or scope.jurisdiction
            name = child.name if child else f"{scope.place_name}（本级）"
            rows.append([*head, "jurisdiction", place.code if place else "", name, n, *tail])
        for cid, label, n in categories.by_category(*args):
            rows.append([*head, "category", cid, label, n, *tail])
    return [_safe(r) for r in rows]


def to_csv(figures: list[Figure], scope: Scope, *, table: str = "figures") -> bytes:
    """``table``: ``figures`` (one row per indicator with its months) or ``breakdowns`` (long form)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if table == "breakdowns":
        writer.writerow(BREAKDOWN_HEADER)
        writer.writerows(breakdown_rows(figures, scope))
    else:
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
        monthly.append(_safe([f.key, str(f.indicator.label), *(v for _m, v in f.months)]))
    places = book.create_sheet("按辖区")
    places.append(["key", "指标", "辖区", "数值"])
    for f in figures:
        for child, value in ind.by_child(f.indicator, scope.start, scope.end, scope.jurisdiction):
            name = child.name if child else f"{scope.place_name}（本级）"
            places.append(_safe([f.key, str(f.indicator.label), name, value]))
    parts = book.create_sheet("分项")
    parts.append(BREAKDOWN_HEADER)
    for row in breakdown_rows(figures, scope):
        parts.append(row)
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["B"].width = 24
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
