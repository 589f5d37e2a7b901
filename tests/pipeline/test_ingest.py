"""ingest_batch and ``youthsafe ingest``: idempotent, dead letters with reasons, one incident per thread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.conftest import Tree
from tests.pipeline.conftest import RECRUITMENT_THREAD
from youthsafe.alerts.models import Alert, AlertPerson
from youthsafe.core import audit
from youthsafe.core.models import AuditEvent
from youthsafe.detection.engine import Engine
from youthsafe.pipeline import pseudonym
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord, Source
from youthsafe.pipeline.services import ingest_batch, validate


def _one_incident() -> Alert:
    alerts = list(Alert.objects.all())
    assert len(alerts) == 1
    return alerts[0]


def test_recruitment_thread_becomes_one_incident_with_its_people(source: Source) -> None:
    summary = ingest_batch(source, RECRUITMENT_THREAD, channel="test")
    assert (summary.read, summary.accepted, summary.duplicates, summary.dead_letters) == (5, 5, 0, 0)
    alert = _one_incident()
    assert alert.recruitment
    assert alert.level >= 6
    assert alert.jurisdiction == source.jurisdiction
    people = {p.author_key: p for p in AlertPerson.objects.filter(alert=alert)}
    keys = {name: pseudonym.author_key(source.name, name) for name in ("night_owl", "little_fish", "kite")}
    assert set(keys.values()) <= set(people)
    assert people[keys["night_owl"]].role == "recruiter"
    assert people[keys["little_fish"]].max_level >= 4
    assert pseudonym.author_key(source.name, "student") not in people  # unrelated post: no alert, no person
    trigger = ScanRecord.objects.get(post__external_id="t1")
    assert trigger.recruitment
    assert any(e["text"] for e in trigger.result["evidence"])


def test_replay_changes_nothing(source: Source) -> None:
    ingest_batch(source, RECRUITMENT_THREAD, channel="test")
    counts = (Post.objects.count(), ScanRecord.objects.count(), Alert.objects.count(), AlertPerson.objects.count())
    again = ingest_batch(source, RECRUITMENT_THREAD, channel="test")
    assert (again.accepted, again.duplicates) == (0, 5)
    assert (Post.objects.count(), ScanRecord.objects.count(), Alert.objects.count(),
            AlertPerson.objects.count()) == counts


def test_duplicates_inside_one_batch_are_stored_once(source: Source) -> None:
    record = RECRUITMENT_THREAD[4]
    summary = ingest_batch(source, [record, dict(record), dict(record, text="改过的文本")], channel="test")
    # The same id with another text is a conflict (dead-lettered, tests/pipeline/test_bad_input.py), not a duplicate.
    assert (summary.accepted, summary.duplicates, summary.conflicts) == (1, 1, 1)
    assert Post.objects.get().text == record["text"]


@pytest.mark.parametrize(("record", "reason"), [
    ({"id": "x", "text": ""}, "missing text"),
    ({"text": "没有编号"}, "missing id"),
    ({"id": "x", "text": 5}, "text must be a non-empty string"),
    ({"id": ["x"], "text": "数组编号"}, "id must be a string or an integer"),
    ({"id": "x", "text": "坏时间", "created_at": "昨天"}, "created_at is not an ISO 8601 time"),
    ({"id": "x", "text": "a\x00b"}, "NUL"),
    ({"id": "x" * 300, "text": "太长的编号"}, "longer than 200"),
    ("just a string", "not a JSON object"),
])
def test_bad_records_get_a_reason(record: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate(record, "1")


def test_bad_records_are_dead_lettered_and_the_batch_goes_on(source: Source) -> None:
    records = [{"id": "ok", "text": "正常的帖子"}, {"id": "bad", "text": ""}, "garbage"]
    summary = ingest_batch(source, records, channel="test", positions=["line 1", "line 2", "line 3"])
    assert (summary.accepted, summary.dead_letters) == (1, 2)
    letters = {d.position: d.reason for d in DeadLetter.objects.all()}
    assert letters == {"line 2": "missing text", "line 3": "record is not a JSON object"}
    assert [r.status for r in summary.results] == ["dead_letter", "dead_letter", "accepted"]
    ingest_batch(source, records, channel="test", positions=["line 1", "line 2", "line 3"])
    assert DeadLetter.objects.count() == 2  # a replay does not repeat the dead letters


def test_author_is_pseudonymous_and_the_raw_id_is_not_stored_in_clear(source: Source) -> None:
    ingest_batch(source, [{"id": "a", "text": "你好", "author": "raw-account-8837"}], channel="test")
    post = Post.objects.get()
    assert post.author_key == pseudonym.author_key(source.name, "raw-account-8837")
    assert pseudonym.unseal(post.author_sealed) == "raw-account-8837"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pipeline_post")
        row = cursor.fetchone()
    assert row is not None
    assert not any("raw-account-8837" in str(value) for value in row)


def test_location_hint_picks_the_jurisdiction(source: Source, tree: Tree) -> None:
    ingest_batch(source, [{"id": "a", "text": "你好", "location": "江城市江南区某中学"},
                          {"id": "b", "text": "你好", "location": "不知道"}], channel="test")
    assert Post.objects.get(external_id="a").jurisdiction == tree.south
    assert Post.objects.get(external_id="b").jurisdiction == tree.north  # the source's default


def _write(path: Path, records: list[object]) -> None:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_ingest_command_twice_adds_nothing(tmp_path: Path, tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "posts.jsonl"
    _write(path, [*RECRUITMENT_THREAD, "{not json", {"id": "z"}])
    with pytest.raises(SystemExit) as exit_info:
        call_command("ingest", str(path), "--source", "cli-feed", "--create-source", "--jurisdiction", "JC-N")
    assert exit_info.value.code == 3
    out = capsys.readouterr()
    assert "new 5" in out.out
    assert "dead letters 2" in out.out
    assert {d.position for d in DeadLetter.objects.all()} == {"line 6", "line 7"}
    counts = (Post.objects.count(), Alert.objects.count(), DeadLetter.objects.count())
    with pytest.raises(SystemExit):
        call_command("ingest", str(path), "--source", "cli-feed")
    assert "new 0, duplicates 5" in capsys.readouterr().out
    assert (Post.objects.count(), Alert.objects.count(), DeadLetter.objects.count()) == counts
    _one_incident()


def test_ingest_command_reads_csv_with_other_field_names(tmp_path: Path, tree: Tree) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("\ufeffpost_id,body,user\n1,今天天气很好,u1\n2,周末去公园,u2\n", encoding="utf-8")
    call_command("ingest", str(path), "--source", "csv-feed", "--create-source", "--jurisdiction", "JC",
                 "--id-field", "post_id", "--text-field", "body", "--author-field", "user")
    assert sorted(Post.objects.values_list("external_id", flat=True)) == ["1", "2"]


@pytest.mark.parametrize(("args", "message"), [
    (["/no/such/file.jsonl", "--source", "s", "--create-source", "--jurisdiction", "JC"], "no such file"),
    (["{path}", "--source", "unknown"], "unknown source"),
    (["{path}", "--source", "s", "--create-source", "--jurisdiction", "NOPE"], "existing jurisdiction"),
])
def test_ingest_command_refuses_unusable_input(tree: Tree, tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "p.jsonl"
    _write(path, [{"id": 1, "text": "x"}])
    with pytest.raises(CommandError, match=message) as error:
        call_command("ingest", *[a.replace("{path}", str(path)) for a in args])
    assert error.value.returncode == 2  # the contract: unusable input exits 2 with a one-line reason


def test_near_duplicate_clusters_reach_the_posts(source: Source) -> None:
    spam = "加V信看彩票内部计划，稳赚不赔，学生党也能上分，名额有限速来"
    records = [{"id": "s1", "text": spam}, {"id": "s2", "text": spam + "！！"},
               {"id": "o1", "text": "今天数学课讲了函数，感觉终于听懂了"}]
    ingest_batch(source, records, channel="test", engine=Engine(dedup=True))
    clusters = dict(Post.objects.values_list("external_id", "cluster_id"))
    assert clusters["s1"] is not None
    assert clusters["s1"] == clusters["s2"] != clusters["o1"]


def test_times_outside_what_utc_can_hold_are_dead_letters_not_a_crash(source: Source) -> None:
    """Found by fuzzing: year 1 in the local zone is before UTC's year 1, and the batch failed on insert with
    OverflowError; an epoch number past a float failed in validate."""
    summary = ingest_batch(source, [
        {"id": "a", "text": "帖子", "created_at": "0001-01-01T00:00:00"},
        {"id": "b", "text": "帖子", "created_at": "9999-12-31T23:59:59-14:00"},
        {"id": "c", "text": "帖子", "created_at": 10**400},
        {"id": "d", "text": "帖子", "created_at": "2026-11-28T10:00:00+08:00"},
    ], channel="http")
    assert [(r.external_id, r.status, r.reason) for r in sorted(summary.results, key=lambda r: r.external_id)] == [
        ("a", "dead_letter", "created_at out of range"), ("b", "dead_letter", "created_at out of range"),
        ("c", "dead_letter", "created_at out of range"), ("d", "accepted", "")]
    assert Post.objects.filter(source=source).count() == 1


def test_alerting_that_fails_for_one_post_leaves_no_audit_row_for_it(source: Source, monkeypatch: pytest.MonkeyPatch
                                                                       ) -> None:
    """A batch's audit rows are appended together at its end (core/audit.py ``deferred``); a post whose alerting
    fails is rolled back to its savepoint, and so is its audit row, while the batch and the chain go on."""
    real = AlertPerson.objects.create
    calls = {"n": 0}

    def flaky(**kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated alerting failure")
        return real(**kwargs)

    monkeypatch.setattr(AlertPerson.objects, "create", flaky)
    texts = ["我已经买好了安眠药，今晚就走，再见了大家", "遗书已经写好了，明天就从楼顶跳下去",
             "遗书写好了，今晚吃药走了，再见"]
    summary = ingest_batch(source, [{"id": f"a{i}", "text": t, "author": f"u{i}", "thread": f"th{i}",
                                     "created_at": "2026-11-28T10:00:00+08:00"} for i, t in enumerate(texts)],
                           channel="file")
    assert summary.accepted == 3
    assert Post.objects.filter(source=source).count() == 3
    alerts = list(Alert.objects.order_by("pk"))
    assert summary.alerts_opened == len(alerts) == 2
    created = AuditEvent.objects.filter(object_type="alerts.alert", action="create")
    assert sorted(int(e.object_id) for e in created) == [a.pk for a in alerts]
    assert list(audit.verify_chain()) == []
