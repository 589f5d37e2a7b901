"""Generated documents: DOCX in Chinese, and PDF converted from it by LibreOffice.

Every app that writes a document (the rectification notice, the inspection record, the work report) builds
it with ``chinese_document`` so Chinese text uses a CJK font in Word, WPS and LibreOffice alike, and turns it
into PDF with ``docx_to_pdf``. PDF needs LibreOffice (Debian's ``libreoffice-writer-nogui``; scripts/test
installs it); without it ``docx_to_pdf`` raises ``DocumentError`` with a clear reason.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

# Fonts named in the document. Readers substitute by name: Word on Windows has SimSun/SimHei; Debian's
# fonts-noto-cjk gives Noto Serif/Sans CJK SC, which LibreOffice uses when converting to PDF.
BODY_FONT = "Noto Serif CJK SC"
HEADING_FONT = "Noto Sans CJK SC"
LATIN_FONT = "Times New Roman"


class DocumentError(RuntimeError):
    """A document could not be produced (e.g. no LibreOffice for PDF)."""


# What XML 1.0 cannot hold: C0 controls but tab, line feed and carriage return, lone surrogates, U+FFFE, U+FFFF.
# The input rule (core/inputrule.py) keeps the first two out of new records; records from before it, or written
# by a command, may still hold them, and one of them made a whole document a server error.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """``value`` as text a document can hold: each character XML cannot carry becomes U+FFFD (the replacement
    character), so the reader sees that something was there instead of it being silently dropped. Every piece
    of record text goes through this before it is put into a DOCX (and so into its PDF)."""
    return _NOT_XML.sub("\ufffd", str(value))


def set_font(target: Any, east_asian: str = BODY_FONT, size: float | None = None, *, bold: bool | None = None) -> None:
    """Set the Latin and East Asian font of a style or run (python-docx sets only the Latin one)."""
    font = target.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    element = target.element if hasattr(target, "element") else target._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _chinese_defaults(doc: Any) -> None:
    """The document defaults name the CJK font and Simplified Chinese (python-docx's template has the theme's
    East Asian font and en-US): text in any style, tables and bullets included, asks for the SC face."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith(("Theme", "theme")):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def chinese_document() -> Any:
    """A new python-docx Document whose styles use CJK fonts (body 12 pt, headings in a sans face) and whose
    East Asian language is zh-CN."""
    doc = Document()
    _chinese_defaults(doc)
    set_font(doc.styles["Normal"], BODY_FONT, 12)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        set_font(doc.styles[name], HEADING_FONT)
    return doc


def to_bytes(doc: Any) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice_path() is not None


def docx_to_pdf(data: bytes, *, timeout: float = 120.0) -> bytes:
    """Convert DOCX bytes to PDF bytes with LibreOffice in a private profile (safe to run concurrently)."""
    soffice = soffice_path()
    if soffice is None:
        raise DocumentError("PDF needs LibreOffice (Debian package libreoffice-writer-nogui); DOCX is available")
    with tempfile.TemporaryDirectory(prefix="youthsafe-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(data)
        env = {**os.environ, "HOME": str(work)}
        try:
            result = subprocess.run(  # noqa: S603 - fixed program and arguments, no shell  # nosec B603
                [soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", str(work), str(source)],
                capture_output=True, timeout=timeout, check=False, env=env,
            )
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(f"LibreOffice did not finish within {timeout:.0f} s") from exc
        target = work / "document.pdf"
        if result.returncode != 0 or not target.exists():
            reason = (result.stderr or result.stdout).decode(errors="replace").strip()[:300]
            raise DocumentError(f"LibreOffice could not convert the document: {reason or 'no output'}")
        return target.read_bytes()
