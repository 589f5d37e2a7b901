"""The demo loads, and the seed's half-year gives its figures through the indicators."""

from __future__ import annotations

import datetime as dt

import pytest

from youthsafe.content.models import ContentItem
from youthsafe.core import demo, indicators
from youthsafe.core.models import AuditEvent, Jurisdiction, StatusChange
from youthsafe.leads.models import LeadDispatch


@pytest.mark.django_db
def test_demo_half_year_figures() -> None:
    demo.load()
    jc = Jurisdiction.objects.get(code="JC")
    figures = indicators.compute_many(["harmful_items_handled", "leads_reported_upward", "items_taken_down",
                                       "content_items_recorded"], dt.date(2023, 1, 1), dt.date(2023, 7, 10), jc)
    assert figures["harmful_items_handled"] == 337
    assert figures["leads_reported_upward"] == 64
    assert 0 < figures["items_taken_down"] < 337  # the rest were labelled
    assert figures["content_items_recorded"] > 337  # some were dismissed or handled after the period
    # one day shorter and the figures drop: they come from dated records
    shorter = indicators.compute_many(["harmful_items_handled", "leads_reported_upward"], dt.date(2023, 1, 1),
                                      dt.date(2023, 7, 9), jc)
    assert shorter["harmful_items_handled"] <= 337
    assert shorter["harmful_items_handled"] + shorter["leads_reported_upward"] < 337 + 64
    # the half-year went through the services: each handled item has its history and audit trail in 2023
    item = ContentItem.objects.filter(status="handled", handled_at__date__lte=dt.date(2023, 7, 10)).first()
    assert item is not None
    moves = StatusChange.objects.filter(machine="item", object_id=item.pk)
    assert [m.to_status for m in moves] == ["instructed", "confirmed", "handled"]
    assert all(m.at.year == 2023 for m in moves)
    trail = AuditEvent.objects.filter(object_type="content.contentitem", object_id=str(item.pk))
    assert trail.count() == 4  # recorded, then the three moves
    assert all(event.time.year == 2023 for event in trail)
    # current records: a lead dispatched to 江北区 awaiting acknowledgement
    assert LeadDispatch.objects.filter(to_jurisdiction__code="JC-JB", status="sent").exists()
    demo.load()  # idempotent
    again = indicators.compute(indicators.get("harmful_items_handled"), dt.date(2023, 1, 1), dt.date(2023, 7, 10), jc)
    assert again == 337
