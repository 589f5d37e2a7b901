"""Outreach pages: record through the form, list with filters and with a statistics figure's parameters,
steps on the detail page, upload and download of attachments, the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import Tree
from youthsafe.core.models import User
from youthsafe.outreach import services
from youthsafe.outreach.models import OutreachEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 80


def _event(tree: Tree, admin: User, title: str, day: dt.date, place: object, *, held: bool = True,
           kind: str = "school_lecture", brochures: int = 0) -> OutreachEvent:
    return services.do_create_event(actor=admin, held=held, materials={"brochure": brochures}, data={
        "kind": kind, "title": title, "held_on": day, "jurisdiction": place, "audience": 100})


def test_record_through_the_form(tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    client = login(make_user("analyst", tree.north))
    page = client.get("/outreach/new/")
    assert page.status_code == 200
    assert "登记宣传教育活动" in page.content.decode()
    response = client.post("/outreach/new/", {
        "kind": "school_lecture", "title": "网络安全进校园：江北一中", "held_on": "2023-03-01",
        "jurisdiction": tree.north.pk, "venue": "江北一中", "at_school": "on", "partner": "区教育局",
        "audience": "620", "held": "on", "material_brochure": "50", "material_poster": "2"})
    event = OutreachEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/outreach/{event.pk}/"
    assert (event.status, event.brochures, event.at_school) == ("held", 50, True)
    bad = client.post("/outreach/new/", {"kind": "school_lecture", "title": "", "held_on": "2023-02-30",
                                         "jurisdiction": tree.south.pk, "audience": "-3"})
    assert bad.status_code == 200
    assert OutreachEvent.objects.count() == 1


def test_list_honours_the_figure_parameters(tree: Tree, make_user: Callable[..., User],
                                           login: Callable[[User], Client]) -> None:
    admin = make_user("administrator")
    _event(tree, admin, "期内北区讲座", dt.date(2023, 2, 1), tree.north)
    _event(tree, admin, "期内派出所讲座", dt.date(2023, 2, 2), tree.station)
    _event(tree, admin, "期外讲座", dt.date(2023, 8, 1), tree.north)
    _event(tree, admin, "南区讲座", dt.date(2023, 2, 1), tree.south)
    _event(tree, admin, "北区网上宣传", dt.date(2023, 2, 1), tree.north, kind="online_campaign")
    _event(tree, admin, "计划讲座", dt.date(2023, 2, 1), tree.north, held=False)
    client = login(make_user("leader"))
    page = client.get("/outreach/", {"indicator": "school_lectures", "from": "2023-01-01", "to": "2023-07-10",
                                     "jurisdiction": tree.north.pk}).content.decode()
    assert "期内北区讲座" in page
    assert "期内派出所讲座" in page
    for absent in ("期外讲座", "南区讲座", "北区网上宣传", "计划讲座"):
        assert absent not in page
    assert "共 2 场活动" in page
    unfiltered = client.get("/outreach/", {"kind": "online_campaign"}).content.decode()
    assert "北区网上宣传" in unfiltered
    assert "期内北区讲座" not in unfiltered


def test_steps_and_attachments_on_the_detail_page(tree: Tree, make_user: Callable[..., User],
                                                  login: Callable[[User], Client]) -> None:
    analyst = make_user("analyst", tree.north)
    event = _event(tree, analyst, "计划讲座", dt.date(2023, 2, 1), tree.north, held=False)
    client = login(analyst)
    detail = client.get(f"/outreach/{event.pk}/").content.decode()
    assert "活动日期已过" in detail  # a planned event whose day has passed
    assert client.post(f"/outreach/{event.pk}/held/", {"held_on": "2023-02-01", "audience": "350",
                                                       "brochures": "40"}).status_code == 302
    event.refresh_from_db()
    assert (event.status, event.audience, event.brochures) == ("held", 350, 40)
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    assert client.post(f"/outreach/{event.pk}/attach/", {"file": upload}).status_code == 302
    attachment = event.attachments.get()
    download = client.get(f"/outreach/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    fake = SimpleUploadedFile("x.png", b"<html>", content_type="image/png")
    refused = client.post(f"/outreach/{event.pk}/attach/", {"file": fake})
    assert refused.status_code == 200
    assert "只能上传照片" in refused.content.decode()
    sibling = login(make_user("analyst", tree.south))
    assert sibling.get(f"/outreach/attachments/{attachment.pk}/").status_code == 404


def test_api_create_and_list(tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    client = login(make_user("analyst", tree.north))
    body = {"kind": "online_campaign", "title": "网上宣传", "held_on": "2023-05-01", "jurisdiction": tree.north.pk,
            "audience": 10000, "materials": [{"kind": "brochure", "quantity": 5}]}
    created = client.post("/api/outreach/events", body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["materials"] == [{"kind": "brochure", "quantity": 5}]
    refused = client.post("/api/outreach/events", {**body, "jurisdiction": tree.south.pk},
                          content_type="application/json")
    assert refused.status_code == 422
    listed = client.get("/api/outreach/events", {"date_from": "2023-01-01", "kind": "online_campaign"}).json()
    assert [e["title"] for e in listed] == ["网上宣传"]
