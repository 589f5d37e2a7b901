"""Hypothesis fuzzing of every parser of outside input. The property each time: no unhandled exception; either a
valid result or the parser's own clear rejection (a ``BadLine``, a ``ValueError`` with a reason, a dead letter,
a form error, a ``TableError``/``ScopeError``/``InputError``).

Parsers: the scan/ingest file reader (``detection.io``: JSONL, CSV, TSV), a pushed record's ``validate`` and a
whole ``ingest_batch``, the NATS message ``decode``, the detection engine on arbitrary Unicode (evidence spans
point into the ORIGINAL text), the registry's CSV/XLSX import and cell parsers, the public report form (page
and API), the statistics period parser, the content list's date filter and the alerts command's time option.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import string
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.conftest import Tree
from tests.registry.test_importexport import _xlsx
from youthsafe.alerts.management.commands.alerts import _when
from youthsafe.content.listing import _date
from youthsafe.core.models import User
from youthsafe.detection.engine import Engine
from youthsafe.detection.io import BadLine, InputError, Record, read_records
from youthsafe.detection.normalize import normalize, normalize_text
from youthsafe.pipeline.models import Source
from youthsafe.pipeline.services import ingest_batch, validate
from youthsafe.pipeline.stream import decode
from youthsafe.registry import columns
from youthsafe.registry.importexport import import_platforms
from youthsafe.reports import stats

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                database=None)
DB = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
              database=None)

# JSON values, nested a little, with the awkward corners: huge integers, NUL, surrogates are not JSON-encodable
# so text is any encodable character.
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
FIELDS = ("id", "text", "author", "thread", "created_at", "location")
records = st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, json_values)) | json_values


def outcome(parse: Callable[..., Any], *args: Any, rejection: type[Exception]) -> tuple[Any, str | None]:
    """(result, None) or (None, the rejection's message); any other exception propagates and fails the test."""
    try:
        return parse(*args), None
    except rejection as exc:
        return None, str(exc)


nasty_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from([b"{", b"}", b"[", b"]", b'"text"', b'"id"', b":", b",", b"1" * 5000, b"\n",
                              b"\x00", b"\xef\xbb\xbf", b"\xff", b'"', b"\r", b"[" * 3000, "帖子".encode(),
                              b"id,text\n", b"\t"]), max_size=12).map(b"".join),
)


# --- detection.io: the scan and ingest file reader ------------------------------------------------------------


@FAST
@given(data=nasty_bytes, suffix=st.sampled_from([".jsonl", ".csv", ".tsv", ".CSV", ""]))
@example(data=b'{"text": "a", "id": ' + b"1" * 5000 + b"}\n", suffix=".jsonl")
@example(data=b"[" * 100_000 + b"\n", suffix=".jsonl")
@example(data=b'id,text\n1,"' + b"x" * 200_000 + b'"\n2,ok\n', suffix=".csv")
def test_scan_input_reader_never_crashes(tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str) -> None:
    path = tmp_path_factory.mktemp("in") / f"input{suffix}"
    path.write_bytes(data)
    items, error = outcome(lambda: list(read_records(path, fields=["id", "text", "author"], required=["id", "text"])),
                           rejection=InputError)
    if error is not None:
        assert error
        return
    lines = data.count(b"\n") + 1
    for item in items:
        assert isinstance(item, Record | BadLine)
        assert 1 <= item.line <= lines + 1
        if isinstance(item, Record):
            assert isinstance(item.values["text"], str)
            assert item.values["id"] is not None
        else:
            assert item.reason
            assert "\n" not in item.reason


# --- pipeline: a pushed record, a batch, a NATS message -------------------------------------------------------


@FAST
@given(record=records)
@example(record={"id": "1", "text": "x", "created_at": 10**400})
@example(record={"id": "1", "text": "x", "created_at": "2026-02-30T10:00:00"})
@example(record={"id": "1", "text": "x", "created_at": "9999-12-31T23:59:59-23:59"})
@example(record={"id": "1", "text": "x", "created_at": -(10**20)})
@example(record={"id": 10**5000, "text": "x"})
def test_validate_accepts_or_gives_a_reason(record: Any) -> None:
    valid, error = outcome(validate, record, "1", rejection=ValueError)
    if error is not None:
        assert error
        return
    assert valid.text.strip()
    assert valid.external_id
    if valid.posted_at is not None:
        valid.posted_at.astimezone(dt.UTC)  # storable: converts to UTC without overflowing
    assert valid.posted_at is None or valid.posted_at.tzinfo is not None


@pytest.mark.django_db
@DB
@given(batch=st.lists(records, min_size=1, max_size=4))
@example(batch=[{"id": "a", "text": "ok", "created_at": "0001-01-01T00:00:00"},
                {"id": "b", "text": "ok", "created_at": "9999-12-31T23:59:59-14:00"}])
