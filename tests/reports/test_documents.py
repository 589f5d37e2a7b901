"""Generated documents: placeholders are filled safely, DOCX carries the Chinese text and figures with CJK
fonts, PDF (through LibreOffice) shows them to pdftotext, templates are edited with an audit row."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from tests.conftest import Tree
from tests.reports.records import END, START, Built, build, expected, expected_levels, within
from youthsafe.core import documents
from youthsafe.core import indicators as ind
from youthsafe.core.models import AuditEvent, Jurisdiction, User
from youthsafe.outreach.models import EventKind
from youthsafe.reports import rendering, services, stats
from youthsafe.reports.models import ReportTemplate

TODAY = dt.date(2023, 7, 12)


def _figures(tree: Tree) -> tuple[list[stats.Figure], stats.Scope]:
    scope = stats.Scope(START, END, tree.city)
    return stats.figures(ind.all_indicators(), scope, breakdown=True), scope


def test_placeholders_are_filled_and_nothing_else_is_interpreted(tree: Tree) -> None:
    figures, scope = _figures(tree)
    body = ("{{ jurisdiction }} {{ period }} {{brochures}} {{ warnings_issued.breakdown }} {{ no_such_key }}\n"
            "{% load static %} {{ settings.SECRET_KEY }} {{ ''.__class__ }}")
    filled = rendering.fill(body, figures, scope, today=TODAY)
    assert filled.markdown.startswith("江城市 2023年1月1日至2023年7月10日 0 — —")
    assert "{% load static %}" in filled.markdown  # left as text: no template engine runs
    assert "no_such_key" in filled.warnings[0]
    assert rendering.check_syntax(body) == ["{{ settings.SECRET_KEY }}", "{{ ''.__class__ }}"]
    assert rendering.check_syntax(rendering.default_body("work_report")) == []
    assert rendering.check_syntax(rendering.default_body("proposal_reply")) == []


def test_docx_has_the_chinese_text_figures_table_and_cjk_font(tree: Tree, make_user: Callable[..., User]) -> None:
    built = build(tree, make_user("administrator"))
    figures, scope = _figures(tree)
    data, content_type, _warnings = rendering.render(rendering.get_template("work_report"), figures, scope, "docx",
                                                      today=TODAY)
    assert content_type.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    want = expected(built, START, END, tree.city)
    assert doc.paragraphs[0].text == "江城市未成年人网络保护工作报告"
    assert f"发放宣传册{want['brochures']}份" in text
    assert f"其中未成年人{want['minors_reached_safe']}人" in text
    assert "2023年7月12日" in text
    table = doc.tables[0]
    rows = {r.cells[0].text: r.cells[1].text for r in table.rows}
    assert rows["指标"] == "数值"
    assert rows["宣传册发放"] == str(want["brochures"])
    assert 'w:eastAsia="Noto Serif CJK SC"' in doc.styles["Normal"].element.xml


@pytest.mark.skipif(not documents.pdf_available() or shutil.which("pdftotext") is None,
                    reason="PDF needs LibreOffice and poppler-utils (scripts/test installs them)")
def test_pdf_shows_the_chinese_text_and_figures(tree: Tree, make_user: Callable[..., User], tmp_path: Path) -> None:
    built = build(tree, make_user("administrator"))
    out = tmp_path / "reply.pdf"
    call_command("report", "--from", START.isoformat(), "--to", END.isoformat(), "--jurisdiction", "JC",
                 "--template", "proposal_reply", "--format", "pdf", "--out", str(out), stderr=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True,
                          text=True).stdout
    want = expected(built, START, END, tree.city)
    compact = "".join(text.split())
    assert "关于加强未成年人网络保护的提案的答复" in compact
    assert f"网络安全进校园讲座{want['school_lectures']}场" in compact
    assert f"发放宣传册{want['brochures']}份" in compact
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, check=True, text=True).stdout
    assert "CJK" in fonts


def test_template_editing_is_checked_audited_and_resettable(db: None, make_user: Callable[..., User]) -> None:
    leader = make_user("leader")
    template = rendering.get_template("work_report")
    with pytest.raises(ValidationError):
        services.do_save_template(template, actor=leader, name="work_report", title="x", kind="work_report",
                                  body="{{ __import__('os') }}")
    saved = services.do_save_template(template, actor=leader, name="work_report", title="年度报告",
                                      kind="work_report", body="# {{ jurisdiction }}年度报告\n宣传册{{ brochures }}份")
    assert saved.version == template.version + 1
    with pytest.raises(ValidationError, match="其他人已保存"):
        services.do_save_template(template, actor=leader, name="work_report", title="旧", kind="work_report",
                                  body="旧", version=template.version)
    assert AuditEvent.objects.filter(object_type="reports.reporttemplate", action="change").count() == 1
    reset = services.do_reset_template(saved, actor=leader)
    assert reset.body == rendering.default_body("work_report")
    analyst = make_user("analyst")
    with pytest.raises(Exception, match="角色"):
        services.do_save_template(None, actor=analyst, name="mine", title="t", kind="other", body="x")


def test_download_from_the_ui_is_audited(tree: Tree, make_user: Callable[..., User],
                                         login: Callable[[User], Client]) -> None:
    built = build(tree, make_user("administrator"))
    client = login(make_user("leader"))
    response = client.get("/reports/document/", {"template": "work_report", "fmt": "docx", "from": "2023-01-01",
                                                "to": "2023-07-10", "jurisdiction": tree.city.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert Document(io.BytesIO(response.content)).paragraphs[0].text.startswith("江城市")
    row = AuditEvent.objects.filter(action="export", object_type="reports.reporttemplate").get()
    assert row.after["format"] == "docx"
    assert row.after["figures"]["brochures"] == expected(built, START, END, tree.city)["brochures"]
    bad = client.get("/reports/document/", {"template": "work_report", "fmt": "docx", "from": "2023-13-01"})
    assert bad.status_code == 302


def test_report_command_refuses_bad_input(db: None, tmp_path: Path) -> None:
    base = ["--from", "2023-01-01", "--to", "2023-07-10", "--format", "md", "--out", str(tmp_path / "r.md")]
    with pytest.raises(CommandError, match="没有辖区 'NOPE'"):
        call_command("report", *base, "--jurisdiction", "NOPE")
    with pytest.raises(CommandError, match="早于起始日期"):
        call_command("report", "--from", "2023-07-10", "--to", "2023-01-01", "--jurisdiction", "1",
                     "--out", str(tmp_path / "r.md"))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("stats", "--from", "yesterday", "--to", "2023-01-01")
    assert not ReportTemplate.objects.filter(name="missing").exists()


# ---------------------------------------------------------------- every figure of the shipped templates

def _chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _expected_breakdown(built: Built, key: str, root: Jurisdiction) -> str:
    """The ``{{ key.breakdown }}`` text counted from the records' specification."""
    if key == "warnings_issued":
        levels = expected_levels(built, START, END, root)
        parts = [(f"L{level}", levels.get(str(level), 0)) for level in range(10, -1, -1)]
    elif key == "outreach_events":
        held = [e for e in built.events if e.status == "held" and START <= e.day <= END
                and within(getattr(built.tree, e.place), root)]
        with translation.override("zh-hans"):
            parts = [(str(label), sum(e.kind == value for e in held)) for value, label in EventKind.choices]
    else:
        raise AssertionError(f"the test has no independent count for {key}.breakdown: add one")
    shown = [f"{label} {n}" for label, n in parts if n]
    return "、".join(shown) if shown else "—"


