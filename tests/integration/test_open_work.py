"""Open and overdue work on the dashboard comes from every module that has queues with deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from tests.conftest import Tree
from tests.content import factories
from youthsafe.content import services as content
from youthsafe.core import indicators
from youthsafe.core.models import User

pytestmark = pytest.mark.django_db


def test_every_queue_reports_open_work() -> None:
    keys = {w.key for w in indicators.all_open_work()}
    assert {"alerts_open", "orders_open", "instructions_pending", "lead_dispatches_unacknowledged",
            "outreach_open"} <= keys


def test_a_late_takedown_instruction_is_open_and_overdue_in_its_place_only(
    tree: Tree, make_user: Callable[..., User],
) -> None:
    analyst = make_user("analyst", tree.city)
    item = factories.item(analyst, tree.north, factories.platform(make_user("administrator"), tree.north))
    content.do_instruct(item, actor=analyst, now=timezone.now() - dt.timedelta(days=3))
    work = next(w for w in indicators.all_open_work() if w.key == "instructions_pending")
    now = timezone.now()
    assert indicators.open_work_counts(work, now, tree.city) == (1, 1)
    assert indicators.open_work_counts(work, now, tree.north) == (1, 1)
    assert indicators.open_work_counts(work, now, tree.south) == (0, 0)
    assert indicators.open_work_counts(work, now - dt.timedelta(days=3), tree.city) == (1, 0)
