"""Every file a supervision record keeps (inspection evidence, the platform's evidence of rectification, the
refusal's file, the self-assessment report, the interview's file) goes through the product's one upload policy
(issue 16, item 7; issue 20, item 13): a size limit, and a type decided by the file's bytes (images, PDF, DOCX
and XLSX with the members they must have, plain text); a name that claims another type is refused. Refused
files leave nothing on disk or in the database. Downloads stream the stored file."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import Client

from tests.supervision.factories import DAY, delivered_order, inspected
from youthsafe.core.models import User
from youthsafe.registry.models import Platform
from youthsafe.supervision.models import Evidence
from youthsafe.supervision.services import assessments, inspections, interviews, orders

pytestmark = pytest.mark.django_db
MB = 1 << 20
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"1 0 obj\n" * 8


def office(*members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in members:
            archive.writestr(name, "<x/>")
    return out.getvalue()


DOCX = office("word/document.xml")
XLSX = office("xl/workbook.xml")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


Upload = Callable[[Any], Any]


@pytest.fixture
def uploaders(target: Platform, people: dict[str, User]) -> dict[str, Upload]:
    """Each supervision upload, as a function of the file (a fresh record each time)."""
    analyst, leader = people["analyst"], people["leader"]

    def evidence(upload: Any) -> Any:
        going = inspections.do_create_inspection(target, actor=analyst, inspected_on=DAY)
        item = going.items.filter(result="unchecked").first()
        assert item is not None
        return inspections.do_add_evidence(item, actor=analyst, upload=upload, note="截图")

    def rectification(upload: Any) -> Any:
        order = delivered_order(inspected(target, analyst, leader), analyst)
        return orders.do_receive_evidence(order, actor=analyst, evidence_on=DAY, text="已整改", upload=upload)

    def refusal(upload: Any) -> Any:
        order = delivered_order(inspected(target, analyst, leader), analyst)
        return orders.do_record_refusal(order, actor=analyst, refused_on=DAY + dt.timedelta(days=1),
                                        evidence="拒不改正", upload=upload)

    def report(upload: Any) -> Any:
        assessment = assessments.do_request(target, actor=analyst, trigger="T5", requested_on=DAY)
        return assessments.do_receive_report(assessment, actor=analyst, received_on=DAY, summary="自评估",
                                             upload=upload)

    def interview(upload: Any) -> Any:
        return interviews.do_record_interview(target, actor=analyst, kind="R2", held_on=DAY, attendees="法定代表人",
                                              matters="未成年人模式缺失", upload=upload)

    return {"evidence": evidence, "rectification": rectification, "refusal": refusal,
            "assessment_report": report, "interview": interview}


KINDS = ["evidence", "rectification", "refusal", "assessment_report", "interview"]


def _stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("name", "body"), [
    ("截图.png", PNG), ("photo.jpg", JPEG), ("报告.pdf", PDF), ("笔录.docx", DOCX), ("清单.xlsx", XLSX),
    ("笔录.txt", "平台负责人称将于月底前整改。\r\n".encode()), ("no-extension", PDF),
    ("screenshot.jpg", PNG),  # a photo saved under another photo's extension is still a photo
], ids=["png", "jpeg", "pdf", "docx", "xlsx", "text", "no-extension", "png-named-jpg"])
def test_accepted_kinds(kind: str, name: str, body: bytes, uploaders: dict[str, Upload]) -> None:
    uploaders[kind](SimpleUploadedFile(name, body))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("name", "body"), [
    ("截图.png", b"just some text, named .png"),  # issue 20, item 13
    ("截图.png", PDF),
    ("报告.pdf", "平台说明".encode()),
    ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("page.txt", b"<html>\x00\x01binary</html>"),
    ("文档.docx", office("not/a/document.xml")),  # a zip, but not a Word document
    ("表格.xlsx", DOCX),  # a Word document named as a workbook
    ("archive.zip", office()),
    ("empty.pdf", b""),
], ids=["text-named-png", "pdf-named-png", "text-named-pdf", "exe", "html", "binary-named-txt", "zip-named-docx",
        "docx-named-xlsx", "zip", "empty"])
def test_refused_kinds_leave_nothing(kind: str, name: str, body: bytes, uploaders: dict[str, Upload],
                                     settings: Any) -> None:
    before = _stored_files(settings)
    with pytest.raises(ValidationError) as refused:
        uploaders[kind](SimpleUploadedFile(name, body))
    assert "file" in refused.value.message_dict
    assert _stored_files(settings) == before
    assert not Evidence.objects.exclude(file="").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_the_default_limit_refuses_what_the_probe_sent(kind: str, uploaders: dict[str, Upload],
                                                       settings: Any) -> None:
    big = SimpleUploadedFile("扫描件.pdf", PDF + b"0" * (50 * MB))  # 50 MB was accepted
    with pytest.raises(ValidationError, match="larger than"):
        uploaders[kind](big)
    assert _stored_files(settings) == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_limit_is_a_setting(kind: str, uploaders: dict[str, Upload], settings: Any) -> None:
    settings.YOUTHSAFE_SUPERVISION_MAX_FILE_BYTES = 1024
    uploaders[kind](SimpleUploadedFile("ok.pdf", PDF + b"0" * 900))
    with pytest.raises(ValidationError, match="larger than"):
        uploaders[kind](SimpleUploadedFile("big.pdf", PDF + b"0" * 1024))


def test_the_page_refuses_a_text_file_named_png_in_chinese(target: Platform, people: dict[str, User],
                                                           login: Callable[[User], Client], settings: Any) -> None:
    going = inspections.do_create_inspection(target, actor=people["analyst"], inspected_on=DAY)
    item = going.items.filter(result="unchecked").first()
    assert item is not None
    response = login(people["analyst"]).post(f"/supervision/step/inspection_evidence/{item.pk}/", {
        "file": SimpleUploadedFile("截图.png", b"not an image at all", "image/png"), "note": "截图"})
    assert response.status_code == 200
    assert "截图.png" not in [e.name for e in Evidence.objects.all()]
    page = response.content.decode()
    assert "文件名为 .png" in page, page[:2000]
    assert _stored_files(settings) == []


def test_the_interview_page_refuses_an_oversized_file(target: Platform, people: dict[str, User],
                                                      login: Callable[[User], Client], settings: Any) -> None:
    settings.YOUTHSAFE_SUPERVISION_MAX_FILE_BYTES = 1024
    response = login(people["analyst"]).post("/supervision/interviews/new/", {
        "platform": target.pk, "kind": "R2", "held_on": DAY.isoformat(), "attendees": "法定代表人",
        "matters": "举报渠道不畅", "commitments": "", "legal_basis": "",
        "file": SimpleUploadedFile("笔录.pdf", PDF + b"0" * 2048)})
    assert response.status_code == 200
    assert "文件超过" in response.content.decode()
    assert _stored_files(settings) == []


def test_downloads_stream_the_stored_file(uploaders: dict[str, Upload], people: dict[str, User],
                                          login: Callable[[User], Client]) -> None:
    body = PDF + b"x" * (3 * MB)
    evidence = uploaders["evidence"](SimpleUploadedFile("扫描件.pdf", body))
    response = login(people["analyst"]).get(f"/supervision/evidence/{evidence.pk}/file")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)  # streamed from the file, not read into memory first
    assert int(response["Content-Length"]) == len(body)
    assert b"".join(response.streaming_content) == body
    response.close()
