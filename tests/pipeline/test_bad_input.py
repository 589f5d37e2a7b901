"""One bad character or line never stops intake (issue 16): lone surrogates, NUL and other C0 controls, invalid
UTF-8, very long lines and replays with a changed text, on every path: ``ingest_batch``, the push API, ``youthsafe
ingest`` (JSONL, CSV, backfill results), ``youthsafe backfill`` and the NATS worker. The valid records are
stored and scanned, each bad one is dead-lettered with its reason and a payload the database can hold, and the
run goes on. The last test feeds one mixed stream through the real server, command and worker on PostgreSQL.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import nats
import psycopg
import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import Tree
from tests.pipeline.test_stream import (  # noqa: F401  (fault_db and fault_template are fixtures)
    ROOT,
    _count,
    _delete_stream,
    _env,
    _jsonl,
    _run,
    _settings,
    fault_db,
    fault_template,
    needs_nats,
)
from tests.pipeline.test_web_killed import _port, _serve
from youthsafe.pipeline import backfill, records, tokens
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord, Source
from youthsafe.pipeline.services import default_engine, ingest_batch, validate
from youthsafe.pipeline.stream import StreamSettings, Worker, decode, publish_file

OK = [{"id": "ok-1", "text": "今天数学课讲了函数，感觉终于听懂了", "author": "u1"},
      {"id": "ok-2", "text": "周末去公园放风筝", "author": "u2", "thread": "th-2"}]
BIG = 10 * 1024 * 1024  # a 10 MB line, as the probe sent
FIELDS = ("id", "text", "author", "thread", "location", "created_at")


def _letters(**where: Any) -> dict[str, DeadLetter]:
    return {d.position: d for d in DeadLetter.objects.filter(**where)}


def _stored() -> set[str]:
    return set(Post.objects.values_list("external_id", flat=True))


# --- the rule: what a field may hold ---------------------------------------------------------------------------

@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize(("char", "reason"), [
    ("\ud800", "a lone surrogate (U+D800)"), ("\udfff", "a lone surrogate (U+DFFF)"),
    ("\x00", "a NUL character (U+0000)"), ("\x01", "a control character (U+0001)"),
    ("\x0b", "a control character (U+000B)"), ("\x1b", "a control character (U+001B)"),
    ("\x1f", "a control character (U+001F)"),
])
def test_a_lone_surrogate_or_a_control_character_in_any_field_is_dead_lettered(
    source: Source, field: str, char: str, reason: str
) -> None:
    bad = {"id": "bad", "text": "有人在吗", "author": "u3", "thread": "th-3", "location": "江北区",
           "created_at": "2026-11-28T10:00:00+08:00"}
    bad[field] = f"x{char}y" if field != "created_at" else f"2026-11-28T10:00{char}"
    summary = ingest_batch(source, [OK[0], bad, OK[1]], channel="test")
    assert (summary.accepted, summary.dead_letters) == (2, 1)
    assert _stored() == {"ok-1", "ok-2"}
    letter = DeadLetter.objects.get()  # read back: the database held it
    assert letter.reason == f"{field} contains {reason} at character {17 if field == 'created_at' else 2}"
    escaped = json.dumps(char)[1:-1]  # the JSON escape, e.g. \ud800 or \u0000, as text
    assert escaped in letter.payload
    assert json.loads(letter.payload)[field] == bad[field]  # the escapes are JSON's: the record comes back whole


def test_tab_newline_and_carriage_return_are_text(source: Source) -> None:
    text = "第一行\t制表\r\n第二行"
    assert ingest_batch(source, [{"id": "a", "text": text}], channel="test").accepted == 1
    assert Post.objects.get().text == text


@pytest.mark.parametrize("scan_field", ["model_version", "evidence"])
@pytest.mark.parametrize("char", ["\x00", "\ud800"])
def test_backfill_results_with_a_bad_character_in_their_scan_are_dead_lettered(
    source: Source, tmp_path: Path, scan_field: str, char: str
) -> None:
    """A hand-edited or corrupted results file: the scan's strings are stored as JSON, which PostgreSQL refuses
    with a NUL or a lone surrogate (and SQLite cannot encode the surrogate)."""
    result = default_engine().scan([OK[0]["text"]])[0].to_dict()
    good = {**OK[0], "scan": result, "model_version": result["model_version"], "rules_version": result["rules_version"]}
    if scan_field == "model_version":
        scan = {**result, "model_version": f"m{char}"}
    else:
        scan = {**result, "evidence": [{"start": 0, "end": 1, "text": f"今{char}", "category": "x", "rule_id": "r",
                                        "source": "rule"}]}
    bad = {**OK[1], "scan": scan}
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("ingest", str(path), "--source", source.name, stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_info.value.code == 3
    assert _stored() == {"ok-1"}
    assert "scan contains" in _letters()["line 2"].reason


# --- item 1: a lone surrogate on every path -------------------------------------------------------------------

def test_push_api_stores_the_valid_record_and_dead_letters_the_lone_surrogate(source: Source) -> None:
    """The probe's request, byte for byte: it answered 500 and stored nothing."""
    token = tokens.do_create_token(source, actor=None, name="collector").plaintext
    body = b'{"records":[{"id":"ok","text":"valid"},{"id":"x","text":"a\\ud800b"}]}'
    response = Client().post("/api/pipeline/posts", data=body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["accepted"], answer["dead_letters"]) == (1, 1)
    assert [r["reason"] for r in answer["results"] if r["status"] == "dead_letter"] == [
        "text contains a lone surrogate (U+D800) at character 2"]
    assert _stored() == {"ok"}
    assert "\\ud800" in DeadLetter.objects.get(channel="http").payload


