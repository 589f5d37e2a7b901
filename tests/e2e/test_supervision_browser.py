"""Plan, inspect with a failed item, sign off, issue an order, pass the deadline and see it flagged, record the
refusal, impose a disconnection (proposed by the analyst, approved by the leader), download the notice and see
its Chinese text rendered in the PDF: a CJK font embedded, the first page rendered to a PNG that is not blank
(kept at /tmp/notice-page1.png to be looked at), and the DOCX's text with the title and the platform."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from django.utils import timezone

from tests.conftest import Tree
from tests.e2e.helpers import login
from tests.supervision.factories import platform
from youthsafe.core.documents import pdf_available
from youthsafe.core.models import User
from youthsafe.registry.controls import controls_for
from youthsafe.supervision.models import Inspection, RectificationOrder, Sanction
from youthsafe.supervision.services import nightly

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("YOUTHSAFE_SCREENSHOTS", "")
NOTICE_PNG = Path("/tmp/notice-page1.png")  # noqa: S108  (a fixed place to look at the rendered page)


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _logout(page: Any) -> None:
    page.click("button:has-text('退出')")


def _step(page: Any, link: str, fields: dict[str, str], button: str | None = None) -> None:
    page.click(f"a.button:has-text('{link}')")
    for selector, value in fields.items():
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.click(f"form.card button[type=submit]:has-text('{button or link}')")
    page.wait_for_selector(f"text=已完成：{button or link}")


def test_inspection_to_disconnection_and_the_notice(page: Any, live_server: Any, tree: Tree,
                                                    make_user: Callable[..., User], tmp_path: Path) -> None:
    admin = make_user("administrator")
    analyst = make_user("analyst", tree.north, username="analyst-north")
    leader = make_user("leader", tree.city, username="leader-city")
    target = platform(tree.north, admin)
    base = live_server.url
    today = timezone.localdate()

    login(page, base, analyst)
    page.click("nav >> a:text-is('监督检查')")
    page.click("a.button:has-text('新建计划')")
    page.fill("#id_name", "教育平台季度检查")
    page.select_option("#id_jurisdiction", str(tree.north.pk))
    page.select_option("#id_kind", "education")
    page.fill("#id_interval_months", "3")
    page.fill("#id_start_date", (today - dt.timedelta(days=3)).isoformat())
    page.fill("#id_joint_department", "区教育局")
    page.click("button:has-text('保存')")
    page.wait_for_selector(f"tr.overdue[data-platform='{target.pk}']")  # due three days ago: overdue
    _shot(page, "calendar")
    page.click(f"tr[data-platform='{target.pk}'] a:has-text('检查')")
    page.click("button:has-text('保存')")
    _shot(page, "after-create")
    page.wait_for_selector("h1:has-text('检查 · 青苗作业帮')")
    inspection = Inspection.objects.get()
    assert inspection.joint_department == "区教育局"
    page.click("tr[data-control='MP-9-MINORMODE'] a:has-text('记录')")
    page.select_option("#id_result", "failed")
    page.select_option("#id_severity", "high")
    page.fill("#id_note", "未成年人模式可被绕过，缺少消费限额")
    page.click("button:has-text('记录检查项')")
    page.wait_for_selector("text=已完成：记录检查项")
    _step(page, "其余检查项记为符合", {"#id_note": "逐项查看演示环境和制度文件"})
    assert inspection.items.filter(result="passed").count() == len(controls_for(target.kind)) - 1
    assert "不符合" in page.inner_text("tr[data-control='MP-9-MINORMODE']")
    _step(page, "提交签发", {"#id_summary": "检查22项，发现问题1项"})
    _shot(page, "inspection")
    _logout(page)

    login(page, base, leader)
    page.goto(f"{base}/supervision/inspections/{inspection.pk}/")
    page.click("button:has-text('签发')")
    page.wait_for_selector("text=已完成：签发")
    assert Inspection.objects.get().number.endswith(f"〔{today.year}〕001号")
    _logout(page)

    login(page, base, analyst)
    page.goto(f"{base}/supervision/inspections/{inspection.pk}/")
    page.click("a.button:has-text('起草责令改正通知')")
    assert page.input_value("#id_period_days") == "15"  # the configured default
    page.fill("#id_legal_basis", "《未成年人网络保护条例》第四十三条")
    page.fill("#id_period_days", "10")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=通知已起草")
    _step(page, "签发通知", {"#id_issued_on": (today - dt.timedelta(days=13)).isoformat()})
    _step(page, "登记送达", {"#id_delivered_on": (today - dt.timedelta(days=12)).isoformat(), "#id_method": "直接送达"})
    order = RectificationOrder.objects.get()
    assert order.deadline == today - dt.timedelta(days=2)
    assert page.inner_text("#order-status") == "已送达，整改中"
    assert nightly.run().orders == [order.pk]  # the operator's nightly job runs
    page.reload()
    assert page.inner_text("#order-status") == "逾期"
    _step(page, "认定拒不改正", {"#id_evidence": "期限届满未整改，平台负责人书面答复不予整改"})
    assert "平台负责人书面答复不予整改" in page.inner_text(".refusal")
    _shot(page, "order")
    page.click("a.button:has-text('提请处罚')")
    page.select_option("#id_kind", "disconnection")
    page.fill("#id_statute", "《计算机信息网络国际联网安全保护管理办法》第二十一条")
    page.fill("#id_reason", "责令限期改正后拒不改正")
    page.fill("#id_start_date", today.isoformat())
    page.fill("#id_end_date", (today + dt.timedelta(days=400)).isoformat())
    page.click("form.card button[type=submit]:has-text('提请处罚')")
    page.wait_for_selector("text=不超过6个月")  # longer than the law allows: refused with a clear message
    page.fill("#id_end_date", (today + dt.timedelta(days=90)).isoformat())
    page.click("form.card button[type=submit]:has-text('提请处罚')")
    page.wait_for_selector("text=处罚已提请")
    assert page.locator("a.button:has-text('批准')").count() == 0  # the proposer never approves
    sanction = Sanction.objects.get()
    _logout(page)

    login(page, base, leader)
    page.goto(f"{base}/supervision/sanctions/{sanction.pk}/")
    _step(page, "批准", {"#id_note": "同意停止联网三个月"})
    _logout(page)

    login(page, base, analyst)
    page.goto(f"{base}/supervision/sanctions/{sanction.pk}/")
    _step(page, "登记执行", {"#id_note": "已通知接入服务商"})
    assert page.inner_text("#sanction-status") == "已执行"
    target.refresh_from_db()
    assert target.status == "disconnected"
    page.goto(f"{base}/supervision/orders/{order.pk}/")
    with page.expect_download() as download:
        page.click("a:has-text('责令改正通知书（DOCX）')")
    assert download.value.suggested_filename == f"notice-{order.pk}.docx"
    docx_path = tmp_path / "notice.docx"
    download.value.save_as(docx_path)
    words = "\n".join(p.text for p in docx.Document(str(docx_path)).paragraphs)
    assert "责令限期改正通知书" in words
    assert f"“{target.name}”" in words
    assert target.operator in words
    if not pdf_available() or shutil.which("pdftotext") is None:
        pytest.skip("PDF needs LibreOffice and poppler")
    with page.expect_download(timeout=120_000) as download:
        page.click("a:has-text('责令改正通知书（PDF）')")
    pdf = tmp_path / "notice.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "责令限期改正通知书" in text.replace(" ", "")
    assert "青苗互动科技有限公司" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout
    # name, type, encoding, emb, sub, uni, object, id: the Chinese text is set in an embedded CJK font.
    cjk = [line.split() for line in fonts.splitlines()[2:] if "CJK" in line or "WenQuanYi" in line]
    assert cjk, fonts
    assert any(cols[-5] == "yes" for cols in cjk), fonts
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "page1")], check=True)
    png = (tmp_path / "page1.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    NOTICE_PNG.write_bytes(png)
    assert _ink(pdf) > 0.005  # more than half a percent of the page is text, not an empty white page
    if SHOTS:
        shutil.copy(NOTICE_PNG, Path(SHOTS) / "notice.png")


def _ink(pdf: Path) -> float:
    """The share of dark pixels on the first page, from a greyscale PGM rendering (no imaging library)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(pdf.with_suffix(""))], check=True)
    data = pdf.with_suffix(".pgm").read_bytes()
    fields = data.split(maxsplit=4)  # P5 width height maxval pixels
    assert fields[0] == b"P5"
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4][-width * height:]
    return sum(1 for value in pixels if value < 128) / len(pixels)
