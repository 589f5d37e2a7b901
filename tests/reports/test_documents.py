"""Generated documents: placeholders are filled safely, DOCX carries the Chinese text and figures with CJK
fonts, PDF (through LibreOffice) shows them to pdftotext, templates are edited with an audit row."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from docx import Document

from tests.conftest import Tree
from tests.reports.records import END, START, build, expected
from youthsafe.core import documents
from youthsafe.core import indicators as ind
from youthsafe.core.models import AuditEvent, User
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
