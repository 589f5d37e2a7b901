"""Leads: a public report's attachments go with the item recorded from its lead, a receiving unit sees only its
own dispatches, merging moves cases, report and dispatches, and lead counts by source in the statistics."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.conftest import Tree
from tests.content import factories
from youthsafe.content import services as content
from youthsafe.content.models import Evidence
from youthsafe.core import indicators
from youthsafe.core.models import AuditEvent, User
from youthsafe.leads import services
from youthsafe.leads.models import Case, Lead, LeadDispatch, LeadStatus

PNG = b"\x89PNG\r\n\x1a\n" + b"screenshot" * 20


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("administrator")


def _lead(actor: User, place: object, title: str = "线索", source: str = "superior") -> Lead:
    return services.do_create_lead({"jurisdiction": place, "source": source, "title": title, "summary": "摘要"},
                                   actor=actor)


def _dispatched(admin: User, lead: Lead, place: object) -> LeadDispatch:
    services.do_verify(lead, actor=admin, founded=True, note="属实")
    return services.do_dispatch(lead, actor=admin, to=place, instructions="请核查并处置")  # type: ignore[arg-type]


def test_receiving_district_can_download_the_reports_attachments(tree: Tree, admin: User,
                                                                  make_user: Callable[..., User],
                                                                  login: Callable[[User], Client]) -> None:
    report = content.submit_report({"reason": "A15", "location": "https://x.example/v/1", "explanation": "诈骗",
                                    "good_faith": True}, uploads=[SimpleUploadedFile("shot.png", PNG)], ip="10.0.0.9")
    original = report.attachments.get()
    lead = services.do_lead_from_report(report, actor=admin, note="转线索")
    _dispatched(admin, lead, tree.north)
    district = make_user("analyst", tree.north)
    client = login(district)
    assert client.get(f"/content/evidence/{original.pk}/").status_code == 404  # the city's record, not north's
    item = services.do_item_from_lead(lead, {"jurisdiction": tree.north, "platform": None,
                                             "location": "https://x.example/v/1", "text": "",
                                             "categories": ["A15"]}, actor=district)
    copy = item.evidence.get(kind=Evidence.Kind.SCREENSHOT)
    assert copy.pk != original.pk
    assert (copy.sha256, copy.size, copy.report_id, copy.jurisdiction) == (original.sha256, original.size, None,
                                                                            tree.north)
    assert copy.sha256 == hashlib.sha256(PNG).hexdigest()
    assert AuditEvent.objects.filter(object_type="content.evidence", object_id=str(copy.pk), action="create",
                                     actor=district).exists()
    page = client.get(f"/content/{item.pk}/")
    assert f"/content/evidence/{copy.pk}/" in page.content.decode()
    download = client.get(f"/content/evidence/{copy.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["X-Content-SHA256"] == original.sha256


def test_receiving_unit_sees_only_its_own_dispatches(tree: Tree, admin: User, make_user: Callable[..., User],
                                                     login: Callable[[User], Client]) -> None:
    lead = _lead(admin, tree.city)
    north = _dispatched(admin, lead, tree.north)
    north_responder = make_user("responder", tree.north)
    services.do_acknowledge(north, actor=north_responder, note="")
    services.do_feedback(north, actor=north_responder, feedback="江北已核查，不属本辖区")
    south = services.do_dispatch(lead, actor=admin, to=tree.south, instructions="转江南区：请约谈平台")
    south_responder = make_user("responder", tree.south)
    services.do_acknowledge(south, actor=south_responder, note="")
    services.do_feedback(south, actor=south_responder, feedback="江南已约谈平台负责人")
    north_page = login(north_responder).get(f"/leads/{lead.pk}/").content.decode()
    assert "江北已核查，不属本辖区" in north_page
    assert south.note not in north_page
    assert "江南已约谈平台负责人" not in north_page
    assert tree.south.name not in north_page
    south_page = login(south_responder).get(f"/leads/{lead.pk}/").content.decode()
    assert "江南已约谈平台负责人" in south_page
    assert "江北已核查，不属本辖区" not in south_page
    station_page = login(make_user("responder", tree.station)).get(f"/leads/{lead.pk}/")
    assert station_page.status_code == 404  # the station is under north, but nothing was sent to it
    city_page = login(make_user("analyst", tree.city)).get(f"/leads/{lead.pk}/").content.decode()
    assert "江北已核查，不属本辖区" in city_page
    assert south.note in city_page
    assert "江南已约谈平台负责人" in city_page


def test_merge_moves_cases_report_and_dispatches(tree: Tree, admin: User) -> None:
    platform = factories.platform(admin, tree.north)
    report = factories.report(tree.city)
    kept = _lead(admin, tree.city, "原线索")
    duplicate = services.do_lead_from_report(report, actor=admin, note="转线索")
    dispatch = _dispatched(admin, duplicate, tree.north)
    case = services.do_open_case(duplicate, {"jurisdiction": tree.city, "title": "案件", "offender": "账号A",
                                             "summary": "经过", "platform": platform, "platform_failure": "未过滤"},
                                 actor=admin)
    services.do_merge(duplicate, into=kept, actor=admin, reason="同一事件")
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == LeadStatus.MERGED
    assert kept.report == report
    assert duplicate.report is None
    assert list(Case.objects.filter(lead=kept)) == [case]
    assert list(LeadDispatch.objects.filter(lead=kept)) == [dispatch]
    assert not duplicate.cases.exists()
    assert not duplicate.dispatches.exists()
    merge = AuditEvent.objects.get(object_type="leads.lead", object_id=str(duplicate.pk), action="transition",
                                   reason="同一事件")
    assert merge.after["merged_into"] == kept.pk
    # what moved is on the kept lead's row of the same merge (the kernel's transition row holds the lead's fields)
    moved = AuditEvent.objects.get(object_type="leads.lead", object_id=str(kept.pk), action="change",
                                   reason="同一事件")
    assert moved.after["cases"] == [case.pk]
    assert moved.after["dispatches"] == [dispatch.pk]


def test_merge_keeps_the_kept_leads_own_report(tree: Tree, admin: User) -> None:
    first, second = factories.report(tree.city), factories.report(tree.city)
    kept = services.do_lead_from_report(first, actor=admin, note="转线索")
    duplicate = services.do_lead_from_report(second, actor=admin, note="转线索")
    services.do_merge(duplicate, into=kept, actor=admin, reason="同一事件")
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert (kept.report, duplicate.report) == (first, second)


def test_leads_received_broken_down_by_source(tree: Tree, admin: User) -> None:
    for source, n in (("superior", 2), ("public_report", 1), ("other_unit", 3)):
        for i in range(n):
            _lead(admin, tree.north if i % 2 else tree.city, f"{source}{i}", source=source)
    _lead(admin, tree.south, "江南", source="own_work")
    indicator = indicators.get("leads_received")
    today = timezone.localdate()
    rows = indicators.by_breakdown(indicator, today - dt.timedelta(days=1), today, tree.city)
    assert [(value, label, n) for value, label, n in rows] == [
        ("superior", "上级通报", 2), ("own_work", "自行发现", 1), ("public_report", "群众举报", 1),
        ("other_unit", "其他单位移交", 3)]
    north = {value: n for value, _label, n in indicators.by_breakdown(indicator, today, today, tree.north)}
    assert north == {"superior": 1, "own_work": 0, "public_report": 0, "other_unit": 1}
    assert sum(n for *_rest, n in rows) == indicators.compute(indicator, today, today, tree.city)
