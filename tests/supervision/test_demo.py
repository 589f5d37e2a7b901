"""The demo loads, and the seed's half-year figures come out of the records through the indicators."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from youthsafe.core import demo, indicators
from youthsafe.core.models import Jurisdiction
from youthsafe.supervision.models import (
    Assessment,
    InspectionPlan,
    OrderStatus,
    PlanOverdue,
    RectificationOrder,
    Referral,
    Sanction,
)

pytestmark = pytest.mark.django_db


def test_demo_gives_the_seed_figures_for_the_half_year_in_jiangcheng() -> None:
    started = time.monotonic()
    demo.load()
    elapsed = time.monotonic() - started
    jc = Jurisdiction.objects.get(code="JC")
    start, end = dt.date(2023, 1, 1), dt.date(2023, 7, 10)
    figures = indicators.compute_many(["inspections_done", "websites_shut", "apps_removed"], start, end, jc)
    assert figures == {"inspections_done": 638, "websites_shut": 12, "apps_removed": 7}
    # The figures depend on the period and the place: records around them exist and are left out.
    assert indicators.compute_many(["inspections_done"], start, end)["inspections_done"] > 638  # HZ too
    assert indicators.compute_many(["inspections_done"], start, dt.date(2023, 7, 31), jc)["inspections_done"] > 638
    assert indicators.compute_many(["websites_shut"], start, dt.date(2023, 12, 31), jc)["websites_shut"] == 12
    assert indicators.compute_many(["apps_removed"], start, dt.date(2023, 12, 31), jc)["apps_removed"] == 8
    half = indicators.compute_many(["platforms_inspected", "findings", "orders_issued", "disconnections"],
                                   start, end, jc)
    assert 40 < half["platforms_inspected"] <= 80
    assert half["findings"] > half["orders_issued"] > 100
    assert half["disconnections"] >= 1
    print(f"demo loaded in {elapsed:.1f} s")
    # Every page has something to show today.
    assert InspectionPlan.objects.count() == 3
    assert PlanOverdue.objects.exists()
    assert set(RectificationOrder.objects.values_list("status", flat=True)) >= {
        OrderStatus.DRAFT, OrderStatus.ISSUED, OrderStatus.OVERDUE, OrderStatus.EVIDENCE, OrderStatus.RECTIFIED,
        OrderStatus.REFUSED}
    assert Sanction.objects.filter(kind="disconnection", status="in_effect").exists()
    assert Sanction.objects.filter(status="proposed").exists()
    assert Assessment.objects.filter(status="failed").exists()
    assert Referral.objects.filter(status="open").count() == 2
    demo.load()  # idempotent
    assert indicators.compute_many(["inspections_done"], start, end, jc)["inspections_done"] == 638
