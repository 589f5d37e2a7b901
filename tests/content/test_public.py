"""The public report form and API: no account, CSRF, upload limits, escaping, rate limit, least data."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import Tree
from youthsafe.content.models import Evidence, PublicReport, ReportStatus
from youthsafe.core.models import AuditAction, AuditEvent, User

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _form(**extra: Any) -> dict[str, Any]:
    data = {"reason": "A15", "location": "https://x.example/p/1", "platform_name": "某平台",
            "explanation": "有人骗学生扫码付款", "contact": "", "good_faith": "on"}
    data.update(extra)
    return data


def _ack(content: bytes) -> str:
    found = re.search(r'id="ack-number">([A-Z0-9-]+)<', content.decode())
    assert found is not None
    return found.group(1)


@pytest.fixture(autouse=True)
def _place(tree: Tree) -> None:
    """Reports are filed in the first top-level jurisdiction (the city of the test tree)."""


def test_form_needs_no_account_and_gives_an_ack_number(client: Client) -> None:
    page = client.get("/content/report/")
    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" in page.content
    sent = client.post("/content/report/", _form(attachments=[SimpleUploadedFile("a.png", PNG, "image/png")]))
    assert sent.status_code == 201
    ack = _ack(sent.content)
    report = PublicReport.objects.get(ack_number=ack)
    assert report.status == ReportStatus.RECEIVED
    assert report.good_faith
    assert report.attachments.count() == 1
    looked = client.get("/content/report/lookup/", {"ack_number": ack.lower()})
    assert looked.status_code == 200
    assert 'id="report-status">已收到，待处理<'.encode() in looked.content
    assert b"https://x.example/p/1" not in looked.content  # the lookup shows the state, not the report
    assert client.get("/content/report/lookup/", {"ack_number": "JB-NOPE0-NOPE0"}).status_code == 200


def test_csrf_is_enforced() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/content/report/", _form()).status_code == 403
    assert not PublicReport.objects.exists()


@pytest.mark.parametrize("missing", ["reason", "location", "explanation", "good_faith"])
def test_required_fields(client: Client, missing: str) -> None:
    data = _form()
    del data[missing]
    response = client.post("/content/report/", data)
    assert response.status_code == 400
    assert not PublicReport.objects.exists()


def test_oversized_and_wrong_type_files_are_refused(client: Client, settings: Any) -> None:
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image", "image/png")
    response = client.post("/content/report/", _form(attachments=[fake]))
    assert response.status_code == 400
    assert b"PNG" in response.content
    settings.YOUTHSAFE_EVIDENCE_MAX_BYTES = 40
    response = client.post("/content/report/", _form(attachments=[SimpleUploadedFile("a.png", PNG, "image/png")]))
    assert response.status_code == 413  # stopped while it streamed in (test_public_limits.py)
    too_many = [SimpleUploadedFile(f"{i}.png", PNG[:30], "image/png") for i in range(4)]
    assert client.post("/content/report/", _form(attachments=too_many)).status_code == 400
    assert not PublicReport.objects.exists()
    assert not Evidence.objects.exists()


def test_script_in_fields_is_escaped_everywhere(client: Client, make_user: Callable[..., User],
                                                login: Callable[[User], Client]) -> None:
    sent = client.post("/content/report/", _form(location=SCRIPT, explanation=SCRIPT, platform_name=SCRIPT))
    assert sent.status_code == 201
    report = PublicReport.objects.get()
    staff = login(make_user("analyst"))
    for url in ("/content/reports/", f"/content/reports/{report.pk}/"):
        page = staff.get(url)
        assert page.status_code == 200
        assert b"<script>alert" not in page.content
        assert b"<img src=x" not in page.content
    assert b"&lt;script&gt;" in staff.get(f"/content/reports/{report.pk}/").content
    # rejected input echoed back in the form is escaped as well
    echo = client.post("/content/report/", _form(reason="nonsense", explanation=SCRIPT))
    assert echo.status_code == 400
    assert b"<script>alert" not in echo.content


def test_minor_sexual_content_reports_keep_no_contact(client: Client) -> None:
    client.post("/content/report/", _form(reason="A02", contact="13800000000"))
    client.post("/content/report/", _form(reason="A15", contact="13900000000"))
    assert PublicReport.objects.get(reason="A02").contact == ""
    assert PublicReport.objects.get(reason="A15").contact == "13900000000"
    api = client.post("/api/content/public/reports", {"reason": "A02", "location": "x", "explanation": "y",
                                                      "contact": "a@b.c", "good_faith": True},
                      content_type="application/json")
    assert api.status_code == 201
    assert PublicReport.objects.get(ack_number=api.json()["ack_number"]).contact == ""


def test_flood_is_rate_limited_per_client(settings: Any) -> None:
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 3
    one = Client(REMOTE_ADDR="10.0.0.1")
    codes = [one.post("/content/report/", _form()).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    api = one.post("/api/content/public/reports", {"reason": "A15", "location": "x", "explanation": "y",
                                                   "good_faith": True}, content_type="application/json")
    assert api.status_code == 429  # the form and the API share the budget
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post("/content/report/", _form()).status_code == 201
    assert PublicReport.objects.count() == 4


def test_api_validation(client: Client) -> None:
    def post(body: dict[str, Any]) -> Any:
        return client.post("/api/content/public/reports", body, content_type="application/json")

    good = {"reason": "A15", "location": "https://x.example", "explanation": "诈骗", "good_faith": True}
    created = post(good)
    assert created.status_code == 201
    ack = created.json()["ack_number"]
    assert client.get(f"/api/content/public/reports/{ack}").json()["status"] == "received"
    assert client.get("/api/content/public/reports/JB-XXXXX-XXXXX").status_code == 404
    assert post({**good, "good_faith": False}).status_code == 422
    assert post({**good, "reason": "identity"}).status_code == 422
    assert post({**good, "location": " "}).status_code == 422
    assert post({**good, "explanation": "x" * 5001}).status_code == 422
    assert client.post("/api/content/public/reports", "not json", content_type="application/json").status_code \
        in {400, 422}
    assert PublicReport.objects.count() == 1


def test_script_in_the_reply_is_escaped_in_the_public_lookup(client: Client, make_user: Callable[..., User],
                                                              login: Callable[[User], Client]) -> None:
    sent = client.post("/content/report/", _form())
    ack = _ack(sent.content)
    report = PublicReport.objects.get(ack_number=ack)
    staff = login(make_user("analyst"))
    triaged = staff.post(f"/content/reports/{report.pk}/", {"outcome": "rejected", "note": "无需处理",
                                                             "reply": SCRIPT})
    assert triaged.status_code == 302
    report.refresh_from_db()
    assert report.public_reply == SCRIPT  # kept as written, escaped where shown
    page = client.get("/content/report/lookup/", {"ack_number": ack}).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    api = client.get(f"/api/content/public/reports/{ack}")
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["reply"] == SCRIPT  # JSON, never rendered as HTML


def test_showing_a_reporters_contact_is_audited(client: Client, make_user: Callable[..., User],
                                                login: Callable[..., Client]) -> None:
    with_contact = client.post("/content/report/", _form(contact="qq 12345"))
    without = client.post("/content/report/", _form(location="https://x.example/p/2"))
    reports = {r.contact: r for r in PublicReport.objects.filter(
        ack_number__in=[_ack(with_contact.content), _ack(without.content)])}
    analyst = login(make_user("analyst"))
    page = analyst.get(f"/content/reports/{reports['qq 12345'].pk}/")
    assert "qq 12345" in page.content.decode()
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="content.publicreport")
    assert list(views.values_list("object_id", flat=True)) == [str(reports["qq 12345"].pk)]
    analyst.get(f"/content/reports/{reports[''].pk}/")
    assert views.count() == 1  # no contact shown, nothing to audit
