"""Generated documents: a template's ``{{ placeholder }}`` text filled with figures, as Markdown, DOCX or PDF.

The placeholder syntax is deliberately tiny and safe: ``{{ name }}`` or ``{{ name.breakdown }}`` where name
is an indicator key or one of ``period``, ``from``, ``to``, ``jurisdiction``, ``today``, ``indicator_table``.
Nothing else is interpreted, so an edited template can never run code or read data it was not given.
Placeholders naming an indicator that is not installed become "—" and are reported back as warnings.

The Markdown used is a small subset that maps onto an official document: ``#`` title, ``##``/``###``
headings, paragraphs (one per line), ``- `` bullets, ``|`` tables and ``> `` lines aligned right (signature
and date).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from youthsafe.core import documents
from youthsafe.reports.models import ReportTemplate, TemplateKind
from youthsafe.reports.stats import Figure, Scope, breakdown_text

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.(breakdown))?\s*\}\}")
ANY_BRACES = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
CONTEXT_NAMES = ("period", "from", "to", "jurisdiction", "today", "indicator_table")
DEFAULTS: dict[str, tuple[str, TemplateKind]] = {
    "work_report": ("未成年人网络保护工作报告", TemplateKind.WORK_REPORT),
    "proposal_reply": ("提案答复", TemplateKind.PROPOSAL_REPLY),
}
MAX_TEMPLATE_CHARS = 50_000


def default_body(name: str) -> str:
    return resources.files("youthsafe.reports").joinpath("defaults", f"{name}.md").read_text(encoding="utf-8")


def ensure_defaults() -> None:
    """Copy the shipped templates into the table once (an operator's edits are never overwritten)."""
    for name, (title, kind) in DEFAULTS.items():
        if not ReportTemplate.objects.filter(name=name).exists():
            ReportTemplate.objects.get_or_create(name=name, defaults={"title": title, "kind": kind,
                                                                      "body": default_body(name)})


def get_template(name: str) -> ReportTemplate:
    ensure_defaults()
    found = ReportTemplate.objects.filter(name=name).first()
    if found is None:
        names = ", ".join(ReportTemplate.objects.values_list("name", flat=True))
        raise ValidationError(_("No report template %(name)r (there are: %(names)s)") % {"name": name, "names": names})
    return found


def check_syntax(body: str) -> list[str]:
    """The malformed placeholders of ``body`` (``{{ 1+1 }}``, ``{{ x.y.z }}``), to refuse on save."""
    return [m.group(0) for m in ANY_BRACES.finditer(body) if not PLACEHOLDER.fullmatch(m.group(0))]


def placeholders(body: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(body)]


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Rendered:
    markdown: str
    warnings: list[str] = field(default_factory=list)


def _table(figures: list[Figure]) -> str:
    lines = ["| 指标 | 数值 | 单位 |", "| --- | ---: | --- |"]
    lines += [f"| {f.indicator.label} | {f.value} | {f.indicator.unit} |" for f in figures]
    return "\n".join(lines)


def fill(body: str, figures: list[Figure], scope: Scope, *, today: dt.date) -> Rendered:
    """Replace every placeholder of ``body`` (figures already computed for ``scope``). Documents are
    Chinese whatever the reader's interface language."""
    with translation.override("zh-hans"):
        return _fill(body, figures, scope, today=today)


def _fill(body: str, figures: list[Figure], scope: Scope, *, today: dt.date) -> Rendered:
    by_key = {f.key: f for f in figures}
    context = {
        "period": f"{_chinese_date(scope.start)}至{_chinese_date(scope.end)}",
        "from": _chinese_date(scope.start), "to": _chinese_date(scope.end),
        "jurisdiction": scope.place_name, "today": _chinese_date(today), "indicator_table": _table(figures),
    }
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, part = match.group(1), match.group(2)
        if name in context and part is None:
            return context[name]
        figure = by_key.get(name)
        if figure is None:
            missing.append(match.group(0).strip("{} "))
            return "—"
        return breakdown_text(figure.breakdown) if part else str(figure.value)

    text = PLACEHOLDER.sub(replace, body)
    warnings = [_("Not available in this installation (shown as —): %(names)s") % {"names": ", ".join(
        sorted(set(missing)))}] if missing else []
    return Rendered(text, warnings)


_MD_INLINE = re.compile(r"\*\*(.+?)\*\*")


def _runs(paragraph: Any, text: str) -> None:
    """Add ``text`` with **bold** spans as runs."""
    pos = 0
    for m in _MD_INLINE.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos:m.start()])
        paragraph.add_run(m.group(1)).bold = True
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def _add_table(doc: Any, rows: list[str]) -> None:
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    rules = [r for r in cells if all(re.fullmatch(r":?-{3,}:?", c) for c in r)]
    right = {j for j, c in enumerate(rules[0]) if c.endswith(":")} if rules else set()
    cells = [r for r in cells if r not in rules]
    if not cells:
        return
    width = max(len(r) for r in cells)
    table = doc.add_table(rows=len(cells), cols=width)
    table.style = "Table Grid"
    for i, row in enumerate(cells):
        for j in range(width):
            cell = table.cell(i, j)
            cell.text = row[j] if j < len(row) else ""
            if j in right and i > 0:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in cell.paragraphs[0].runs:
                documents.set_font(run, documents.HEADING_FONT if i == 0 else documents.BODY_FONT, 10.5,
                                   bold=i == 0)


def to_docx(markdown: str) -> bytes:
    """The Markdown subset as a DOCX with CJK fonts: title centred, paragraphs indented two characters."""
    doc = documents.chinese_document()
    # Before anything else: a character XML cannot hold (from a template or a record name) becomes U+FFFD, and
    # the vertical tab or form feed that splitlines() would take for a line break with it.
    lines = documents.xml_text(markdown).splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i])
                i += 1
            _add_table(doc, block)
            continue
        i += 1
        if not line.strip():
            continue
        if line.startswith("# "):
            title = doc.add_paragraph(style="Title")
            title.alignment = WD_ALIGN_PARAGRAPH.CENTER
            documents.set_font(title.add_run(line[2:].strip()), documents.HEADING_FONT, 20, bold=True)
        elif line.startswith(("## ", "### ")):
            level = 1 if line.startswith("## ") else 2
            heading = doc.add_heading(level=level)
            documents.set_font(heading.add_run(line.lstrip("#").strip()), documents.HEADING_FONT,
                               16 if level == 1 else 14, bold=True)
        elif line.startswith("- "):
            _runs(doc.add_paragraph(style="List Bullet"), line[2:].strip())
        elif line.startswith(">"):
            para = doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _runs(para, line.lstrip("> ").strip())
        else:
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(24)
            para.paragraph_format.line_spacing = 1.5
            _runs(para, line.strip())
    return bytes(documents.to_bytes(doc))


def render(template: ReportTemplate, figures: list[Figure], scope: Scope, fmt: str, *,
           today: dt.date) -> tuple[bytes, str, list[str]]:
    """(content, content type, warnings) of ``template`` in ``fmt`` (md, docx or pdf)."""
    filled = fill(template.body, figures, scope, today=today)
    if fmt == "md":
        return filled.markdown.encode("utf-8"), "text/markdown; charset=utf-8", filled.warnings
    data = to_docx(filled.markdown)
    if fmt == "docx":
        return data, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", filled.warnings
    if fmt == "pdf":
        return documents.docx_to_pdf(data), "application/pdf", filled.warnings
    raise ValidationError(_("Choose the format md, docx or pdf."))
