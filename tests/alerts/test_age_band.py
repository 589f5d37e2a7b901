"""A reviewer records whether a person at risk is a minor: the only personal attribute the statistics of
minors reached and safe count, set by a person with a reason, audited, never guessed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.alerts.factories import RECRUIT, feed, source
from tests.conftest import Tree
from youthsafe.alerts import services
from youthsafe.core.models import AuditEvent, User


def test_age_band_page_service_and_audit(tree: Tree, make_user: Callable[..., User],
                                         login: Callable[[User], Client]) -> None:
    alert = feed(source(tree.north), RECRUIT, author="a1", thread="t1", jurisdiction=tree.north)
    assert alert is not None
    person = alert.people.get()
    assert person.age_band == "unknown"
    reviewer = make_user("reviewer", tree.north)
    client = login(reviewer)
    page = client.get(f"/alerts/{alert.pk}/age_band/")
    assert page.status_code == 200
    assert "未成年人（18 岁以下）" in page.content.decode()
    missing = client.post(f"/alerts/{alert.pk}/age_band/", {"person": person.pk, "band": "minor", "reason": ""})
    assert missing.status_code == 200
    person.refresh_from_db()
    assert person.age_band == "unknown"
    done = client.post(f"/alerts/{alert.pk}/age_band/", {"person": person.pk, "band": "minor",
                                                         "reason": "学校确认为在校初中生"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.age_band == "minor"
    row = AuditEvent.objects.get(object_type="alerts.alertperson")
    assert (row.before, row.after) == ({"age_band": "unknown"}, {"age_band": "minor"})
    assert row.reason == "学校确认为在校初中生"
    with pytest.raises(PermissionDenied):
        services.do_set_age_band(person, actor=make_user("reviewer", tree.south), band="adult", reason="x")
