"""The ingestion API, mounted at ``/api/pipeline/``.

``POST /posts`` is the push API for platforms and collectors: it authenticates with a per-source bearer
token (``Authorization: Bearer ysk_...``), not a session, so CSRF does not apply; the token's scope, not a
role, decides. The body is parsed here rather than by a schema so that any odd input (broken JSON, wrong
types, deep nesting, oversize) answers a 4xx with a reason and never a 500; each record is then checked by
``ingest_batch``, which dead-letters the bad ones and answers per record. Bytes that are not UTF-8 inside a
record's strings make that record a dead letter, not the whole body (a collector's one broken post must not
hold back the others); outside strings the body is not JSON and is refused.

The read routes are for staff with a session: sources, dead letters (jurisdiction of their source) and one
post, pseudonymous (the raw account id is only ever shown through the audited reveal on the post page).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import HttpBearer

from youthsafe.core import audit
from youthsafe.core.access import get_visible_or_404, require
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.core.schemas import ErrorOut, window
from youthsafe.pipeline import deadletters, hooks, records, tokens
from youthsafe.pipeline.models import ApiToken, DeadLetter, Post, Source
from youthsafe.pipeline.records import Rejected
from youthsafe.pipeline.services import ingest_batch

router = Router(tags=["pipeline"])

MAX_RECORDS = 1000
# 1,000 records of a few kB each; a larger body is refused before it is parsed.
# A body may hold a record far over the text limit (a collector's 10 MB line): it is read, that record is
# dead-lettered and the rest are stored. Past this, the body is refused whole before it is read.
MAX_BODY_BYTES = 16 * 1024 * 1024
# A byte that is not UTF-8, as the body is decoded (errors="surrogateescape": 0xFF becomes U+DCFF).
_RAW_BYTE = re.compile("[\udc80-\udcff]")
_ESCAPED_BYTE = re.compile(r"\\udc([89a-f][0-9a-f])")  # such a byte in a payload (records.storable's escape)


class RecordResultOut(Schema):
    position: str
    id: str
    status: str
    reason: str


class PushOut(Schema):
    read: int
    accepted: int
    duplicates: int
    conflicts: int
    dead_letters: int
    alerts_opened: int
    alerts_joined: int
    results: list[RecordResultOut]


class PushAuth(HttpBearer):
    """``Authorization: Bearer ysk_...``: the live token (with its source), or None, which ninja answers 401."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return tokens.verify(token)


