"""The rectification notice as PDF: Chinese text comes out of the PDF (rendered with CJK fonts)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Tree
from tests.supervision.factories import delivered_order, inspected, platform
from youthsafe.core.documents import docx_to_pdf, pdf_available
from youthsafe.core.models import User
from youthsafe.supervision import documents

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not pdf_available() or shutil.which("pdftotext") is None, reason="needs LibreOffice and poppler")
def test_notice_pdf_has_the_chinese_text_and_fonts(tree: Tree, make_user: Callable[..., User], tmp_path: Path) -> None:
    admin = make_user("administrator")
    order = delivered_order(inspected(platform(tree.north, admin), admin, admin), admin, days=10)
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(docx_to_pdf(documents.rectification_notice(order)))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout.replace(" ", "")  # pdftotext spaces digits from CJK
    for expected in ("责令限期改正通知书", order.number, "青苗互动科技有限公司", "未成年人模式缺少消费限额",
                     "2026年3月12日", "行政复议"):
        assert expected in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout
    assert "CJK" in fonts
