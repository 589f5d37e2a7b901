"""The rectification notice as PDF: Chinese text comes out of the PDF (rendered with CJK fonts)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from django.test import Client

from tests.conftest import Tree
from tests.supervision.factories import delivered_order, inspected, platform
from youthsafe.core.documents import docx_to_pdf, pdf_available
from youthsafe.core.models import User
from youthsafe.supervision import documents

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not pdf_available() or shutil.which("pdftotext") is None, reason="needs LibreOffice and poppler")
def test_notice_pdf_has_the_chinese_text_and_fonts(tree: Tree, make_user: Callable[..., User], tmp_path: Path) -> None:
    admin = make_user("administrator")
    order = delivered_order(inspected(platform(tree.north, admin), admin, make_user("leader")), admin, days=10)
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(docx_to_pdf(documents.rectification_notice(order)))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout.replace(" ", "")  # pdftotext spaces digits from CJK
    for expected in ("责令限期改正通知书", order.number, "青苗互动科技有限公司", "未成年人模式缺少消费限额",
                     "2026年3月12日", "行政复议"):
        assert expected in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout
    assert "CJK" in fonts


# Records written before the input rule (or by a command that bypasses the pages) may hold characters XML cannot
# (issue 16, item 6): a platform name with a vertical tab made its inspection record a server error.
NOT_XML = "\x0b\x01\x02\x0c\x1f\x08"


def _text_of(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_documents_of_records_with_control_characters_are_made(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    admin, leader = make_user("administrator"), make_user("leader")
    target = platform(tree.north, admin, name="星河\x0b学堂", operator="甲\x01公司")
    type(target).objects.filter(pk=target.pk).update(icp_number="浙ICP\x02备")  # past the model's check
    signed = inspected(target, admin, leader)
    signed.items.filter(result="failed").update(note="缺少\x1f限额")
    order = delivered_order(signed, admin, days=10)
    type(order).objects.filter(pk=order.pk).update(problems="问题一\x0c；问题二", requirements="整改\x08")
    order.refresh_from_db()
    record, notice = documents.inspection_record(signed), documents.rectification_notice(order)
    for data in (record, notice):
        text = _text_of(data)
        assert not any(ch in text for ch in NOT_XML)
    assert "星河\ufffd学堂" in _text_of(record)  # marked where the character was, not silently dropped
    assert "甲\ufffd公司" in _text_of(notice)
    client = login(leader)
    for url in (f"/supervision/inspections/{signed.pk}/record.docx", f"/supervision/orders/{order.pk}/notice.docx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "星河\ufffd学堂" in _text_of(response.content)
    pdf = client.get(f"/supervision/inspections/{signed.pk}/record.pdf")
    if pdf_available():
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
    else:  # the DOCX was made; only its conversion is missing, and the page says so
        assert pdf.status_code == 503
        assert b"LibreOffice" in pdf.content


def test_the_input_rule_stops_a_control_character_before_it_reaches_a_document(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    admin = make_user("administrator")
    target = platform(tree.north, admin)
    client = login(admin)
    response = client.post(f"/registry/{target.pk}/edit/", {
        "name": "青苗\x0b作业帮", "kind": "education", "operator": "青苗互动科技有限公司",
        "jurisdiction": tree.north.pk, "status": "active", "registered_users": 5000, "minor_users": 1000,
        "version": target.version})
    assert response.status_code == 200
    assert "U+000B" in str(response.context["form"].errors["name"])
    target.refresh_from_db()
    assert target.name == "青苗作业帮"