def test_ingest_batch_stores_or_dead_letters_every_record(tree: Tree, batch: list[Any]) -> None:
    source, _ = Source.objects.get_or_create(name="fuzz-src", defaults={"jurisdiction": tree.north})
    summary = ingest_batch(source, batch, channel="http")
    assert summary.read == len(batch)
    assert summary.accepted + summary.duplicates + summary.dead_letters == len(batch)
    assert len(summary.results) == len(batch)
    assert all(r.status != "dead_letter" or r.reason for r in summary.results)


@FAST
@given(data=nasty_bytes, subject=st.text(max_size=30))
@example(data=b"[" * 100_000, subject="posts.a")
@example(data=b"1" * 5000, subject="posts.a")
@example(data=b'{"source": 5, "text": "x"}', subject="posts.")
def test_stream_decode_never_raises(data: bytes, subject: str) -> None:
    item = decode(subject, data, "7", "posts.>", last_delivery=False)
    assert item.position == "7"
    assert isinstance(item.source, str)
    if item.reason:
        assert isinstance(item.record, str)  # the raw message, kept for the dead letter
    json.dumps(item.record, default=str)  # what a dead letter stores


# --- detection: normalize and the engine ----------------------------------------------------------------------

_ENGINE: list[Any] = []


def _engine() -> Any:
    if not _ENGINE:
        _ENGINE.append(Engine(use_default_model=False))
    return _ENGINE[0]


# Arbitrary Unicode mixed with words the rules look for, in full-width, traditional and spaced-out forms, so
# spans are found and their offsets checked against the original text.
trigger_words = st.sampled_from(["烧炭", "燒炭", "自杀", "ｓｕｉｃｉｄｅ", "约 好 走", "不想活了", "裸聊", "网赌",
                                 "安眠药", "shaotan", "\u200b", "\ufeff", "e\u0301", "ﬁ", "🙂", "\U0001f1e8\U0001f1f3",
                                 "İ", "ß"])
texts = st.lists(st.text(max_size=20) | trigger_words, max_size=8).map("".join)


@FAST
@given(text=texts)
def test_normalize_never_raises(text: str) -> None:
    assert isinstance(normalize_text(text), str)
    norm = normalize(text)
    assert norm is not None


@settings(max_examples=40, deadline=None, database=None)
@given(batch=st.lists(texts, min_size=1, max_size=3))
@example(batch=["约好这周六在江边燒炭，不想一个人，私信我", "İİİ自杀ß\u0301烧炭"])
def test_engine_evidence_points_into_the_original_text(batch: list[str]) -> None:
    results = _engine().scan(batch)
    assert len(results) == len(batch)
    for text, result in zip(batch, results, strict=True):
        assert 0 <= result.risk_level <= 10
        for evidence in result.evidence:
            assert 0 <= evidence.start <= evidence.end <= len(text), (text, evidence)
            assert text[evidence.start:evidence.end] == evidence.text, (text, evidence)
        json.dumps(result.to_dict())


# --- registry: CSV/XLSX import ---------------------------------------------------------------------------------


cells = st.text(max_size=12) | st.sampled_from(["=1+1", "-", "1,000", "1e9", "是", "否", "9" * 25, "\x00", "game"])
headers = st.lists(st.sampled_from(["id", "name", "kind", "operator", "jurisdiction", "registered_users",
                                    "minor_users", "has_minor_mode", "名称", "", "x"]), min_size=1, max_size=6)


@pytest.mark.django_db
@DB
@given(header=headers, rows=st.lists(st.lists(cells, max_size=7), max_size=4), kind=st.sampled_from(["csv", "xlsx"]),
       raw=st.none() | nasty_bytes)
def test_platform_import_answers_with_a_result(tree: Tree, make_user: Callable[..., User], header: list[str],
                                               rows: list[list[str]], kind: str, raw: bytes | None) -> None:
    admin = User.objects.filter(username="fuzz-admin").first() or make_user("administrator", username="fuzz-admin")
    if raw is not None:
        data = raw
    elif kind == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([header, *rows])
        data = out.getvalue().encode()
    else:
        # openpyxl refuses control characters in cells, so a workbook cannot hold them.
        data = _xlsx([header, *[[ILLEGAL_CHARACTERS_RE.sub("", c) for c in r] for r in rows]])
    result = import_platforms(data, f"platforms.{kind}", actor=admin)
    assert result.ok or all(str(e.message) for e in result.errors)
    assert result.ok or result.created == result.updated == 0  # nothing written unless every row is valid


