"""Files kept with supervision records are downloadable: with ``evidence:download`` in the record's jurisdiction
(a sibling gets 404), as an attachment with a safe name and nosniff, only while the stored bytes still have the
SHA-256 recorded at upload, and with one audit row per download."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import close_download
from tests.supervision.factories import DAY, delivered_order, inspected
from youthsafe.core.models import AuditEvent, User
from youthsafe.registry.models import Platform
from youthsafe.supervision.models import Interview
from youthsafe.supervision.services import assessments, files, inspections, interviews, orders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(name: str, body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body)


@pytest.fixture
def stored(target: Platform, people: dict[str, User]) -> dict[str, tuple[str, Any, str, bytes]]:
    """One record of each kind with a file: kind -> (url, record, uploaded name, bytes)."""
    analyst = people["analyst"]
    going = inspections.do_create_inspection(target, actor=analyst, inspected_on=DAY)
    item = going.items.filter(result="unchecked").first()
    assert item is not None
    evidence = inspections.do_add_evidence(item, actor=analyst,
                                           upload=_upload("截图 1.png", b"\x89PNG\r\n\x1a\n evidence"))
    order = delivered_order(inspected(target, analyst, people["leader"]), analyst)
    orders.do_receive_evidence(order, actor=analyst, evidence_on=DAY, text="已整改",
                               upload=_upload("整改报告.pdf", b"%PDF-1.4 rectified"))
    orders.do_record_refusal(order, actor=analyst, refused_on=DAY + dt.timedelta(days=1), evidence="复查仍未整改",
                             upload=_upload("答复.pdf", b"%PDF-1.4 refusal"))
    order.refresh_from_db()
    assessment = assessments.do_request(target, actor=analyst, trigger="T5", requested_on=DAY)
    assessments.do_receive_report(assessment, actor=analyst, received_on=DAY, summary="自评估",
                                  upload=_upload("自评估报告.pdf", b"%PDF-1.4 self-assessment"))
    assessment.refresh_from_db()
    talk = interviews.do_record_interview(target, actor=analyst, kind="R2", held_on=DAY, attendees="法定代表人",
                                          matters="未成年人模式缺失", upload=_upload("约谈笔录.pdf", b"%PDF-1.4 talk"))
    s = "/supervision"
    return {
        "evidence": (f"{s}/evidence/{evidence.pk}/file", evidence, "截图 1.png", b"\x89PNG\r\n\x1a\n evidence"),
        "rectification": (f"{s}/orders/{order.pk}/rectification-file", order, "整改报告.pdf", b"%PDF-1.4 rectified"),
        "refusal": (f"{s}/orders/{order.pk}/refusal-file", order, "答复.pdf", b"%PDF-1.4 refusal"),
        "assessment_report": (f"{s}/assessments/{assessment.pk}/report-file", assessment, "自评估报告.pdf",
                              b"%PDF-1.4 self-assessment"),
        "interview": (f"{s}/interviews/{talk.pk}/file", talk, "约谈笔录.pdf", b"%PDF-1.4 talk"),
    }


KINDS = sorted(files.KINDS)


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def _downloads() -> int:
    return AuditEvent.objects.filter(action="export", reason__endswith="file download").count()


@pytest.mark.parametrize("kind", KINDS)
def test_download_is_an_audited_attachment_with_the_uploaded_bytes(
        kind: str, stored: dict[str, tuple[str, Any, str, bytes]], people: dict[str, User],
        login: Callable[[User], Client]) -> None:
    url, record, name, body = stored[kind]
    digest = hashlib.sha256(body).hexdigest()
    assert getattr(record, files.KINDS[kind].sha256) == digest  # recorded at upload
    before = _downloads()
    response = login(people["analyst"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == body  # streamed from the stored file
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Content-SHA256"] == digest
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "/" not in disposition.split("filename", 1)[1]
    assert _downloads() == before + 1
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.actor == people["analyst"]
    assert event.after["sha256"] == digest
    assert event.after["file"] == name
    assert event.jurisdiction_id == files.jurisdiction_of(record).pk
    # A leader (reads every jurisdiction) may download too; each download is one more row.
    again = login(people["leader"]).get(url)
    assert again.status_code == 200
    close_download(again)  # the stored file it streams (a server closes it once sent; the test client does not)
    assert _downloads() == before + 2


@pytest.mark.parametrize("kind", KINDS)
def test_sibling_gets_404_and_a_role_without_the_permission_403(
        kind: str, stored: dict[str, tuple[str, Any, str, bytes]], people: dict[str, User],
        login: Callable[[User], Client]) -> None:
    url = stored[kind][0]
    before = _downloads()
    assert login(people["analyst_south"]).get(url).status_code == 404
    assert login(people["viewer"]).get(url).status_code == 403  # read-only: supervision:view, no download
    assert Client().get(url).status_code == 302
    assert login(people["analyst"]).post(url).status_code == 405
    assert _downloads() == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_altered_on_disk_is_refused_and_not_audited(
        kind: str, stored: dict[str, tuple[str, Any, str, bytes]], people: dict[str, User],
        login: Callable[[User], Client]) -> None:
    url, record, _name, body = stored[kind]
    field = getattr(record, files.KINDS[kind].file)
    path = Path(field.path)
    path.chmod(0o644)
    path.write_bytes(body + b" tampered")
    before = _downloads()
    client = _english(login(people["analyst"]))
    response = client.get(url)
    assert response.status_code == 409
    page = response.content.decode()
    assert "altered" in page
    assert body.decode("latin-1") not in page
    assert hashlib.sha256(body).hexdigest() in page
    assert _downloads() == before
    path.unlink()
    assert "missing" in client.get(url).content.decode()
    assert _downloads() == before


def test_refusal_is_explained_in_chinese(stored: dict[str, tuple[str, Any, str, bytes]], people: dict[str, User],
                                         login: Callable[[User], Client]) -> None:
    url, record, _name, _body = stored["refusal"]
    Path(record.refusal_file.path).write_bytes(b"changed")
    page = login(people["analyst"]).get(url).content.decode()  # Chinese by default
    assert "被改动" in page
    assert "文件不予下载" in page


def test_a_file_without_a_recorded_hash_is_not_served(
        stored: dict[str, tuple[str, Any, str, bytes]], people: dict[str, User],
        login: Callable[[User], Client]) -> None:
    url, order, _name, _body = stored["rectification"]
    type(order).objects.filter(pk=order.pk).update(evidence_sha256="")  # a file stored before hashes were kept
    response = _english(login(people["analyst"])).get(url)
    assert response.status_code == 409
    assert "No SHA-256 was recorded" in response.content.decode()


def test_a_record_without_the_file_is_404(target: Platform, people: dict[str, User],
                                          login: Callable[[User], Client]) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    assert login(people["analyst"]).get(f"/supervision/orders/{order.pk}/refusal-file").status_code == 404


def test_the_name_is_made_safe() -> None:
    record = Interview(file_name='..\\..\\etc/pass"wd\r\n.pdf')
    assert files.file_name("interview", record) == "passwd.pdf"
    assert files.file_name("interview", Interview(file_name="..")) == "file"


@pytest.mark.parametrize(("page", "kind"), [("inspection", "evidence"), ("order", "rectification"),
                                            ("order", "refusal"), ("assessment", "assessment_report"),
                                            ("interview", "interview")])
def test_pages_link_the_files_for_those_who_may_download(
        page: str, kind: str, stored: dict[str, tuple[str, Any, str, bytes]], people: dict[str, User],
        login: Callable[[User], Client]) -> None:
    url, record, name, _body = stored[kind]
    pk = record.item.inspection_id if kind == "evidence" else record.pk
    detail = f"/supervision/{page}s/{pk}/"
    shown = login(people["analyst"]).get(detail).content.decode()
    assert f'href="{url}"' in shown
    assert name in shown
    hidden = login(people["viewer"]).get(detail).content.decode()
    assert f'href="{url}"' not in hidden
    assert name in hidden
