"""Generated documents: CJK fonts in DOCX, and PDF through LibreOffice with the Chinese text intact."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn

from youthsafe.core import documents


def test_chinese_document_names_a_cjk_font_for_body_and_headings() -> None:
    doc = documents.chinese_document()
    doc.add_heading("责令限期改正通知书", level=1)
    doc.add_paragraph("江城市公安局网安支队")
    reread = Document(io.BytesIO(documents.to_bytes(doc)))
    for style in ("Normal", "Heading 1"):
        fonts = reread.styles[style].element.rPr.find(qn("w:rFonts"))
        assert "CJK" in fonts.get(qn("w:eastAsia"))
    assert [p.text for p in reread.paragraphs] == ["责令限期改正通知书", "江城市公安局网安支队"]


@pytest.mark.skipif(not documents.pdf_available() or shutil.which("pdftotext") is None,
                    reason="PDF conversion needs LibreOffice and poppler-utils (scripts/test installs them)")
def test_pdf_keeps_the_chinese_text() -> None:
    doc = documents.chinese_document()
    doc.add_paragraph("整改期限：2023年3月31日前")
    pdf = documents.docx_to_pdf(documents.to_bytes(doc))
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    # LibreOffice spaces Latin digits from CJK text (autospace); the characters are all there, in order.
    assert "整改期限：2023年3月31日前" in "".join(text.split())


def test_conversion_without_libreoffice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "soffice_path", lambda: None)
    with pytest.raises(documents.DocumentError, match="LibreOffice"):
        documents.docx_to_pdf(b"not a document")