@FAST
@given(key=st.sampled_from(["name", "registered_users", "has_minor_mode", "kind"]), raw=cells)
def test_cell_parser_returns_a_value_or_a_reason(key: str, raw: str) -> None:
    value, error = outcome(columns.parse_cell, key, raw, columns.choice_aliases(), rejection=ValueError)
    if error is not None:
        assert error
        return
    if key == "registered_users" and value is not None:
        assert 0 <= value <= columns.MAX_COUNT


# --- content: the public report form (page and API) ------------------------------------------------------------

form_fields = st.fixed_dictionaries({}, optional={
    "reason": st.sampled_from(["A01", "A02", "other", "", "Z99"]) | st.text(max_size=5),
    "location": st.text(max_size=60) | st.just("x" * 501),
    "platform_name": st.text(max_size=30),
    "explanation": st.text(max_size=60) | st.just(" \t "),
    "contact": st.text(max_size=30),
    "good_faith": st.sampled_from(["on", "", "false", "1"]),
})


def _form_safe(value: str) -> str:
    return value.replace("\x00", "")  # Django's form fields reject NUL themselves; the test client cannot post it


@pytest.mark.django_db
@DB
@given(fields=form_fields, files=st.lists(st.tuples(st.sampled_from(["a.png", "b.pdf", "c.exe", "d"]),
                                                   st.binary(max_size=64)), max_size=4))
def test_public_report_page_answers_a_page_or_a_form_error(tree: Tree, settings: Any, fields: dict[str, str],
                                                           files: list[tuple[str, bytes]]) -> None:
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 100_000
    client = Client(raise_request_exception=True)
    data: dict[str, Any] = {k: _form_safe(v) for k, v in fields.items()}
    if files:
        data["attachments"] = [SimpleUploadedFile(name, body) for name, body in files]
    response = client.post("/content/report/", data)
    # 201: the thank-you page; 400: the form again with its errors (the view's answer to a refused form).
    assert response.status_code in {201, 400}, (response.status_code, data, response.content[:300])
    if response.status_code == 400:
        assert b'name="explanation"' in response.content


@pytest.mark.django_db
@DB
@given(body=json_values | form_fields.map(lambda f: {**f, "good_faith": f.get("good_faith") == "on"}))
def test_public_report_api_answers_201_or_422(tree: Tree, settings: Any, body: Any) -> None:
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 100_000
    client = Client(raise_request_exception=True)
    response = client.post("/api/content/public/reports", json.dumps(body), content_type="application/json")
    assert response.status_code in {201, 422}, (response.status_code, response.content[:200])


# --- periods and dates -----------------------------------------------------------------------------------------

date_strings = st.text(alphabet=string.digits + "-:TWZ+ .", max_size=14) | st.text(max_size=12) | st.dates().map(str)


@pytest.mark.django_db
@DB
@given(start=date_strings, end=date_strings, place=st.text(max_size=8) | st.integers().map(str))
@example(start="0001-01-01", end="9999-12-31", place="")
@example(start="9999-12-31", end="0001-01-01", place="99999999999999999999999")
def test_stats_period_is_a_scope_or_a_scope_error(tree: Tree, make_user: Callable[..., User], start: str,
                                                  end: str, place: str) -> None:
    user = User.objects.filter(username="fuzz-leader").first() or make_user("leader", username="fuzz-leader")
    scope, error = outcome(stats.scope_for, user, start, end, place, rejection=stats.ScopeError)
    if error is not None:
        assert error
        return
    assert scope.start <= scope.end


@pytest.mark.django_db
@DB
@given(start=date_strings, end=date_strings)
@example(start="0001-01-01", end="9999-12-31")
def test_stats_api_answers_200_or_422(tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
                                      start: str, end: str) -> None:
    user = User.objects.filter(username="fuzz-leader").first() or make_user("leader", username="fuzz-leader")
    client = login(user)
    response = client.get("/api/reports/indicators", {"date_from": _form_safe(start), "date_to": _form_safe(end)})
    assert response.status_code in {200, 422}, (response.status_code, response.content[:200])


@FAST
@given(raw=date_strings)
def test_content_list_date_filter_gives_a_date_or_an_error(raw: str) -> None:
    errors: list[str] = []
    value = _date(raw, errors)
    if value is None:
        assert raw == "" or len(errors) == 1
    else:
        assert isinstance(value, dt.date)
        assert errors == []


@FAST
@given(raw=date_strings)
@example(raw="2026-02-30T10:00:00")
@example(raw="2026-13-01 25:61")
def test_alerts_command_time_option_is_a_time_or_a_command_error(raw: str) -> None:
    value, error = outcome(_when, raw, rejection=CommandError)
    if error is not None:
        assert error
        return
    assert value.tzinfo is not None
