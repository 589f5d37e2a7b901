"""Webhooks are signed and received by a real local HTTP server; a failed delivery is retried with backoff;
e-mail goes through Django's backend."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.alerts.factories import RECRUIT, feed, source
from tests.conftest import Tree
from youthsafe.alerts import notifications
from youthsafe.alerts.models import Notification
from youthsafe.core.models import User

pytestmark = pytest.mark.django_db
SECRET = "hook-secret-for-tests"


class Receiver:
    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.fail_next = 0


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state.fail_next:
                state.fail_next -= 1
                self.send_response(500)
            else:
                state.received.append((body, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_signed_webhook_and_email_after_commit(
    tree: Tree, receiver: tuple[Receiver, str], settings: Any, make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    state, url = receiver
    settings.YOUTHSAFE_WEBHOOKS = json.dumps([{"url": url, "secret": SECRET}])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reviewer = make_user("reviewer", tree.city)
    reviewer.email = "reviewer@example.cn"
    reviewer.save()
    with django_capture_on_commit_callbacks(execute=True):
        alert = feed(source(tree.north), RECRUIT, author="w1", thread="w1")
    assert alert is not None
    assert len(state.received) == 1
    body, headers = state.received[0]
    assert notifications.verify(body, headers["x-youthsafe-signature"], SECRET)
    assert not notifications.verify(body, headers["x-youthsafe-signature"], "wrong")
    payload = json.loads(body)
    assert payload["alert_id"] == alert.pk
    assert payload["event"] == "new_alert"
    assert RECRUIT not in body.decode()  # no post text leaves the platform
    assert [m.to for m in mail.outbox] == [["reviewer@example.cn"]]
    assert Notification.objects.filter(sent_at=None).count() == 0


def test_failed_webhook_is_retried_with_backoff(
    tree: Tree, receiver: tuple[Receiver, str], settings: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    state, url = receiver
    settings.YOUTHSAFE_WEBHOOKS = [url]
    settings.YOUTHSAFE_WEBHOOK_SECRET = SECRET
    state.fail_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        feed(source(tree.north), RECRUIT, author="w2", thread="w2")
    row = Notification.objects.get()
    assert row.sent_at is None
    assert row.attempts == 1
    assert "500" in row.last_error
    assert notifications.deliver() == (0, 0)  # not due yet: backoff
    sent, failed = notifications.deliver(now=timezone.now() + dt.timedelta(minutes=2))
    assert (sent, failed) == (1, 0)
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 2
    body, headers = state.received[0]
    assert notifications.verify(body, headers["x-youthsafe-signature"], SECRET)


def test_a_webhook_without_its_own_secret_is_never_signed_with_the_secret_key(
    tree: Tree, receiver: tuple[Receiver, str], settings: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    """Signatures use the webhook secret only: with none configured the alert still opens, the hook is not
    sent (the outbox row says why), and a retry after a secret is set sends it signed with that secret."""
    state, url = receiver
    settings.YOUTHSAFE_WEBHOOKS = [url]
    settings.YOUTHSAFE_WEBHOOK_SECRET = None
    with django_capture_on_commit_callbacks(execute=True):
        alert = feed(source(tree.north), RECRUIT, author="w4", thread="w4")
    assert alert is not None
    row = Notification.objects.get()
    assert (row.signature, row.sent_at) == ("", None)
    assert "YOUTHSAFE_WEBHOOK_SECRET" in row.last_error
    assert state.received == []
    settings.YOUTHSAFE_WEBHOOK_SECRET = SECRET
    assert notifications.deliver(now=timezone.now() + dt.timedelta(minutes=2)) == (1, 0)
    body, headers = state.received[0]
    assert notifications.verify(body, headers["x-youthsafe-signature"], SECRET)
    assert not notifications.verify(body, headers["x-youthsafe-signature"], settings.SECRET_KEY)


def test_escalate_command_sends_overdue_to_leaders(
    tree: Tree, settings: Any, make_user: Callable[..., User],
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    leader = make_user("leader", tree.city)
    leader.email = "leader@example.cn"
    leader.save()
    alert = feed(source(tree.north), RECRUIT, author="w3", thread="w3")
    assert alert is not None
    mail.outbox.clear()
    later = (timezone.now() + dt.timedelta(hours=3)).isoformat()
    call_command("alerts", "escalate", "--now", later)
    subjects = [m.subject for m in mail.outbox]
    assert any("已超时" in s for s in subjects)
    assert all(m.to == ["leader@example.cn"] for m in mail.outbox)


@pytest.mark.parametrize("raw", ["2026-02-30T10:00:00", "yesterday"])
def test_now_option_that_is_not_a_real_time_is_a_command_error(raw: str) -> None:
    """Found by fuzzing: a well-formed but impossible time (February 30) raised ValueError with a traceback."""
    with pytest.raises(CommandError, match="not a date and time"):
        call_command("alerts", "escalate", "--now", raw)


def test_recipients_are_read_once_per_place_inside_a_cached_block(tree: Tree, make_user: Callable[..., User]) -> None:
    reviewer = make_user("reviewer", tree.city)
    reviewer.email = "r@example.org"
    reviewer.save()
    with CaptureQueriesContext(connection) as one:
        assert notifications.recipients(["reviewer", "leader"], tree.north) == ["r@example.org"]
    with notifications.cached_recipients(), CaptureQueriesContext(connection) as cached:
        for roles in (["reviewer", "leader"], ("leader", "reviewer")):  # same set, any order: one lookup
            assert notifications.recipients(roles, tree.north) == ["r@example.org"]
        assert notifications.recipients(["reviewer"], tree.south) == ["r@example.org"]  # another place: read
    assert len(one) >= 1
    assert len(cached) == 2 * len(one)
    # outside the block nothing is remembered: a user deactivated now is not notified
    reviewer.is_active = False
    reviewer.save()
    assert notifications.recipients(["reviewer", "leader"], tree.north) == []