def _expected_markdown(body: str, built: Built, root: Jurisdiction) -> str:
    """The template filled by the test itself: every figure from the independent count (expected())."""
    want = expected(built, START, END, root)
    with translation.override("zh-hans"):
        table = ["| 指标 | 数值 | 单位 |", "| --- | ---: | --- |", *(
            f"| {i.label} | {want[i.key]} | {i.unit} |" for i in ind.all_indicators())]
    context = {"period": f"{_chinese(START)}至{_chinese(END)}", "from": _chinese(START), "to": _chinese(END),
               "jurisdiction": root.name, "today": _chinese(TODAY), "indicator_table": "\n".join(table)}

    def fill(match: re.Match[str]) -> str:
        name, part = match.group(1), match.group(2)
        if part:
            return _expected_breakdown(built, name, root)
        return context[name] if name in context else str(want[name])

    return re.sub(r"\{\{\s*(\w+)(?:\.(breakdown))?\s*\}\}", fill, body)


def _lines(markdown: str) -> tuple[list[str], list[list[str]]]:
    """(paragraph texts, table rows) a DOCX made from ``markdown`` must show."""
    paragraphs, rows = [], []
    for line in markdown.splitlines():
        text = line.strip()
        if not text:
            continue
        if text.startswith("|"):
            cells = [c.strip() for c in text.strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                rows.append(cells)
            continue
        text = re.sub(r"^(#+ |- |> ?)", "", text).replace("**", "").strip()
        paragraphs.append(text)
    return paragraphs, rows


def _compact(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("name", ["work_report", "proposal_reply"])
def test_every_placeholder_and_table_row_in_md_docx_and_pdf(tree: Tree, make_user: Callable[..., User],
                                                              name: str) -> None:
    built = build(tree, make_user("administrator"))
    figures, scope = _figures(tree)
    template = rendering.get_template(name)
    assert rendering.placeholders(template.body), "the shipped template has figures to check"
    want_md = _expected_markdown(template.body, built, tree.city)
    md, _type, warnings = rendering.render(template, figures, scope, "md", today=TODAY)
    assert warnings == []
    assert md.decode("utf-8") == want_md
    paragraphs, rows = _lines(want_md)
    if "{{ indicator_table }}" in template.body:
        assert len(rows) == len(ind.all_indicators()) + 1

    docx, _type, _w = rendering.render(template, figures, scope, "docx", today=TODAY)
    doc = Document(io.BytesIO(docx))
    assert [p.text for p in doc.paragraphs if p.text.strip()] == paragraphs
    assert [[c.text for c in r.cells] for t in doc.tables for r in t.rows] == rows

    if not documents.pdf_available() or shutil.which("pdftotext") is None:
        pytest.skip("PDF needs LibreOffice and poppler-utils (scripts/test installs them); md and DOCX checked")
    pdf, _type, _w = rendering.render(template, figures, scope, "pdf", today=TODAY)
    text = _compact(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
                    .decode())
    missing = [p for p in paragraphs if _compact(p) not in text]
    assert missing == [], missing
    if rows:
        layout = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                                check=True).stdout.decode()
        assert _compact("".join(rows[0])) in _compact(layout)
        shown = _pdf_rows(layout)
        missing_rows = [r for r in rows[1:] if not any(_same_row(r, row) for row in shown)]
        assert missing_rows == [], (missing_rows, layout)


def _pdf_rows(layout: str) -> list[tuple[str, str, str, str]]:
    """(label's first line, value, unit, the lines that follow) of each table row in pdftotext's layout: a
    long label wraps inside its cell onto the next lines."""
    lines = layout.splitlines()
    found = []
    for n, line in enumerate(lines):
        m = re.fullmatch(r"\s*(\S+)\s{2,}(\d+)(?:\s+(\S+))?\s*", line)
        if m:
            found.append((m.group(1), m.group(2), m.group(3) or "", _compact("".join(lines[n + 1:n + 3]))))
    return found


def _same_row(want: list[str], row: tuple[str, str, str, str]) -> bool:
    label, value, unit = (_compact(c) for c in want)
    first, shown_value, shown_unit, after = row
    return (shown_value, shown_unit) == (value, unit) and label.startswith(first) and (
        after.startswith(label[len(first):]))


# ---------------------------------------------------------------- rendered pages and the Chinese face

def _pages(pdf: Path, stem: Path) -> list[bytes]:
    """Each page as 8-bit grey pixels (PGM from pdftoppm, header stripped)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "40", str(pdf), str(stem)], check=True, capture_output=True)
    pages = []
    for page in sorted(stem.parent.glob(f"{stem.name}*.pgm")):
        data = page.read_bytes()
        header = data.split(b"\n", 3)  # P5, width height, maxval, pixels
        pages.append(header[3])
    return pages


def _ink(pixels: bytes) -> float:
    return sum(1 for b in pixels if b < 128) / max(len(pixels), 1)


def _save_png(pdf: Path, name: str) -> None:
    folder = os.environ.get("YOUTHSAFE_SCREENSHOTS")
    if folder:
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(Path(folder) / name)], check=True, capture_output=True)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RENDER_TOOLS = documents.pdf_available() and shutil.which("pdftoppm") is not None and shutil.which("pdffonts")


@pytest.mark.skipif(not RENDER_TOOLS, reason="rendering pages needs LibreOffice (soffice) and poppler-utils "
                                             "(pdftoppm, pdffonts); scripts/test installs them")
def test_docx_and_pdf_render_to_pages_with_ink_and_cjk_fonts(tree: Tree, make_user: Callable[..., User],
                                                              tmp_path: Path) -> None:
    build(tree, make_user("administrator"))
    figures, scope = _figures(tree)
    template = rendering.get_template("work_report")
    docx, _t, _w = rendering.render(template, figures, scope, "docx", today=TODAY)
    pdf, _t, _w = rendering.render(template, figures, scope, "pdf", today=TODAY)
    from_docx = tmp_path / "from-docx.pdf"
    from_docx.write_bytes(documents.docx_to_pdf(docx))  # the DOCX as a reader's office suite lays it out
    generated = tmp_path / "generated.pdf"
    generated.write_bytes(pdf)
    for pdf_file, stem in ((from_docx, "docx"), (generated, "pdf")):
        pages = _pages(pdf_file, tmp_path / stem)
        assert pages, f"{stem}: no page rendered"
        assert 0.005 < _ink(pages[0]) < 0.5, f"{stem}: the first page is blank or solid"
        assert all(_ink(p) > 0.001 for p in pages), f"{stem}: a blank page"
        fonts = subprocess.run(["pdffonts", str(pdf_file)], capture_output=True, check=True, text=True).stdout
        # The Noto CJK collection shares one glyph table named after its first (JP) face, so the embedded name
        # says "jp" whichever face was chosen; which forms are drawn is checked in the next test.
        assert re.search(r"Noto(Serif|Sans)CJK", fonts), fonts
    _save_png(from_docx, "report-docx-p1")
    _save_png(generated, "report-pdf-p1")


def _probe(font: str | None, lang: str = "") -> bytes:
    """A paragraph, a bullet and a table cell of characters whose Simplified Chinese and Japanese forms differ,
    in ``font`` and ``lang`` or (None) in the document's own styles and defaults."""
    doc = documents.chinese_document()
    runs = [doc.add_paragraph().add_run("骨直角今半"), doc.add_paragraph(style="List Bullet").add_run("骨直角")]
    table = doc.add_table(rows=1, cols=1)
    runs.append(table.cell(0, 0).paragraphs[0].add_run("今半骨"))
    for run in runs:
        run.font.size = Pt(36)
        if font is not None:
            documents.set_font(run, font)
            run._element.get_or_add_rPr().append(etree.fromstring(
                f'<w:lang xmlns:w="{W_NS}" w:eastAsia="{lang}"/>'))
        else:
            run.font.name = documents.LATIN_FONT  # the same Latin font as set_font, East Asian from the styles
    return documents.docx_to_pdf(documents.to_bytes(doc))


@pytest.mark.skipif(not RENDER_TOOLS, reason="rendering pages needs LibreOffice (soffice) and poppler-utils")
def test_chinese_text_is_drawn_in_the_simplified_chinese_forms(tmp_path: Path) -> None:
    """The documents' styles and defaults ask for Noto Serif CJK SC in zh-CN: drawn exactly as the SC face
    draws it, not as the JP face of the same collection (whose forms of 骨, 直, 角, 今 differ)."""
    doc = documents.chinese_document()
    defaults = etree.tostring(doc.styles.element.find(qn("w:docDefaults"))).decode()
    assert 'w:eastAsia="Noto Serif CJK SC"' in defaults
    assert 'w:eastAsia="zh-CN"' in defaults
    rendered = {}
    # The forms follow the language as much as the face (OpenType locl): the references name both.
    for name, font, lang in (("styles", None, ""), ("sc", documents.BODY_FONT, "zh-CN"),
                             ("jp", "Noto Serif CJK JP", "ja-JP")):
        target = tmp_path / f"{name}.pdf"
        target.write_bytes(_probe(font, lang))
        rendered[name] = _pages(target, tmp_path / name)
    assert rendered["sc"] != rendered["jp"], "the two faces draw these characters alike: the probe proves nothing"
    assert rendered["styles"] == rendered["sc"]


def test_a_template_or_a_name_with_control_characters_still_makes_a_document(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    """Issue 16, item 6: a template saved with \\x01 (before the input rule, or by a command) and a jurisdiction
    name with a vertical tab made the DOCX and PDF a server error; XML cannot hold them, so the document shows
    U+FFFD where they were."""
    rendering.ensure_defaults()
    body = "# 工作\x01报告\n\n{{ jurisdiction }}：{{ period }}\x0c"
    ReportTemplate.objects.filter(name="work_report").update(body=body)
    Jurisdiction.objects.filter(pk=tree.city.pk).update(name="江城\x0b市")
    client = login(make_user("leader"))
    query = {"template": "work_report", "from": "2023-01-01", "to": "2023-07-10", "jurisdiction": tree.city.pk}
    response = client.get("/reports/document/", {**query, "fmt": "docx"})
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "工作\ufffd报告" in text
    assert "江城\ufffd市" in text
    assert not any(ch in text for ch in "\x01\x0b\x0c")
    pdf = client.get("/reports/document/", {**query, "fmt": "pdf"})
    if documents.pdf_available():
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
    else:  # back to the page with the reason (no LibreOffice), not a server error
        assert pdf.status_code == 302
