"""The product's one upload policy (core/uploads.py) and the server-wide body limit (issue 16, item 7).

Waitress accepted 1 GiB bodies and Django read any declared length: a request body larger than
``YOUTHSAFE_MAX_REQUEST_BYTES`` (25 MB by default) is now refused with 413 before a byte of it is read, by
``youthsafe serve`` (waitress's ``max_request_body_size``) and by the application itself under any server.
The policy decides a file's type by its bytes; these tests pin its rules down one by one."""

from __future__ import annotations

import http.client
import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from tests.conftest import Tree
from youthsafe.core import uploads
from youthsafe.core.models import User

ROOT = Path(__file__).resolve().parents[2]
MB = 1 << 20
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


class _Unreadable(io.RawIOBase):
    """A request body that must not be read."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read")


def _office(*members: str, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in members:
            archive.writestr(name, "<x/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


# --- the server-wide body limit ------------------------------------------------------------------------------


def test_the_default_limit_is_25_mb_and_above_every_kind(settings: Any) -> None:
    assert settings.YOUTHSAFE_MAX_REQUEST_BYTES == 25 * MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * MB  # larger files wait on disk, not in memory
    for policy in uploads.POLICIES:
        assert policy.max_bytes() < settings.YOUTHSAFE_MAX_REQUEST_BYTES, policy.key


@pytest.mark.parametrize("path", ["/supervision/interviews/new/", "/content/report/", "/api/content/public/reports",
                                  "/registry/import/", "/login/"])
def test_a_declared_body_over_the_limit_is_refused_unread(path: str, tree: Tree, make_user: Callable[..., User],
                                                          login: Callable[[User], Client]) -> None:
    client = login(make_user("administrator"))
    response = client.generic("POST", path, b"", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(25 * MB + 1), **{"wsgi.input": _Unreadable()})
    assert response.status_code == 413
    assert "25" in response.content.decode()


def test_the_refusal_speaks_the_api_and_the_page_language(settings: Any, client: Client) -> None:
    settings.YOUTHSAFE_MAX_REQUEST_BYTES = 1000
    api = client.post("/api/content/public/reports", b"{" + b" " * 2000 + b"}", content_type="application/json")
    assert api.status_code == 413
    assert "detail" in api.json()
    page = client.post("/content/report/", {"explanation": "x" * 2000})
    assert page.status_code == 413
    assert "请求过大" in page.content.decode()  # Chinese by default
    assert client.post("/content/report/", {"explanation": "x" * 10}).status_code != 413


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="Linux only")
def test_youthsafe_serve_refuses_a_body_over_the_limit(tmp_path: Path) -> None:
    env = {**os.environ, "YOUTHSAFE_VAR_DIR": str(tmp_path), "YOUTHSAFE_MAX_REQUEST_BYTES": str(64 * 1024)}
    for name in ("DJANGO_SETTINGS_MODULE", "YOUTHSAFE_DATABASE_URL"):
        env.pop(name, None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "youthsafe", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def post(size: int) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("POST", "/healthz", body=b"x" * size,
                               headers={"Content-Type": "application/octet-stream"})
            return connection.getresponse().status
        finally:
            connection.close()

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                small = post(1024)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert small != 413
        assert post(65 * 1024) == 413  # waitress: refused before the application runs
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- types by content ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "body", "kind"), [
    ("a.png", PNG, uploads.PNG), ("a.jpg", b"\xff\xd8\xff\xdb" + b"\x00" * 8, uploads.JPEG),
    ("a.gif", b"GIF89a" + b"\x00" * 8, uploads.GIF), ("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", uploads.WEBP),
    ("a.pdf", PDF, uploads.PDF), ("a.docx", _office("word/document.xml"), uploads.DOCX),
    ("a.xlsx", _office("xl/workbook.xml"), uploads.XLSX), ("a.pptx", _office("ppt/presentation.xml"), uploads.PPTX),
    ("a.txt", "笔录\n第二行\t制表".encode(), uploads.TEXT), ("a.csv", "名称,类型\r\n".encode("gb18030"), uploads.TEXT),
    ("a.txt", "\ufeff带BOM".encode(), uploads.TEXT),
], ids=["png", "jpeg", "gif", "webp", "pdf", "docx", "xlsx", "pptx", "text", "gb18030-csv", "bom"])
def test_types_are_recognised_by_their_bytes(name: str, body: bytes, kind: str) -> None:
    assert uploads.detect(SimpleUploadedFile(name, body), allow_text=True) == kind


@pytest.mark.parametrize("body", [b"MZ\x90\x00", b"\x00\x01\x02binary", b"text with a \x1b escape",
                                  b"\xff\xfe\xfd not text", _office(), b"PK\x03\x04 broken"],
                         ids=["exe", "binary", "escape", "undecodable", "bare-zip", "broken-zip"])
def test_other_bytes_are_no_type(body: bytes) -> None:
    assert uploads.detect(SimpleUploadedFile("x", body), allow_text=True) is None


def test_text_is_only_text_where_a_form_expects_it() -> None:
    assert uploads.detect(SimpleUploadedFile("a.txt", b"plain words"), allow_text=False) is None


@pytest.mark.parametrize(("name", "body", "fragment"), [
    ("shot.png", b"plain words", "named .png"),
    ("scan.pdf", PNG, "named .pdf"),
    ("page.html", b"<html></html>", "named .html"),
    ("empty.pdf", b"", "empty"),
    ("big.pdf", PDF + b"0" * 2048, "larger than"),
])
def test_the_policy_explains_each_refusal(name: str, body: bytes, fragment: str, settings: Any) -> None:
    settings.YOUTHSAFE_SUPERVISION_MAX_FILE_BYTES = 1024
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        uploads.check(SimpleUploadedFile(name, body), uploads.SUPERVISION)
    assert fragment in " ".join(refused.value.messages)


def test_old_office_files_are_told_to_be_saved_anew() -> None:
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    with translation.override("en"), pytest.raises(ValidationError, match="Old Office files"):
        uploads.check(SimpleUploadedFile("记录.doc", old), uploads.SUPERVISION)
    with translation.override("en"), pytest.raises(ValidationError, match="Only PNG"):
        uploads.check(SimpleUploadedFile("记录.doc", old), uploads.EVIDENCE)


def test_a_photo_under_another_photos_extension_is_accepted() -> None:
    assert uploads.check(SimpleUploadedFile("shot.jpg", PNG), uploads.EVIDENCE).content_type == uploads.PNG


# --- archives ------------------------------------------------------------------------------------------------

LIMITS = uploads.ZipLimits(max_members=10, max_member_bytes=MB, max_total_bytes=2 * MB, max_ratio=100)


def test_a_small_archive_passes() -> None:
    uploads.check_zip(io.BytesIO(_office("xl/workbook.xml")), LIMITS)


@pytest.mark.parametrize(("body", "fragment"), [
    (_office(extra={f"m{i}.xml": b"<a/>" for i in range(20)}), "files"),
    (_office(extra={"big.xml": os.urandom(MB + 1)}), "too large when unpacked"),
    (_office(extra={"a.xml": os.urandom(MB - 10), "b.xml": os.urandom(MB - 10), "c.xml": os.urandom(MB - 10)}),
     "too large when unpacked"),
    (_office(extra={"ratio.xml": b"A" * (MB - 10)}), "compressed"),
    (b"PK\x03\x04 not an archive", "cannot be read"),
], ids=["members", "member", "total", "ratio", "broken"])
def test_archives_over_a_limit_are_refused(body: bytes, fragment: str) -> None:
    with translation.override("en"), pytest.raises(uploads.ArchiveError) as refused:
        uploads.check_zip(io.BytesIO(body), LIMITS)
    assert fragment in refused.value.message


def _forge_size(body: bytes, member: str, size: int) -> bytes:
    """The archive with ``member``'s uncompressed size in the central directory replaced by ``size``."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        info = archive.getinfo(member)
    data = bytearray(body)
    name = member.encode()
    at = data.rindex(b"PK\x01\x02", 0, data.rindex(name))  # the central directory entry of that member
    assert data[at + 46:at + 46 + len(name)] == name
    data[at + 24:at + 28] = size.to_bytes(4, "little")
    assert info.file_size != size
    return bytes(data)


def test_a_member_larger_than_it_declares_is_refused() -> None:
    body = _forge_size(_office(extra={"lie.xml": os.urandom(512 * 1024)}), "lie.xml", 1000)
    with translation.override("en"), pytest.raises(uploads.ArchiveError):
        uploads.check_zip(io.BytesIO(body), LIMITS)
