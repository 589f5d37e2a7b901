"""Recording a harmful-content item (scanned by the detection engine, grouped with its near-duplicates into
one campaign, its text and files kept as evidence) and dismissing one that needs no action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from youthsafe.content import evidence, workflow
from youthsafe.content.models import ContentItem, Evidence, PublicReport
from youthsafe.content.services.attachments import add_row, store_text
from youthsafe.content.services.common import ITEM_NAMES, item_place
from youthsafe.content.signatures import signature, similarity
from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.pipeline.services import default_engine

DEDUP_THRESHOLD = 0.6
DEDUP_WINDOW = 5000  # the most recent items with text are compared with a new one


def scan_texts(texts: Sequence[str]) -> list[dict[str, Any]]:
    """The detection engine's result for each text (categories, scores, evidence spans, versions)."""
    if not texts:
        return []
    return [r.to_dict() for r in default_engine().scan(list(texts))]


def find_group(sig: str, jurisdiction: Jurisdiction, *, location: str = "",
               hashes: Iterable[str] = ()) -> ContentItem | None:
    """The campaign a new item belongs to: the oldest item (of the same city) that is a near-duplicate of it,
    None when it is new. Near-duplicates are items among the recent DEDUP_WINDOW whose MinHash signature
    agrees on at least DEDUP_THRESHOLD of its values, or whose location is the same once normalised
    (workflow.location_key: host case, trailing slash, tracking parameters), and items with an evidence file
    (not text) of the same SHA-256 as one of ``hashes``."""
    top = jurisdiction.ancestors()[0] if jurisdiction.parent_id else jurisdiction
    scope = ContentItem.objects.filter(jurisdiction__path__startswith=top.path)
    key = workflow.location_key(location) if location.strip() else ""
    found: list[tuple[int, int | None]] = []
    if sig or key:
        recent = scope.order_by("-id").values_list("id", "signature", "location", "group_id")[:DEDUP_WINDOW]
        for pk, other, other_location, group_id in recent:
            if (sig and other and similarity(sig, other) >= DEDUP_THRESHOLD) or (
                    key and workflow.location_key(other_location) == key):
                found.append((pk, group_id))
    wanted = sorted(set(hashes))
    if wanted:
        for item_id, item_group in (Evidence.objects.filter(sha256__in=wanted, item__in=scope)
                                    .exclude(kind=Evidence.Kind.TEXT).values_list("item_id", "item__group_id")):
            if item_id is not None:
                found.append((item_id, item_group))
    if not found:
        return None
    oldest, its_group = min(found, key=lambda row: row[0])
    return ContentItem.objects.get(pk=its_group or oldest)


def _categories(data: dict[str, Any]) -> list[str]:
    try:
        return workflow.item_categories(data.get("categories") or [])
    except workflow.CategoryError as exc:
        raise ValidationError({"categories": [str(exc)]}) from exc


@kernel.service(Permission.CONTENT_HANDLE, scope=lambda data, **_: data["jurisdiction"])
def do_record_item(data: dict[str, Any], *, actor: User, report: PublicReport | None = None,
                   uploads: Iterable[UploadedFile[Any]] = (), now: dt.datetime | None = None) -> ContentItem:
    """Record an item. ``data``: jurisdiction, platform (optional), location, text, categories, found_via,
    found_at (optional), note. Text is scanned by the detection engine and grouped with near-duplicates."""
    now = kernel.now_or(now)
    jurisdiction: Jurisdiction = data["jurisdiction"]
    categories = _categories(data)
    text = (data.get("text") or "").strip()
    scans = scan_texts([text]) if text else []
    sig = signature(text) if text else ""
    stored = [evidence.store_upload(upload) for upload in uploads]  # hashed first: they also find the campaign
    group = find_group(sig, jurisdiction, location=data["location"], hashes=[s.sha256 for s in stored])
    item = ContentItem.objects.create(
        jurisdiction=jurisdiction, platform=data.get("platform"), location=data["location"].strip(),
        text=text, categories=categories, tier=workflow.tier_of(categories), found_via=data["found_via"],
        found_at=data.get("found_at") or now, recorded_at=now, recorded_by=actor, note=data.get("note", ""),
        scan=scans[0] if scans else None, signature=sig, group=group, report=report)
    if text:
        add_row(store_text(text, f"{item.reference}.txt"), actor=actor, now=now, item=item,
                kind=Evidence.Kind.TEXT)
    for one in stored:
        add_row(one, actor=actor, now=now, item=item)
    audit.record(AuditAction.CREATE, actor=actor, obj=item, after=audit.snapshot(item, [
        "jurisdiction", "platform", "location", "categories", "found_via", "group"]), at=now)
    return item


@kernel.service(Permission.CONTENT_HANDLE, scope=item_place)
def do_dismiss(item: ContentItem, *, actor: User, reason: str, now: dt.datetime | None = None) -> ContentItem:
    reason = kernel.require_text(reason, "reason", _("Say why the item needs no action."))
    kernel.transition(item, workflow.DISMISSED, actor=actor, now=kernel.now_or(now), reason=reason,
                      names=ITEM_NAMES)
    return item