def test_push_api_dead_letters_a_record_with_invalid_utf8_not_the_whole_body(source: Source) -> None:
    token = tokens.do_create_token(source, actor=None, name="collector").plaintext
    body = b'{"records":[{"id":"ok","text":"valid"},{"id":"x","text":"a\xffb\xc3"},{"id":"ok2","text":"\xe5\xa5\xbd"}]}'
    response = Client().post("/api/pipeline/posts", data=body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response.json()["dead_letters"] == 1
    assert _stored() == {"ok", "ok2"}
    letter = DeadLetter.objects.get(channel="http")
    assert letter.position == "2"
    assert letter.reason == "not valid UTF-8 (byte 0xff in text)"
    assert '"a\\xffb\\xc3"' in letter.payload  # the bytes as \xNN, as file lines keep them


def test_ingest_command_goes_on_past_a_lone_surrogate(source: Source, tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text(json.dumps(OK[0]) + '\n{"id": "x", "text": "a\\ud83db"}\n' + json.dumps(OK[1]) + "\n",
                    encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("ingest", str(path), "--source", source.name, stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 3
    assert _stored() == {"ok-1", "ok-2"}
    letter = _letters()["line 2"]
    assert letter.reason == "text contains a lone surrogate (U+D83D) at character 2"
    assert "\\ud83d" in letter.payload


def test_backfill_rejects_a_lone_surrogate_and_ingest_loads_the_rest(source: Source, tmp_path: Path) -> None:
    archive = tmp_path / "archive.jsonl"
    archive.write_text(json.dumps(OK[0]) + '\n{"id": "x", "text": "a\\ud800b"}\n{"id": "y", "text": "b", '
                       '"author": "\\udc00"}\n' + json.dumps(OK[1]) + "\n", encoding="utf-8")
    out = tmp_path / "results"
    summary = backfill.run(backfill.Options(input=str(archive), out=str(out), engine="local"))
    assert (summary.rows, summary.scanned, summary.rejects) == (4, 2, 2)
    rejects = [json.loads(line) for line in (out / backfill.REJECTS / "part-00000.jsonl").read_text("utf-8").split("\n")
               if line]
    assert [r["reason"] for r in rejects] == ["text contains a lone surrogate (U+D800) at character 2",
                                              "author contains a lone surrogate (U+DC00) at character 1"]
    call_command("ingest", str(out), "--source", source.name, stdout=io.StringIO())
    assert _stored() == {"ok-1", "ok-2"}
    assert ScanRecord.objects.count() == 2


# --- items 3 and 5: invalid UTF-8 in CSV, lines too long ------------------------------------------------------

def test_csv_ingest_dead_letters_invalid_utf8_and_control_characters_line_by_line(source: Source,
                                                                                   tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_bytes(
        b"id,text,author\n"
        b"1,\xe4\xbb\x8a\xe5\xa4\xa9\xe5\xa4\xa9\xe6\xb0\x94\xe5\xbe\x88\xe5\xa5\xbd,u1\n"  # line 2: 今天天气很好
        b"2,caf\xe9 au lait,u2\n"                    # line 3: Latin-1, not UTF-8
        b'3,"two\nlines \xff",u3\n'                  # lines 4-5: a quoted cell over two lines, bad byte in the second
        b"4,nul in the author,u\x004\n"              # line 6
        b"5,vertical\x0btab,u5\n"                    # line 7
        b'6,"fine, quoted",u6\n'                     # line 8
    )
    with pytest.raises(SystemExit):
        call_command("ingest", str(path), "--source", source.name, stdout=io.StringIO(), stderr=io.StringIO())
    assert _stored() == {"1", "6"}
    assert {p: d.reason for p, d in _letters().items()} == {
        "line 3": "not valid UTF-8 (byte 5)",
        "line 4": "not valid UTF-8 (line 5, byte 6)",
        "line 6": "author contains a NUL character (U+0000) at character 2",
        "line 7": "text contains a control character (U+000B) at character 9",
    }
    assert "caf\\xe9" in _letters()["line 3"].payload
    assert "\ufffd" not in "".join(Post.objects.values_list("text", flat=True))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_10_mb_line_is_dead_lettered_with_its_size_and_the_rest_is_stored(
    source: Source, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"posts{suffix}"
    if suffix == ".jsonl":
        lines = [json.dumps(OK[0]), json.dumps({"id": "big", "text": "字" * (BIG // 3)}), json.dumps(OK[1])]
    else:
        lines = ["id,text,author", f"{OK[0]['id']},{OK[0]['text']},u1", "big," + "x" * BIG + ",u",
                 f'"{OK[1]["id"]}","{OK[1]["text"]}",u2']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("ingest", str(path), "--source", source.name, stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_info.value.code == 3
    assert _stored() == {"ok-1", "ok-2"}
    (letter,) = DeadLetter.objects.all()
    size = len(next(line for line in lines if "big" in line[:12]).encode())
    assert letter.reason == f"line longer than {records.MAX_LINE_BYTES} bytes ({size} bytes)"
    assert 0 < len(letter.payload) <= 10_000


def test_the_line_limit_holds_a_record_at_the_text_limit_with_its_scan(source: Source) -> None:
    """A backfill result of the most alarming text the text limit allows, every character escaped, fits."""
    text = ("遗书已经写好了，明天就从楼顶跳下去" * 2000)[:records.MAX_TEXT]
    result = default_engine().scan([text])[0].to_dict()
    line = json.dumps({"id": "x" * records.MAX_ID, "text": text, "author": "a" * records.MAX_FIELD,
                       "scan": result, "model_version": result["model_version"],
                       "rules_version": result["rules_version"]}, ensure_ascii=True)
    assert len(line.encode()) < records.MAX_LINE_BYTES / 2


def test_backfill_rejects_a_10_mb_line_with_its_size(tmp_path: Path) -> None:
    archive = tmp_path / "archive.jsonl"
    huge = json.dumps({"id": "big", "text": "x" * BIG})
    archive.write_text(json.dumps(OK[0]) + "\n" + huge + "\n" + json.dumps(OK[1]) + "\n", encoding="utf-8")
    out = tmp_path / "results"
    summary = backfill.run(backfill.Options(input=str(archive), out=str(out), engine="local"))
    assert (summary.rows, summary.scanned, summary.rejects) == (3, 2, 1)
    (reject,) = [json.loads(line) for line in (out / backfill.REJECTS / "part-00000.jsonl").read_text().split("\n")
                 if line]
    assert reject["reason"] == f"line longer than {records.MAX_LINE_BYTES} bytes ({len(huge)} bytes)"
    assert reject["position"] == "line 2"
    assert len(reject["payload"]) <= backfill.PAYLOAD_LIMIT


# --- item 4: the same id with another text is a conflict, not a duplicate -------------------------------------

def test_a_known_id_with_a_different_text_is_a_conflict(source: Source) -> None:
    ingest_batch(source, [OK[0]], channel="test")
    again = ingest_batch(source, [OK[0], {**OK[0], "text": "改过的文本"}, {**OK[1]}, {**OK[1], "text": "另一个"},
                                  {**OK[1]}], channel="test", positions=["1", "2", "3", "4", "5"])
    assert (again.accepted, again.duplicates, again.conflicts, again.dead_letters) == (1, 2, 2, 0)
    assert {r.position: r.status for r in again.results} == {
        "1": "duplicate", "2": "conflict", "3": "accepted", "4": "conflict", "5": "duplicate"}
    assert Post.objects.get(external_id="ok-1").text == OK[0]["text"]  # the stored post is kept
    assert Post.objects.get(external_id="ok-2").text == OK[1]["text"]  # the first of the batch wins
    letters = _letters()
    assert set(letters) == {"2", "4"}
    assert letters["2"].reason == "conflict: id 'ok-1' is stored already with a different text"
    assert json.loads(letters["2"].payload)["text"] == "改过的文本"
    assert ScanRecord.objects.count() == 2
    ingest_batch(source, [{**OK[0], "text": "改过的文本"}], channel="test", positions=["2"])
    assert DeadLetter.objects.count() == 2  # a replay of the conflict is kept once


def test_push_api_and_ingest_command_report_conflicts(source: Source, tmp_path: Path) -> None:
    token = tokens.do_create_token(source, actor=None, name="collector").plaintext

    def push(records: list[dict[str, Any]]) -> dict[str, Any]:
        response = Client().post("/api/pipeline/posts", data=json.dumps({"records": records}),
                                 content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        return dict(response.json())

    push([OK[0]])
    answer = push([OK[0], {**OK[0], "text": "改过的文本"}])
    assert (answer["duplicates"], answer["conflicts"]) == (1, 1)
    assert [r["status"] for r in answer["results"]] == ["duplicate", "conflict"]
    path = tmp_path / "posts.jsonl"
    path.write_text(json.dumps({**OK[0], "text": "又改了"}) + "\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("ingest", str(path), "--source", source.name, stdout=out, stderr=io.StringIO())
    assert exit_info.value.code == 3
    assert "conflicts 1" in out.getvalue()


def test_a_conflicting_backfill_result_stores_no_scan_of_the_other_text(source: Source, tmp_path: Path) -> None:
    ingest_batch(source, [OK[0]], channel="test")
    other = "遗书已经写好了，明天就从楼顶跳下去"
    result = default_engine().scan([other])[0].to_dict()
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps({**OK[0], "text": other, "scan": {**result, "model_version": "candidate"},
                                "model_version": "candidate", "rules_version": result["rules_version"]}) + "\n")
    with pytest.raises(SystemExit):
        call_command("ingest", str(path), "--source", source.name, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ScanRecord.objects.filter(model_version="candidate").exists()
    assert "conflict" in DeadLetter.objects.get().reason


# --- the worker -----------------------------------------------------------------------------------------------

def test_decode_refuses_a_message_longer_than_the_line_limit_unread() -> None:
    item = decode("posts.feed", b'{"id": "x", "text": "' + b"x" * records.MAX_LINE_BYTES + b'"}', "S#1", "posts.>",
                  last_delivery=False)
    assert item.reason.startswith(f"line longer than {records.MAX_LINE_BYTES} bytes")
    assert len(item.record) <= 10_000
    bad = decode("posts.feed", b'{"id": "x", "text": "caf\xe9"}', "S#2", "posts.>", last_delivery=False)
    assert bad.reason == "not valid UTF-8 (byte 24)"
    assert bad.record == '{"id": "x", "text": "caf\\xe9"}'


def _worker_mix(tmp_path: Path) -> Path:
    """A JSONL file of the valid records with one of each kind of bad one, for ``publish_file``."""
    path = tmp_path / "mix.jsonl"
    lines = [
        json.dumps(OK[0]).encode(),
        b'{"id": "sur", "text": "a\\ud800b"}',
        b'{"id": "nul", "text": "ok", "author": "a\\u0000b"}',
        b'{"id": "ctl", "text": "a\\u001bb"}',
        b'{"id": "utf", "text": "caf\xe9"}',
        b'{"id": "src", "text": "ok", "source": "x\\ud800"}',
        b'{"id": "src0", "text": "ok", "source": "x\\u0000"}',
        json.dumps({"id": "big", "text": "x" * BIG}).encode(),
        json.dumps(OK[1]).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@needs_nats
@pytest.mark.django_db(transaction=True)
def test_worker_stores_the_valid_posts_of_a_batch_and_dead_letters_each_bad_one(tree: Tree, tmp_path: Path) -> None:
    Source.objects.create(name="nats-feed", jurisdiction=tree.north)
    settings = _settings()
    try:
        assert _run(publish_file(settings, _worker_mix(tmp_path), "nats-feed")) == 9
        stats = _run(Worker(settings, idle_exit=1.5).run())
        info = _run(_consumer_info(settings))
    finally:
        _run(_delete_stream(settings))
    assert (stats.accepted, stats.dead_letters) == (2, 7)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)  # every message answered: nothing left to loop
    assert _stored() == {"ok-1", "ok-2"}
    reasons = {d.position.split("#")[1]: d.reason for d in DeadLetter.objects.filter(channel="nats")}
    assert reasons == {
        "2": "text contains a lone surrogate (U+D800) at character 2",
        "3": "author contains a NUL character (U+0000) at character 2",
        "4": "text contains a control character (U+001B) at character 2",
        "5": "not valid UTF-8 (byte 26)",
        "6": "unknown or inactive source 'x\\ud800'",
        "7": "unknown or inactive source 'x\\x00'",
        "8": f"line longer than {records.MAX_LINE_BYTES} bytes ({len(json.dumps({'id': 'big', 'text': 'x' * BIG}))} "
             "bytes)",
    }


async def _consumer_info(settings: StreamSettings) -> Any:
    nc = await nats.connect(settings.url)
    try:
        return await nc.jetstream().consumer_info(settings.stream, settings.durable)
    finally:
        await nc.close()


def test_validate_names_the_field_and_the_character() -> None:
    with pytest.raises(ValueError, match=r"^thread contains a lone surrogate \(U\+DBFF\) at character 3$"):
        validate({"id": "a", "text": "b", "thread": "ab\udbff"}, "1")


# --- fault test: one mixed stream through the real server, command and worker, on PostgreSQL ------------------

VALID = [{"id": f"v{i}", "text": f"第{i}条帖子：今天数学课讲了函数，感觉终于听懂了", "author": f"u{i % 7}",
          "thread": f"th-{i % 5}", "location": "江城市"} for i in range(30)]


def _mixed_jsonl() -> list[tuple[bytes, str | None, str | None]]:
    """(line, the reason its dead letter gives from a file or the stream, and from the push API), or None for a
    record to store; valid and bad interleaved, the same lines for every path. Bytes that are not UTF-8 stand
    as written (a file's line offset; the push API names the byte and the field)."""
    def line(record: dict[str, Any]) -> bytes:
        return json.dumps(record, ensure_ascii=False).encode()

    big = line({"id": "big", "text": "x" * BIG})
    bad: list[tuple[bytes, str, str | None]] = [
        (b'{"id": "s1", "text": "\\u6211\\ud83d\\u4e86"}', "text contains a lone surrogate (U+D83D) at character 2",
         None),
        (b'{"id": "s2\\udc00", "text": "ok"}', "id contains a lone surrogate (U+DC00) at character 3", None),
        (b'{"id": "s3", "text": "ok", "author": "\\ud800"}', "author contains a lone surrogate (U+D800) at character 1",
         None),
        (b'{"id": "n1", "text": "a\\u0000b"}', "text contains a NUL character (U+0000) at character 2", None),
        ('{"id": "n2", "text": "ok", "location": "江北\\u0000区"}'.encode(),
         "location contains a NUL character (U+0000) at character 3", None),
        (b'{"id": "c1", "text": "a\\u001bb", "thread": "t"}',
         "text contains a control character (U+001B) at character 2", None),
        (b'{"id": "c2", "text": "ok", "thread": "t\\u000b"}',
         "thread contains a control character (U+000B) at character 2", None),
        (b'{"id": "u1", "text": "caf\xe9"}', "not valid UTF-8 (byte 25)", "not valid UTF-8 (byte 0xe9 in text)"),
        (b'{"id": "u2", "text": "\xe7\xac\x91\xf0\x9f\x98"}', "not valid UTF-8 (byte 25)",  # an emoji cut short
         "not valid UTF-8 (byte 0xf0 in text)"),
        (big, f"line longer than {records.MAX_LINE_BYTES} bytes ({len(big)} bytes)",
         f"text longer than {records.MAX_TEXT} characters"),
        (line({**VALID[1], "text": "改过的文本"}), "conflict: id 'v1' is stored already with a different text", None),
    ]
    mixed: list[tuple[bytes, str | None, str | None]] = [(line(r), None, None) for r in VALID]
    for k, (data, reason, http) in enumerate(bad):  # spread through the stream, one every few valid lines
        mixed.insert(3 + k * 3, (data, reason, http or reason))
    mixed.append((line(VALID[0]), None, None))  # a replay of a stored post: a duplicate, adds nothing
    return mixed


def _mixed_csv(path: Path) -> dict[str, str]:
    """A CSV file of the valid posts with one of each bad row; returns the dead letters' reasons by position."""
    rows: list[tuple[bytes, str | None]] = [
        (f'{r["id"]},"{r["text"]}",{r["author"]}'.encode(), None) for r in VALID]
    bad: list[tuple[bytes, str]] = [
        (b"s1,\xed\xa0\xbd half an emoji as CESU-8,u", "not valid UTF-8 (byte 3)"),  # a lone surrogate as bytes
        (b"n1,a\x00b,u", "text contains a NUL character (U+0000) at character 2"),
        (b"c1,ok,a\x1bb", "author contains a control character (U+001B) at character 2"),
        (b'u1,"caf\xe9",u', "not valid UTF-8 (byte 7)"),
        (b'u2,"two\nlines, the second \xf0\x9f\x98",u', "not valid UTF-8 ({second}, byte 18)"),
        (b"big," + b"x" * BIG + b",u", f"line longer than {records.MAX_LINE_BYTES} bytes ({BIG + 6} bytes)"),
        ('v1,"改过的文本",u1'.encode(), "conflict: id 'v1' is stored already with a different text"),
    ]
    for k, entry in enumerate(bad):
        rows.insert(2 + k * 4, entry)
    reasons, number = {}, 2  # line 1 is the header
    for data, reason in rows:
        if reason is not None:
            reasons[f"line {number}"] = reason.replace("{second}", f"line {number + 1}")
        number += data.count(b"\n") + 1
    path.write_bytes(b"id,text,author\n" + b"\n".join(data for data, _r in rows) + b"\n")
    return reasons


def _http(port: int, token: str, body: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/pipeline/posts", method="POST", data=body,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback test server
            return response.status, dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        return exc.code, dict(json.loads(exc.read()))


def _rows(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]  # type: ignore[arg-type]


def _youthsafe_run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "youthsafe", *args], env=_env(url), cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def _assert_source(url: str, source: str, letters: dict[str, str]) -> None:
    """Every valid post of the source stored once and scanned; every bad one dead-lettered with its reason."""
    stored = _rows(url, "SELECT p.external_id, p.text, count(s.id) FROM pipeline_post p JOIN pipeline_source src ON "
                        "src.id = p.source_id LEFT JOIN pipeline_scanrecord s ON s.post_id = p.id WHERE src.name = %s "
                        "GROUP BY p.external_id, p.text", source)
    assert sorted(stored) == sorted((r["id"], r["text"], 1) for r in VALID), source  # a conflict changed nothing
    found = _rows(url, "SELECT position, reason, payload FROM pipeline_deadletter WHERE source_name = %s", source)
    assert {position: reason for position, reason, _p in found} == letters, source
    assert len(found) == len(letters), source
    assert all(payload for _pos, _r, payload in found), source


@needs_nats
@pytest.mark.own_database
def test_a_mixed_stream_of_bad_input_stores_every_valid_post_and_dead_letters_every_bad_one(
    fault_db: str, tmp_path: Path  # noqa: F811
) -> None:
    """Done-when of issue 16: lone surrogates, NUL and control characters, invalid UTF-8 and a 10 MB line among
    valid posts, through the push API (``youthsafe serve``), ``youthsafe ingest`` (JSONL and CSV) and ``youthsafe
    worker`` on a real JetStream, on PostgreSQL."""
    mixed = _mixed_jsonl()
    jsonl = tmp_path / "mixed.jsonl"
    jsonl.write_bytes(b"\n".join(data for data, _r, _h in mixed) + b"\n")
    file_letters = {f"line {i}": r for i, (_d, r, _h) in enumerate(mixed, start=1) if r is not None}

    # The push API: one body with every line, the 10 MB one included, and a 4 MB record.
    made = _youthsafe_run(fault_db, "tokens", "create", "--source", "fault-feed", "--name", "mixed", "--rate",
                          "100000")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    pushed = [(data, http) for data, _r, http in mixed]
    four_mb = json.dumps({"id": "4mb", "text": "x" * 4_000_000}).encode()
    pushed.insert(10, (four_mb, "text longer than 20000 characters"))
    http_letters = {str(i): reason for i, (_d, reason) in enumerate(pushed, start=1) if reason is not None}
    port, log = _port(), tmp_path / "serve.log"
    server = _serve(fault_db, port, log)
    try:
        status, answer = _http(port, token, b'{"records": [' + b", ".join(data for data, _h in pushed) + b"]}")
        assert status == 200, (answer, log.read_text()[-2000:])
        assert (answer["read"], answer["accepted"], answer["duplicates"], answer["conflicts"],
                answer["dead_letters"]) == (len(pushed), len(VALID), 1, 1, len(http_letters) - 1)
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    _assert_source(fault_db, "fault-feed", http_letters)

    # File ingest: the same lines as JSONL, and a CSV file of its own.
    done = _youthsafe_run(fault_db, "ingest", str(jsonl), "--source", "file-feed", "--create-source",
                          "--jurisdiction", "JC")
    assert done.returncode == 3, done.stderr[-2000:]
    bad = len(file_letters) - 1  # and one conflict
    assert f"new {len(VALID)}, duplicates 1, conflicts 1, dead letters {bad}," in done.stdout, done.stdout
    _assert_source(fault_db, "file-feed", file_letters)
    csv_letters = _mixed_csv(tmp_path / "mixed.csv")
    done = _youthsafe_run(fault_db, "ingest", str(tmp_path / "mixed.csv"), "--source", "csv-feed",
                          "--create-source", "--jurisdiction", "JC")
    assert done.returncode == 3, done.stderr[-2000:]
    _assert_source(fault_db, "csv-feed", csv_letters)

    # The worker: the JSONL file published (the 10 MB line as a stand-in) and consumed by `youthsafe worker`.
    settings = _settings(batch=8, ack_wait=5.0)
    made = _youthsafe_run(fault_db, "shell", "-c", "from youthsafe.core.models import Jurisdiction as J; "
                          "from youthsafe.pipeline.models import Source; Source.objects.create(name='nats-feed', "
                          "jurisdiction=J.objects.get(code='JC'))")
    assert made.returncode == 0, made.stderr
    stream = ["--url", settings.url, "--stream", settings.stream, "--subject", settings.subject]
    try:
        published = _youthsafe_run(fault_db, "worker", *stream, "--publish", str(jsonl), "--source", "nats-feed")
        assert published.returncode == 0, published.stderr[-2000:]
        worker = _youthsafe_run(fault_db, "worker", *stream, "--durable", settings.durable, "--batch", "8",
                                "--ack-wait", "5", "--idle-exit", "3")
        assert worker.returncode == 0, worker.stderr[-2000:]
        info = _run(_consumer_info(settings))
    finally:
        _run(_delete_stream(settings))
    # The replay of v0 is the very same line: JetStream drops it by its message id before a worker sees it.
    assert f"new {len(VALID)}, duplicates 0, conflicts 1, dead letters {bad}," in worker.stdout, worker.stdout
    assert (info.num_pending, info.num_ack_pending) == (0, 0)
    nats_letters = {f"{settings.stream}#{n}": r for n, (_d, r, _h) in enumerate(mixed[:-1], start=1) if r is not None}
    _assert_source(fault_db, "nats-feed", nats_letters)
    assert _count(fault_db, "SELECT count(*) FROM pipeline_deadletter") == sum(
        len(x) for x in (http_letters, file_letters, csv_letters, nats_letters))
