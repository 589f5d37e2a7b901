"""pipeline/bulk.py: the one-statement insert ingestion uses on PostgreSQL stores what ``bulk_create`` would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import Tree
from youthsafe.pipeline import bulk
from youthsafe.pipeline.models import Post, ScanRecord, Source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if not bulk.supported():
        pytest.skip("the array insert is PostgreSQL's; on SQLite ingestion uses bulk_create (test_ingest.py)")


def _posts(source: Source, ids: list[str]) -> list[Post]:
    when = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    return [Post(source=source, external_id=eid, text=f"帖子「{eid}」\n带引号\"和反斜杠\\",
                 posted_at=when if i % 2 else None, thread_key=f"t{i}", author_key="",
                 jurisdiction=source.jurisdiction, cluster_id=None if i % 2 else 2**40,
                 meta={"来源": eid, "n": i, "list": [1, None, "二"]}, ingest_batch="b")
            for i, eid in enumerate(ids)]


def test_rows_read_back_as_built(tree: Tree) -> None:
    source = Source.objects.create(name="bulk", jurisdiction=tree.north)
    built = _posts(source, ["a", "b", "c"])
    before = timezone.now()
    rows = bulk.insert(Post, built, returning=("external_id", "id"))
    assert sorted(eid for eid, _pk in rows) == ["a", "b", "c"]
    keys = dict(rows)
    for post in built:
        stored = Post.objects.get(pk=keys[post.external_id])
        for name in ("external_id", "text", "posted_at", "thread_key", "author_key", "jurisdiction_id", "cluster_id",
                     "meta", "ingest_batch", "source_id", "purged_at"):
            assert getattr(stored, name) == getattr(post, name), name
        assert stored.received_at >= before  # auto_now_add, set by the field's own pre_save
        assert stored.received_at == post.received_at


def test_conflicts_are_skipped_and_only_new_rows_return(tree: Tree) -> None:
    source = Source.objects.create(name="bulk", jurisdiction=tree.north)
    bulk.insert(Post, _posts(source, ["a", "b"]), returning=("external_id", "id"), ignore_conflicts=True)
    again = bulk.insert(Post, _posts(source, ["a", "b", "c"]), returning=("external_id", "id"), ignore_conflicts=True)
    assert [eid for eid, _pk in again] == ["c"]
    assert Post.objects.filter(source=source).count() == 3


def test_json_and_small_integers_round_trip(tree: Tree) -> None:
    source = Source.objects.create(name="bulk", jurisdiction=tree.north)
    (_eid, pk), = bulk.insert(Post, _posts(source, ["a"]), returning=("external_id", "id"))
    result = {"explanation": "自杀风险 9/10", "evidence": [{"start": 0, "end": 3, "text": "安眠药"}], "empty": {},
              "quote": "\"'\\"}
    scan = ScanRecord(post_id=pk, model_version="m", rules_version="r", risk_level=9, flagged=True,
                      recruitment=False, categories=["W01"], result=result)
    ((post_id, scan_id),) = bulk.insert(ScanRecord, [scan], returning=("post", "id"))
    stored = ScanRecord.objects.get(pk=scan_id)
    assert (post_id, stored.risk_level, stored.categories, stored.result) == (pk, 9, ["W01"], result)


def test_nothing_to_insert_sends_nothing() -> None:
    assert bulk.insert(Post, [], returning=("id",)) == []
    assert connection.vendor == "postgresql"
