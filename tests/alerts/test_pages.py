"""Pages: the queue sorts overdue first and refreshes itself; detail highlights evidence and escapes the rest;
W01 reads as a welfare signal; action forms; the export command."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.alerts.factories import RECRUIT, feed, scan_post, source
from tests.conftest import Tree
from youthsafe.alerts import presenters, services, views
from youthsafe.alerts.models import Alert
from youthsafe.core.models import User
from youthsafe.detection.engine import Evidence

pytestmark = pytest.mark.django_db


def test_queue_sorts_overdue_first_and_refreshes(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    src = source(tree.north)
    old = timezone.now() - dt.timedelta(days=2)
    late = feed(src, "活着好累，想从天台跳下去，时间还没定", author="late", thread="a", now=old, posted_at=old)
    fresh = feed(src, RECRUIT, author="fresh", thread="b")
    assert late is not None
    assert fresh is not None
    assert late.level <= fresh.level
    client = login(make_user("reviewer", tree.north))
    page = client.get("/alerts/").content.decode()
    assert page.index(f'data-alert="{late.pk}"') < page.index(f'data-alert="{fresh.pk}"')
    assert 'hx-trigger="every 15s"' in page
    partial = client.get("/alerts/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert f'data-alert="{late.pk}"' in partial
    assert presenters.sla(late, timezone.now()) == "overdue"


def test_queue_queries_do_not_grow_with_its_rows(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    """The queue is the page every reviewer keeps open (it refreshes every 15 s): its trigger excerpts and
    people counts come in one query each, not one per row."""
    src = source(tree.north)
    client = login(make_user("reviewer", tree.north))
    counts = []
    for k in range(2):
        for i in range(3):
            feed(src, f"遗书已经写好了，明天就从楼顶跳下去（{k}-{i}）", author=f"p{k}-{i}", thread=f"q{k}-{i}")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/alerts/", HTTP_HX_REQUEST="true", HTTP_X_YOUTHSAFE_POLL="1").content.decode()
        counts.append(len(queries))
        assert page.count("data-alert=") == 3 * (k + 1)
        assert "遗书已经写好了" in page  # the trigger excerpt is there
    assert counts[0] == counts[1], counts


def test_detail_highlights_evidence_and_escapes_everything_else(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    src = source(tree.north)
    text = "<script>alert(1)</script>我已经买好了安眠药，今晚就走"
    post, scan, result = scan_post(src, text, author="x", thread="x")
    start = text.index("安眠药")
    forced = replace(result, risk_level=8, welfare=True, evidence=[
        Evidence(start, start + 3, "安眠药", "W01", "test", "term"), Evidence(0, 8, "<script>", "W01", "t", "term")])
    scan.result = forced.to_dict()
    scan.save()
    alert = services.on_post_scanned(post, scan, forced)
    assert alert is not None
    page = login(make_user("reviewer", tree.north)).get(f"/alerts/{alert.pk}/").content.decode()
    assert "<mark>安眠药</mark>" in page
    assert "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "自杀已在计划中" in page  # Tree Hole label of level 8 (regulatory-reference 6.1)


def test_welfare_signal_never_reads_as_a_violation(tree: Tree) -> None:
    assert presenters.category_label("W01") != "W01"
    assert "violation" not in presenters.category_label("W01").lower()
    assert "违规" not in presenters.category_label("W01")
    text = presenters.explanation({"explanation": "No violation found. Suicide risk level 5/10 (welfare signal)."})
    assert "violation" not in text
    assert text.startswith("Suicide risk level 5/10")  # an old record with only the engine's sentence
    result = {"categories": [{"id": "W01", "score": 0.9, "flagged": True}], "risk_level": 5, "recruitment": False,
              "model_version": "m1", "explanation": "No violation found. Suicide risk level 5/10."}
    with translation.override("en"):
        text = presenters.explanation(result)
    assert text == ("Suicide risk level 5/10 (强烈自杀愿望). Welfare signal: route to outreach, never sanction.")
    with translation.override("zh-hans"):
        text = presenters.explanation({**result, "recruitment": True, "risk_level": 8,
                                       "categories": [{"id": "A07", "score": 0.97, "flagged": True}]})
    assert "违规" not in text
    assert text.startswith("命中：A07 ")
    assert "自杀风险等级 8/10" in text
    assert "招募" in text


def test_action_forms_require_a_reason_and_change_nothing_without(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    alert = feed(source(tree.north), RECRUIT, author="f", thread="f")
    assert alert is not None
    client = login(make_user("reviewer", tree.north))
    response = client.post(f"/alerts/{alert.pk}/close/", {"reason": ""})
    assert response.status_code == 200
    assert Alert.objects.get().status == "new"
    response = client.post(f"/alerts/{alert.pk}/dispatch/", {"to_jurisdiction": tree.other_city.pk,
                                                             "shared_note": "请海州协查"})
    assert response.status_code == 302
    assert Alert.objects.get().status == "dispatched"
    response = client.post(f"/alerts/{alert.pk}/reopen/", {"reason": "x"})
    assert response.status_code == 200
    assert "不能" in response.content.decode() or "cannot" in response.content.decode()


def test_export_command_contract(tree: Tree) -> None:
    alert = feed(source(tree.north), RECRUIT, author="e", thread="e")
    assert alert is not None
    out = StringIO()
    call_command("alerts", "export", "--json", stdout=out, stderr=StringIO())
    data = json.loads(out.getvalue())
    assert data[0]["id"] == alert.pk
    assert {"post_ids", "level", "categories", "status"} <= set(data[0])
    assert data[0]["post_ids"] == [alert.posts.get().post_id]


def test_model_evidence_is_marked_apart_from_rule_hits() -> None:
    text = "真的撑不下去了"
    evidence = [{"start": 2, "end": 7, "source": "risk", "category": "W01"},
                {"start": 0, "end": 2, "source": "model", "category": "W01"},
                {"start": 4, "end": 6, "source": "model", "category": "W01"}]  # inside a rule hit: not repeated
    html = str(presenters.highlight(text, evidence))
    assert html.startswith('<mark class="model" title=')
    assert html.endswith(">真的</mark><mark>撑不下去了</mark>")
    assert html.count("<mark") == 2


def test_queue_refresh_answers_not_modified_until_its_rows_change(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rows refresh every 15 s; the browser revalidates them with the entity tag it holds, and only a
    change to what the rows show (or the next minute, for the time left) renders them again."""
    src = source(tree.north)
    first = feed(src, RECRUIT, author="a", thread="t-etag")
    assert first is not None
    reviewer = make_user("reviewer", tree.north)
    client = login(reviewer)
    fixed = timezone.now().replace(second=5)
    monkeypatch.setattr(views.timezone, "now", lambda: fixed)
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_X_YOUTHSAFE_POLL": "1"}

    rows = client.get("/alerts/", **poll)
    tag = rows["ETag"]
    assert rows.status_code == 200
    assert f'data-alert="{first.pk}"' in rows.content.decode()
    assert "no-cache" in rows["Cache-Control"]
    assert "private" in rows["Cache-Control"]
    same = client.get("/alerts/", HTTP_IF_NONE_MATCH=tag, **poll)
    assert (same.status_code, same.content, same["ETag"]) == (304, b"", tag)
    assert "ETag" not in client.get("/alerts/")  # the full page is always rendered

    def fresh_after(change: Callable[[], object]) -> str:
        change()
        again = client.get("/alerts/", HTTP_IF_NONE_MATCH=tag, **poll)
        assert again.status_code == 200
        assert again["ETag"] != tag
        return str(again["ETag"])

    tag = fresh_after(lambda: services.do_claim(first, actor=reviewer))  # "claimed by" is shown
    tag = fresh_after(lambda: feed(src, RECRUIT, author="b", thread="t-etag-2"))  # a new alert
    assert client.get("/alerts/", HTTP_IF_NONE_MATCH=tag, **poll).status_code == 304
    monkeypatch.setattr(views.timezone, "now", lambda: fixed + dt.timedelta(minutes=1))  # time left moves on
    tag = fresh_after(lambda: None)
    assert client.get("/alerts/?level=9", HTTP_IF_NONE_MATCH=tag, **poll).status_code == 200  # other rows
    other = login(make_user("leader", tree.north))
    assert other.get("/alerts/", HTTP_IF_NONE_MATCH=tag, **poll).status_code == 200  # another person's rows