def _error(status: int, detail: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


class _BadBody(Exception):
    """A body the push route refuses, with the status and the reason to answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _too_big() -> _BadBody:
    return _BadBody(413, _("The body is larger than %(n)d bytes.") % {"n": MAX_BODY_BYTES})


def _body_bytes(request: HttpRequest) -> bytes:
    """The raw body, refusing an oversize one by its declared length before reading it."""
    declared = request.headers.get("Content-Length") or "0"
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_big()
    try:
        # Read past Django's DATA_UPLOAD_MAX_MEMORY_SIZE (a form-upload limit), up to this API's own.
        raw = request.body if hasattr(request, "_body") else request.read(MAX_BODY_BYTES + 1)
    except RequestDataTooBig as exc:
        raise _too_big() from exc
    if len(raw) > MAX_BODY_BYTES:
        raise _too_big()
    return raw


def _read_records(request: HttpRequest) -> list[Any]:
    """The ``records`` list of the body; raises ``_BadBody`` (413/422) saying what is wrong with it."""
    raw = _body_bytes(request)
    try:
        text, broken = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, broken = raw.decode("utf-8", errors="surrogateescape"), True
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and over-long integers; RecursionError, absurd nesting.
        raise _BadBody(422, _("The body is not valid UTF-8 JSON.")) from exc
    items = body.get("records") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise _BadBody(422, _("The body must be a JSON object with a non-empty list \"records\"."))
    if len(items) > MAX_RECORDS:
        raise _BadBody(413, _("At most %(n)d records per request.") % {"n": MAX_RECORDS})
    return [_undecodable(item) or item for item in items] if broken else items


def _undecodable(record: Any) -> Rejected | None:
    """A record holding bytes that are not UTF-8 (in a field's value or name), as a dead letter whose payload is
    the record as JSON with those bytes written ``\\xNN``, as file lines keep them; None for a sound record."""
    fields: list[tuple[str | None, Any]] = list(record.items()) if isinstance(record, dict) else [(None, record)]
    for name, value in fields:
        if name is not None and (found := _RAW_BYTE.search(name)) is not None:
            where = " in a field name"
        elif (found := _raw_byte(value)) is not None:
            where = f" in {records.storable(name)[:40]}" if name is not None else ""
        else:
            continue
        shown = _ESCAPED_BYTE.sub(r"\\x\1", records.payload(record))
        return Rejected(f"not valid UTF-8 (byte 0x{ord(found.group()) - 0xDC00:02x}{where})", shown)
    return None


def _raw_byte(value: Any) -> re.Match[str] | None:
    """The first byte that is not UTF-8 in any string of a JSON value (walked without recursion: the value may
    be nested as deep as the JSON parser allowed)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if (found := _RAW_BYTE.search(item)) is not None:
                return found
        elif isinstance(item, dict):
            stack.extend(reversed([*item.keys(), *item.values()]))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return None


@router.post("/posts", auth=PushAuth(), response={200: PushOut, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut,
                                                   422: ErrorOut, 429: ErrorOut},
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "required": ["records"], "properties": {"records": {
                     "type": "array", "maxItems": MAX_RECORDS, "items": {"type": "object", "properties": {
                         k: {"type": "string"} for k in ("id", "text", "author", "thread", "created_at", "location")
                     }}}}}}}}})
