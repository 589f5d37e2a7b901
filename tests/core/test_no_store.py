"""``Cache-Control: no-store`` on every page and API answer that shows posts, alerts, reports or people
(issue 16): the URL prefixes are those of ``youthsafe.core.nostore`` (every feature app, the API, the dashboard,
users and the audit log); static files and the login page keep their own caching."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.alerts.access_routes import make_objects as alerts
from tests.conftest import Tree
from tests.content.access_routes import make_objects as content
from tests.leads.access_routes import make_objects as leads
from tests.pipeline.access_routes import make_objects as pipeline
from youthsafe.core.models import User
from youthsafe.core.nostore import no_store_prefixes
from youthsafe.registry import services

pytestmark = pytest.mark.django_db


def _no_store(response: object) -> bool:
    return "no-store" in response.get("Cache-Control", "")  # type: ignore[attr-defined]


@pytest.fixture
def records(tree: Tree, make_user: Callable[..., User], tmp_path: Path, settings: Any) -> dict[str, int]:
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = make_user("administrator")
    own = services.do_create_platform(actor=admin, data={"name": "本辖区平台", "kind": "education",
                                                          "operator": "甲公司", "jurisdiction": tree.north})
    other = services.do_create_platform(actor=admin, data={"name": "兄弟辖区平台", "kind": "game",
                                                            "operator": "乙公司", "jurisdiction": tree.south})
    made: dict[str, int] = {"platform": own.pk, "user": admin.pk}
    for make in (alerts, content, leads, pipeline):
        made.update(make(tree=tree, admin=admin, own=own, other=other))
    return made


PAGES = [
    "/dashboard/", "/users/", "/audit/", "/audit/export.csv",
    "/alerts/", "/alerts/{alert}/", "/pipeline/", "/pipeline/posts/{pipeline_post}/", "/pipeline/dead-letters/",
    "/content/", "/content/{content_item}/", "/content/reports/", "/content/reports/{content_report}/",
    "/content/evidence/{content_evidence}/", "/leads/", "/leads/{lead}/", "/leads/cases/{lead_case}/",
    "/registry/", "/registry/{platform}/", "/registry/export.csv", "/supervision/interviews/", "/outreach/",
    "/reports/", "/api/alerts/alerts", "/api/alerts/alerts/{alert}", "/api/pipeline/posts/{pipeline_post}",
    "/api/content/reports", "/api/leads/leads/{lead}", "/api/registry/platforms/{platform}",
]


@pytest.mark.parametrize("page", PAGES)
def test_pages_of_posts_alerts_reports_and_people_are_not_stored(
    page: str, records: dict[str, int], login: Callable[[User], Client],
) -> None:
    client = login(User.objects.get(pk=records["user"]))
    response = client.get(page.format(**records))
    response.close()  # a file download streams from an open file
    assert response.status_code == 200, (page, response.status_code)
    assert _no_store(response), (page, response.get("Cache-Control"))


def test_the_public_report_form_and_its_answer_are_not_stored(tree: Tree) -> None:
    assert _no_store(Client().get("/content/report/"))
    assert _no_store(Client().get("/api/content/public/reports/JB-XXXXX-XXXXX"))


def test_static_files_keep_their_caching(db: None) -> None:
    response = Client().get("/static/youthsafe/app.css")
    response.close()
    assert response.status_code == 200
    assert not _no_store(response)


def test_every_feature_app_is_covered() -> None:
    """A new app's pages are covered when it is added to YOUTHSAFE_APPS; the list matches the URL tree."""
    mounted = {f"/{entry.pattern}" for entry in get_resolver().url_patterns if isinstance(entry, URLResolver)}
    prefixes = set(no_store_prefixes())
    assert {f"/{app}/" for app in settings.YOUTHSAFE_APPS} <= prefixes
    assert mounted - prefixes == set(), mounted - prefixes
