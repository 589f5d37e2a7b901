"""Outreach attachments follow the product's upload policy (issue 16, item 7): Office files are recognised by the
members their archive must hold, not by a name ending in .pptx; identical files stored at the same moment do
not race on one temporary name (item 8); downloads stream the stored file."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import Client

from tests.conftest import Tree, close_download
from youthsafe.core.models import User
from youthsafe.outreach import attachments, services
from youthsafe.outreach.models import Attachment, OutreachEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x03" * 100


def _office(*members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in members:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.fixture
def event(tree: Tree, make_user: Callable[..., User]) -> tuple[OutreachEvent, User]:
    analyst = make_user("analyst", tree.north)
    made = services.do_create_event(actor=analyst, data={
        "kind": "school_lecture", "title": "网络安全进校园", "held_on": dt.date(2023, 3, 1),
        "jurisdiction": tree.north, "audience": 300})
    return made, analyst


@pytest.mark.parametrize(("name", "body", "content_type"), [
    ("课件.pptx", _office("ppt/presentation.xml"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("讲稿.docx", _office("word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("签到.xlsx", _office("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
], ids=["pptx", "docx", "xlsx"])
def test_office_files_with_their_members_are_accepted(event: tuple[OutreachEvent, User], name: str, body: bytes,
                                                     content_type: str) -> None:
    made, analyst = event
    assert services.do_add_attachment(made, actor=analyst, name=name, data=body).content_type == content_type


@pytest.mark.parametrize(("name", "body"), [
    ("课件.pptx", _office()),  # any zip archive, named .pptx
    ("课件.pptx", _office("word/document.xml")),  # a Word document named as slides
    ("讲稿.docx", b"PK\x03\x04 not really an archive"),
    ("现场.png", "现场照片".encode()),
], ids=["zip-named-pptx", "docx-named-pptx", "broken-zip", "text-named-png"])
def test_other_files_are_refused(event: tuple[OutreachEvent, User], name: str, body: bytes) -> None:
    made, analyst = event
    with pytest.raises(ValidationError):
        services.do_add_attachment(made, actor=analyst, name=name, data=body)
    assert Attachment.objects.count() == 0


def _store_at_once(body: bytes, threads: int) -> tuple[list[str], list[BaseException]]:
    start = threading.Barrier(threads)
    errors: list[BaseException] = []
    results: list[str] = []

    def store() -> None:
        start.wait()
        try:
            results.append(attachments.store(body))
        except BaseException as exc:  # every failure is what the test reports
            errors.append(exc)

    pool = [threading.Thread(target=store) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results, errors


def test_identical_files_stored_at_the_same_moment() -> None:
    threads = 40
    for _ in range(8):
        body = PNG + os.urandom(512 * 1024)
        results, errors = _store_at_once(body, threads)
        assert errors == []
        assert results == [hashlib.sha256(body).hexdigest()] * threads
        assert attachments.path_for(results[0]).read_bytes() == body
    root = Path(settings.MEDIA_ROOT) / "outreach"
    assert [p for p in root.rglob("*") if p.is_file() and len(p.name) != 64] == []


def test_the_download_streams_the_file(event: tuple[OutreachEvent, User], login: Callable[[User], Client],
                                       settings: Any) -> None:
    made, analyst = event
    body = PNG + os.urandom(1024 * 1024)
    client = login(analyst)
    sent = client.post(f"/outreach/{made.pk}/attach/", {"file": SimpleUploadedFile("现场.png", body)})
    assert sent.status_code == 302
    item = made.attachments.get()
    response = client.get(f"/outreach/attachments/{item.pk}/")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == "image/png"
    assert int(response["Content-Length"]) == len(body)
    assert b"".join(response.streaming_content) == body
    close_download(response)


def test_the_page_refuses_an_oversized_file_before_reading_it(event: tuple[OutreachEvent, User],
                                                              login: Callable[[User], Client],
                                                              settings: Any) -> None:
    made, analyst = event
    settings.YOUTHSAFE_OUTREACH_MAX_ATTACHMENT_BYTES = 1024
    response = login(analyst).post(f"/outreach/{made.pk}/attach/",
                                   {"file": SimpleUploadedFile("现场.png", PNG + b"\x00" * 2048)})
    assert response.status_code == 200
    assert "文件超过" in response.content.decode()
    assert Attachment.objects.count() == 0