def push_posts(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    """Push up to 1,000 posts ({id, text, author, thread, created_at, location}) for the token's source.
    Idempotent: a retry answers ``duplicate`` for the posts already stored, and ``conflict`` for a stored id
    sent with another text (the stored post is kept; the record is dead-lettered). Bad records (a NUL, another
    control character but tab and line breaks, or a lone surrogate in any field; bytes that are not UTF-8) are
    dead-lettered with their reason and reported per record; the others are stored, scanned and alerted on."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]  # set by PushAuth
    if tokens.SCOPE_PUSH not in (token.scopes or []):
        return _error(403, _("This token does not have the scope %(s)s.") % {"s": tokens.SCOPE_PUSH})
    if not token.source.active:
        return _error(403, _("The source of this token is not active."))
    wait = tokens.take(token)
    if wait:
        return _error(429, _("Rate limit of %(n)d requests per minute reached.") % {
            "n": token.rate_limit_per_minute}, Retry_After=str(wait))
    try:
        records = _read_records(request)
    except _BadBody as exc:
        return _error(exc.status, exc.detail)
    summary = ingest_batch(token.source, records, channel="http")
    results = sorted(summary.results, key=lambda r: int(r.position) if r.position.isdigit() else 0)
    return {
        "read": summary.read, "accepted": summary.accepted, "duplicates": summary.duplicates,
        "conflicts": summary.conflicts, "dead_letters": summary.dead_letters, "alerts_opened": summary.alerts_opened,
        "alerts_joined": summary.alerts_joined,
        "results": [{"position": r.position, "id": r.external_id, "status": r.status, "reason": r.reason}
                    for r in results],
    }


class JurisdictionOut(Schema):
    id: int
    code: str
    name: str


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    active: bool
    jurisdiction: JurisdictionOut
    posts: int
    dead_letters: int


def _jurisdiction(j: Any) -> dict[str, Any]:
    return {"id": j.pk, "code": j.code, "name": j.name}


@router.get("/sources", response={200: list[SourceOut], 401: ErrorOut, 403: ErrorOut})
def list_sources(request: HttpRequest) -> list[dict[str, Any]]:
    """Sources of the caller's jurisdictions, with their post counts and unresolved dead letters."""
    user = require(request.user, Permission.POST_VIEW)
    return [
        {"id": s.pk, "name": s.name, "kind": s.kind, "description": s.description, "active": s.active,
         "jurisdiction": _jurisdiction(s.jurisdiction),
         "posts": s.n_posts, "dead_letters": s.n_dead}  # type: ignore[attr-defined]  # annotated in source_rows
        for s in source_rows(user)
    ]


def source_rows(user: User) -> QuerySet[Source]:
    """Visible sources annotated with ``n_posts`` and ``n_dead`` (unresolved), shared with the index page.
    Each count is its own correlated subquery, so the two do not multiply each other as two joins would."""
    posts = Post.objects.filter(source=OuterRef("pk")).order_by().values("source").annotate(c=Count("pk"))
    dead = (DeadLetter.objects.filter(source=OuterRef("pk"), resolved_at=None).order_by().values("source")
            .annotate(c=Count("pk")))
    return Source.objects.visible_to(user).select_related("jurisdiction").annotate(
        n_posts=Coalesce(Subquery(posts.values("c"), output_field=IntegerField()), 0),
        n_dead=Coalesce(Subquery(dead.values("c"), output_field=IntegerField()), 0),
    )


class DeadLetterOut(Schema):
    id: int
    source: str
    channel: str
    position: str
    reason: str
    payload: str
    received_at: Any
    resolved_at: Any


@router.get("/dead-letters", response={200: list[DeadLetterOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def list_dead_letters(request: HttpRequest, resolved: bool = False, limit: int = 100,
                      offset: int = 0) -> list[dict[str, Any]]:
    """Dead letters of sources in the caller's jurisdictions, newest first (unresolved unless asked)."""
    user = require(request.user, Permission.DEADLETTER_VIEW)
    letters = deadletters.visible_to(user).filter(resolved_at__isnull=not resolved)
    limit, offset = window(limit, offset)
    return [
        {"id": d.pk, "source": d.source_name, "channel": d.channel, "position": d.position, "reason": d.reason,
         "payload": d.payload, "received_at": d.received_at, "resolved_at": d.resolved_at}
        for d in letters[offset : offset + limit]
    ]


class ScanOut(Schema):
    model_version: str
    rules_version: str
    risk_level: int
    flagged: bool
    recruitment: bool
    categories: list[str]
    scanned_at: Any


class PostOut(Schema):
    id: int
    source: str
    external_id: str
    text: str
    posted_at: Any
    received_at: Any
    thread: str
    author_key: str
    location_hint: str
    jurisdiction: JurisdictionOut
    scans: list[ScanOut]
    alert_id: int | None


@router.get("/posts/{post_id}", response={200: PostOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                           422: ErrorOut})
def get_post(request: HttpRequest, post_id: int) -> dict[str, Any]:
    """One post of the caller's jurisdictions with its scans; the author only as a pseudonym. Audited."""
    user = require(request.user, Permission.POST_VIEW)
    post = get_visible_or_404(Post.objects.select_related("source", "jurisdiction"), user, pk=post_id)
    audit.record(AuditAction.VIEW, actor=user, obj=post, jurisdiction=post.jurisdiction)
    scans = [
        {"model_version": s.model_version, "rules_version": s.rules_version, "risk_level": s.risk_level,
         "flagged": s.flagged, "recruitment": s.recruitment, "categories": s.categories, "scanned_at": s.scanned_at}
        for s in post.scans.all()
    ]
    return {
        "id": post.pk, "source": post.source.name, "external_id": post.external_id, "text": post.text,
        "posted_at": post.posted_at, "received_at": post.received_at, "thread": post.thread_key,
        "author_key": post.author_key, "location_hint": post.location_hint,
        "jurisdiction": _jurisdiction(post.jurisdiction), "scans": scans,
        "alert_id": hooks.alerting().alert_of(post, user),
    }

