"""Public reports: the rate slot is taken before any file is stored, the client address (behind a proxy:
tests/core/test_client_address.py), and oversized bodies stopped while they arrive (with the real limits)."""

from __future__ import annotations

import re
import socket
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import Tree
from youthsafe.content import config, services
from youthsafe.content.models import Evidence, PublicReport

PNG = b"\x89PNG\r\n\x1a\n"
MB = 1024 * 1024


def _form(**extra: Any) -> dict[str, Any]:
    data = {"reason": "A15", "location": "https://x.example/p/1", "platform_name": "某平台",
            "explanation": "有人骗学生扫码付款", "contact": "", "good_faith": "on"}
    data.update(extra)
    return data


def _stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(autouse=True)
def _place(tree: Tree) -> None:
    """Reports are filed in the first top-level jurisdiction (the city of the test tree)."""


# ---------------------------------------------------------------- rate slot before files


def test_a_rate_limited_report_leaves_no_file(settings: Any) -> None:
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 1
    one = Client(REMOTE_ADDR="10.0.0.1")
    first = one.post("/content/report/", _form(attachments=[SimpleUploadedFile("a.png", PNG + b"a" * 32)]))
    assert first.status_code == 201
    assert len(_stored_files()) == 1
    refused = one.post("/content/report/", _form(attachments=[SimpleUploadedFile("b.png", PNG + b"b" * 32),
                                                              SimpleUploadedFile("c.png", PNG + b"c" * 32)]))
    assert refused.status_code == 429
    assert len(_stored_files()) == 1  # only the accepted report's file
    assert (PublicReport.objects.count(), Evidence.objects.count()) == (1, 1)


def test_a_bad_file_is_refused_without_taking_a_slot(settings: Any) -> None:
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 1
    one = Client(REMOTE_ADDR="10.0.0.1")
    bad = one.post("/content/report/", _form(attachments=[SimpleUploadedFile("x.png", b"MZ not an image")]))
    assert bad.status_code == 400
    assert one.post("/content/report/", _form()).status_code == 201
    assert _stored_files() == []


# ---------------------------------------------------------------- client address


# Behind a proxy the client comes from the server's proxy layer (core/proxy.py), which these views never see
# working: tests/core/test_client_address.py sends requests through it, tests/core/test_reverse_proxy.py through
# nginx. Here: whatever X-Forwarded-For reaches a view is not read; the address counted is REMOTE_ADDR.


def test_x_forwarded_for_is_never_read_by_the_views(settings: Any) -> None:
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 1
    one = Client(REMOTE_ADDR="10.0.0.1")
    assert one.post("/content/report/", _form(), HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 201
    assert one.post("/content/report/", _form(), HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    assert services.client_ip({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.1.1.1"}) == "10.0.0.1"


# ---------------------------------------------------------------- oversized bodies


def test_the_default_limits() -> None:
    assert config.evidence_max_bytes() == 5 * MB
    assert config.report_max_bytes() == 3 * 5 * MB + config.REPORT_FORM_ALLOWANCE


def test_a_file_over_the_limit_is_stopped_with_a_clear_message(client: Client) -> None:
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (6 * MB), "image/png")  # under the body limit, over a file's
    response = client.post("/content/report/", _form(attachments=[big]))
    assert response.status_code == 413
    assert "举报内容过大：最多 3 个文件，每个不超过 5.0 MB。" in response.content.decode()
    assert not PublicReport.objects.exists()
    assert _stored_files() == []


def _csrf(base: str) -> tuple[str, str]:
    """(cookie, form token) from the form page, as a browser gets them."""
    page = urllib.request.urlopen(f"{base}/content/report/", timeout=20)  # noqa: S310 (the test's live server)
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert found is not None
    return cookie, found.group(1)


def _multipart(size: int, token: str) -> tuple[str, bytes, bytes, bytes]:
    """The boundary, the body up to the file's bytes, the file's bytes (a PNG of ``size``) and the tail."""
    boundary = uuid.uuid4().hex
    fields = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                     for k, v in {"csrfmiddlewaretoken": token, **_form()}.items())
    head = (fields + f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="a.png"\r\n'
            "Content-Type: image/png\r\n\r\n").encode()
    return boundary, head, PNG + b"\x00" * (size - len(PNG)), f"\r\n--{boundary}--\r\n".encode()


def _send(base: str, size: int, sent: int) -> tuple[int, int, str]:
    """POST a report with one file of ``size`` bytes but send only ``sent`` bytes of the file, then read the
    answer without sending the rest: a server that waited for the whole body would time out here.
    Returns (body length declared, status, page)."""
    cookie, token = _csrf(base)
    boundary, head, data, tail = _multipart(size, token)
    length = len(head) + len(data) + len(tail)
    url = urlsplit(base)
    assert url.hostname is not None
    assert url.port is not None
    with socket.create_connection((url.hostname, url.port), timeout=20) as sock:
        sock.sendall(f"POST /content/report/ HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\nCookie: {cookie}\r\n"
                     f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                     f"Content-Length: {length}\r\nConnection: close\r\n\r\n".encode())
        sock.sendall(head)
        sock.sendall(data[:sent])
        answer = b""
        while b"</html>" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    text = answer.decode("utf-8", "replace")
    return length, int(text.split(" ", 2)[1]), text


@pytest.mark.django_db(transaction=True)
def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(live_server: Any, tree: Tree) -> None:
    length, status, text = _send(live_server.url, 16 * MB, MB)  # 1 MB of 16 sent; 3 files of 5 MB allowed
    assert length > config.report_max_bytes()
    assert status == 413
    assert "举报内容过大" in text
    assert not PublicReport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_streamed_file_over_the_limit_is_stopped_where_it_passes_it(live_server: Any, tree: Tree) -> None:
    length, status, text = _send(live_server.url, 8 * MB, 6 * MB)  # 6 MB of 8 sent; one file may have 5
    assert length < config.report_max_bytes()  # the declared length passes: the stream is what is stopped
    assert status == 413
    assert "举报内容过大" in text
    assert not PublicReport.objects.exists()
    assert _stored_files() == []
