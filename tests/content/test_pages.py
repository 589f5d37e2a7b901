"""Content pages: evidence downloads (permission, jurisdiction, audit), highlighted evidence, list filters."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.test import Client

from tests.conftest import Tree
from tests.content import factories
from youthsafe.content import services
from youthsafe.core.models import AuditEvent, User


def test_evidence_download_is_audited(tree: Tree, make_user: Callable[..., User],
                                      login: Callable[[User], Client]) -> None:
    admin = make_user("administrator")
    item = factories.item(admin, tree.north, None)
    row = item.evidence.get()
    analyst = make_user("analyst", tree.north)
    before = AuditEvent.objects.filter(object_type="content.evidence", action="export").count()
    response = login(analyst).get(f"/content/evidence/{row.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == row.sha256
    events = AuditEvent.objects.filter(object_type="content.evidence", action="export")
    assert events.count() == before + 1
    event = events.latest("id")
    assert event.actor == analyst
    assert event.object_id == str(row.pk)
    assert event.jurisdiction == tree.north


def test_evidence_download_refused_outside_role_or_jurisdiction(tree: Tree, make_user: Callable[..., User],
                                                                login: Callable[[User], Client]) -> None:
    admin = make_user("administrator")
    row = factories.item(admin, tree.north, None).evidence.get()
    sibling = login(make_user("analyst", tree.south))
    assert sibling.get(f"/content/evidence/{row.pk}/").status_code == 404
    no_role = login(make_user("readonly", tree.north))  # may see items, may not download evidence
    assert no_role.get(f"/content/evidence/{row.pk}/").status_code == 403
    assert not AuditEvent.objects.filter(object_type="content.evidence", action="export").exists()


def test_item_page_highlights_the_engine_evidence(tree: Tree, make_user: Callable[..., User],
                                                  login: Callable[[User], Client]) -> None:
    admin = make_user("administrator")
    item = factories.item(admin, tree.north, None, text="<b>加微信</b>看福利视频，未成年萝莉资源打包出售")
    page = login(admin).get(f"/content/{item.pk}/").content.decode()
    assert '<mark class="hit" title="A02 · A02.csam.terms">萝莉资源</mark>' in page
    assert "&lt;b&gt;加微信&lt;/b&gt;" in page
    assert item.scan is not None
    assert item.scan["model_version"] in page


def test_list_honours_indicator_parameters(tree: Tree, make_user: Callable[..., User],
                                           login: Callable[[User], Client]) -> None:
    admin = make_user("administrator")
    handled = factories.item(admin, tree.north, None, location="https://x.example/handled-one")
    factories.item(admin, tree.south, None, location="https://x.example/open-one", text="完全不同的文字内容在这里")
    instruction = services.do_instruct(handled, actor=admin, platform=factories.platform(admin, tree.north))
    services.do_confirm(instruction, actor=admin, confirmation="已删除")
    services.do_verify(instruction, actor=admin, done=True, note="已核实")
    client = login(admin)
    page = client.get("/content/", {"indicator": "harmful_items_handled", "from": "2000-01-01",
                                    "to": "2999-01-01", "jurisdiction": tree.city.pk}).content.decode()
    assert "handled-one" in page
    assert "open-one" not in page
    south = client.get("/content/", {"indicator": "harmful_items_handled", "jurisdiction": tree.south.pk})
    assert "handled-one" not in south.content.decode()
    bad = client.get("/content/", {"indicator": "no_such", "from": "yesterday"})
    assert bad.status_code == 200
    wrong_list = client.get("/content/", {"indicator": "leads_received"})
    assert wrong_list.status_code == 200
