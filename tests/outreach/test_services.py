"""Outreach services: validation, jurisdiction, transitions, compare-and-swap edits, attachments, audit."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.conftest import Tree
from youthsafe.core.models import AuditEvent, User
from youthsafe.outreach import attachments, services
from youthsafe.outreach.models import Attachment, EventStatus, OutreachEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100


def _data(tree: Tree, **kw: object) -> dict[str, object]:
    return {"kind": "school_lecture", "title": "网络安全进校园", "held_on": dt.date(2023, 3, 1),
            "jurisdiction": tree.north, "audience": 300, **kw}


def test_record_a_held_event_with_materials(tree: Tree, make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst", tree.north)
    event = services.do_create_event(actor=analyst, data=_data(tree), materials={"brochure": 50, "poster": 0},
                                     held=True)
    assert event.status == EventStatus.HELD
    assert event.brochures == 50
    assert [m.kind for m in event.materials.all()] == ["brochure"]  # zero quantities are not stored
    row = AuditEvent.objects.get(object_type="outreach.outreachevent", action="create")
    assert row.after["materials"] == {"brochure": 50}


def test_bad_input_is_refused_with_reasons(tree: Tree, make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst", tree.north)
    with pytest.raises(ValidationError) as info:
        services.do_create_event(actor=analyst, data=_data(tree, kind="party", title=" ", audience=-1))
    assert set(info.value.message_dict) == {"kind", "title", "audience"}
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="held_on"):
        services.do_create_event(actor=analyst, data=_data(tree, held_on=tomorrow), held=True)
    with pytest.raises(ValidationError):
        services.do_create_event(actor=analyst, data=_data(tree), materials={"cake": 3})
    assert OutreachEvent.objects.count() == 0


def test_jurisdiction_and_permission(tree: Tree, make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        services.do_create_event(actor=make_user("analyst", tree.south), data=_data(tree))
    with pytest.raises(PermissionDenied):
        services.do_create_event(actor=make_user("readonly", tree.north), data=_data(tree))
    event = services.do_create_event(actor=make_user("analyst", tree.north), data=_data(tree))
    with pytest.raises(PermissionDenied):
        services.do_cancel(event, actor=make_user("analyst", tree.south, username="south2"), reason="x")


def test_planned_held_cancelled_and_follow_up(tree: Tree, make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst", tree.north)
    event = services.do_create_event(actor=analyst, data=_data(tree, follow_up_due=dt.date(2023, 3, 15)))
    held = services.do_mark_held(event, actor=analyst, audience=420, materials={"brochure": 60})
    assert (held.status, held.audience, held.brochures) == ("held", 420, 60)
    with pytest.raises(ValidationError):
        services.do_cancel(held, actor=analyst, reason="太晚了")
    done = services.do_complete_follow_up(held, actor=analyst, note="学校反馈良好")
    assert done.follow_up_done_at is not None
    with pytest.raises(ValidationError):
        services.do_complete_follow_up(done, actor=analyst, note="again")
    other = services.do_create_event(actor=analyst, data=_data(tree))
    with pytest.raises(ValidationError):
        services.do_cancel(other, actor=analyst, reason="  ")
    cancelled = services.do_cancel(other, actor=analyst, reason="停课")
    assert cancelled.cancel_reason == "停课"
    again = services.do_reschedule(cancelled, actor=analyst, held_on=dt.date(2023, 4, 1))
    assert again.status == "planned"
    actions = list(AuditEvent.objects.filter(object_type="outreach.outreachevent").values_list("action", flat=True))
    assert actions.count("transition") == 3


def test_concurrent_edit_is_refused(tree: Tree, make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst", tree.north)
    event = services.do_create_event(actor=analyst, data=_data(tree), held=True)
    seen = event.version
    services.do_update_event(event, actor=analyst, data={"audience": 500}, version=seen)
    with pytest.raises(ValidationError):
        services.do_update_event(event, actor=analyst, data={"audience": 1}, version=seen)
    event.refresh_from_db()
    assert event.audience == 500
    row = AuditEvent.objects.get(object_type="outreach.outreachevent", action="change")
    assert row.before == {"audience": 300}
    assert row.after == {"audience": 500}


def test_attachments_by_sha256_with_type_and_size_checks(tree: Tree, make_user: Callable[..., User],
                                                         settings: object) -> None:
    analyst = make_user("analyst", tree.north)
    event = services.do_create_event(actor=analyst, data=_data(tree))
    item = services.do_add_attachment(event, actor=analyst, name="../../etc/现场照片.png", data=PNG)
    digest = hashlib.sha256(PNG).hexdigest()
    assert (item.sha256, item.name, item.content_type, item.size) == (digest, "现场照片.png", "image/png", len(PNG))
    assert attachments.path_for(digest).read_bytes() == PNG
    assert str(attachments.path_for(digest)).startswith(str(Path(settings.MEDIA_ROOT)))  # type: ignore[attr-defined]
    assert services.do_add_attachment(event, actor=analyst, name="again.png", data=PNG).pk == item.pk
    for name, data in (("x.exe", b"MZ\x90\x00"), ("slides.pptx", b"not a zip"), ("empty.png", b""),
                       ("page.html", b"<script>alert(1)</script>")):
        with pytest.raises(ValidationError):
            services.do_add_attachment(event, actor=analyst, name=name, data=data)
    with pytest.raises(ValidationError):
        services.do_add_attachment(event, actor=analyst, name="big.png", data=PNG + b"\x00" * attachments.max_bytes())
    assert Attachment.objects.count() == 1
    with pytest.raises(ValueError, match="SHA-256"):
        attachments.path_for("../../etc/passwd")


def test_media_root_is_the_test_directory() -> None:
    assert "media" in str(settings.MEDIA_ROOT)
