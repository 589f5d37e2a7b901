"""Health and metrics endpoints, and JSON log lines."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from django.test import Client, override_settings

from tests.alerts.factories import RECRUIT, feed, source
from tests.conftest import Tree
from youthsafe.core import observability
from youthsafe.core.logformat import JsonFormatter
from youthsafe.core.models import User

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_migrations() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["migrations"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_is_503_when_the_database_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def cursor(self) -> None:
            raise ConnectionError("database down")

    monkeypatch.setattr(observability, "connection", Broken())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: ConnectionError"


def test_metrics_count_without_content(tree: Tree) -> None:
    feed(source(tree.north), RECRUIT, author="u1", thread="t1")
    body = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    assert "# TYPE youthsafe_posts gauge" in body
    assert "youthsafe_posts 1" in body.splitlines()
    open_lines = [line for line in body.splitlines() if line.startswith("youthsafe_alerts_open{")]
    assert len(open_lines) == 11
    assert sum(float(line.rsplit(" ", 1)[1]) for line in open_lines) == 1
    assert "youthsafe_alerts_overdue 0" in body.splitlines()
    assert "process_resident_memory_bytes" in body
    assert RECRUIT[:4] not in body  # counts, never content


def test_metrics_need_loopback_or_the_token(make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    remote = Client(REMOTE_ADDR="203.0.113.9")
    assert remote.get("/metrics").status_code == 403
    assert login(make_user("administrator")).get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    with override_settings(YOUTHSAFE_METRICS_TOKEN="s3cret-token"):
        assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
        assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_json_log_lines() -> None:
    record = logging.LogRecord("youthsafe.pipeline", logging.WARNING, __file__, 1, "批次 %s 有 %d 条死信",
                               ("b1", 2), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "批次 b1 有 2 条死信"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "youthsafe.pipeline"
