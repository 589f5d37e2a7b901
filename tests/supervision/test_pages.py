"""Every supervision page renders with the demo data, in Chinese, for the roles that use it; documents."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from youthsafe.core import demo
from youthsafe.core.models import Jurisdiction, User
from youthsafe.supervision import actions
from youthsafe.supervision.models import (
    Assessment,
    AssessmentItem,
    ChecklistItem,
    Inspection,
    RectificationOrder,
    Referral,
    Sanction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> None:
    demo.load()


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_every_page_renders_with_the_demo(loaded: None) -> None:
    client = _client("admin")
    pages = ["index", "plan_list", "plan_create", "calendar", "inspection_list", "inspection_create", "finding_list",
             "order_list", "sanction_list", "assessment_list", "assessment_create", "referral_list"]
    for name in pages:
        response = client.get(reverse(f"supervision:{name}"))
        assert response.status_code == 200, name
    inspection = Inspection.objects.filter(status="in_progress").first()
    order = RectificationOrder.objects.get(status="overdue")
    records = {"inspection": inspection, "order": order, "sanction": Sanction.objects.first(),
               "assessment": Assessment.objects.first(), "referral": Referral.objects.first(),
               "item": ChecklistItem.objects.filter(inspection=inspection).first(),
               "aitem": AssessmentItem.objects.first()}
    for name in ("inspection_detail", "order_detail", "sanction_detail", "assessment_detail", "referral_detail"):
        record = records[name.removesuffix("_detail")]
        assert record is not None
        assert client.get(reverse(f"supervision:{name}", args=[record.pk])).status_code == 200, name
    for name, action in actions.ACTIONS.items():
        record = records[action.model]
        assert record is not None
        assert client.get(reverse(f"supervision:{name}", args=[record.pk])).status_code == 200, name
    body = client.get(reverse("supervision:order_detail", args=[order.pk])).content.decode()
    assert "逾期" in body  # Chinese by default, the overdue flag visible
    assert "已送达，整改中 → 逾期" in body  # the history names states in the user's language


def test_indicator_links_show_the_records_behind_the_figure(loaded: None) -> None:
    client = _client("leader")
    jc = Jurisdiction.objects.get(code="JC")
    url = (reverse("supervision:inspection_list") + f"?from=2023-01-01&to=2023-07-10&jurisdiction={jc.pk}"
           "&indicator=inspections_done")
    assert "638次检查" in client.get(url).content.decode()
    url = (reverse("supervision:sanction_list") + f"?from=2023-01-01&to=2023-07-10&jurisdiction={jc.pk}"
           "&indicator=websites_shut")
    body = client.get(url).content.decode()
    assert body.count("关闭网站") == 12  # one row per website shut, nothing else
    bad = client.get(reverse("supervision:order_list") + "?from=2023-13-01&to=x")
    assert bad.status_code == 200  # bad input: a clear message, no crash


def test_notice_docx_is_filled_in_chinese(loaded: None) -> None:
    order = RectificationOrder.objects.get(status="overdue")
    response = _client("analyst").get(reverse("supervision:notice_docx", args=[order.pk]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        xml = docx.read("word/document.xml").decode()
    assert "责令限期改正通知书" in xml
    assert order.number in xml
    assert order.platform.operator in xml
    assert "eastAsia" in docx_styles(response.content)
    record = Inspection.objects.filter(status="signed").order_by("-id").first()
    assert record is not None
    response = _client("analyst").get(reverse("supervision:inspection_docx", args=[record.pk]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        xml = docx.read("word/document.xml").decode()
    assert "网络安全监督检查记录" in xml
    assert record.number in xml
    assert "不符合" in xml


def docx_styles(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        return docx.read("word/styles.xml").decode()
