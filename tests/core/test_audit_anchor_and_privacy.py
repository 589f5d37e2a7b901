"""The audit log beyond its chain: anchors kept outside the database catch rows cut from the end and a
re-hashed chain; the audit page and its CSV hide personal data from readers without the right and never
hand a spreadsheet a formula; every read of a platform's contacts is itself audited."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.conftest import Tree
from tests.core.test_audit import _drop_triggers
from youthsafe.core import audit
from youthsafe.core.models import AuditAction, AuditEvent, User
from youthsafe.core.roles import Role
from youthsafe.registry import services
from youthsafe.registry.models import Platform


@pytest.fixture
def chain(tree: Tree) -> list[AuditEvent]:
    return [audit.record(AuditAction.CHANGE, actor=None, obj=tree.north, actor_label="system", after={"n": n})
            for n in range(4)]


def test_head_prints_the_last_row_as_an_anchor(chain: list[AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit", "head")
    assert capsys.readouterr().out.strip() == f"{chain[-1].pk}:{chain[-1].hash}"


def test_rows_cut_from_the_end_pass_the_chain_but_not_the_anchor(chain: list[AuditEvent]) -> None:
    anchor = f"{chain[-1].pk}:{chain[-1].hash}"
    call_command("audit", "verify", "--anchor", anchor)
    _drop_triggers()  # somebody with database access; the test transaction restores the triggers
    AuditEvent.objects.filter(pk__in=[chain[-1].pk, chain[-2].pk]).delete()
    assert list(audit.verify_chain()) == []  # what is left is a valid chain...
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("audit", "verify", "--anchor", anchor)  # ...that no longer holds the anchored head


def test_a_rehashed_chain_fails_its_anchor(chain: list[AuditEvent]) -> None:
    anchor = f"{chain[-1].pk}:{chain[-1].hash}"
    _drop_triggers()
    prev = chain[0].hash
    for event in AuditEvent.objects.filter(pk__gt=chain[0].pk).order_by("id"):  # forge rows 2.. and re-hash
        event.after = {"n": "forged"}
        event.prev_hash = prev
        event.hash = prev = audit.compute_hash(event)
        AuditEvent.objects.filter(pk=event.pk).update(after=event.after, prev_hash=event.prev_hash, hash=event.hash)
    assert list(audit.verify_chain()) == []
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--anchor", anchor)


def test_anchor_file_is_checked_then_extended(chain: list[AuditEvent], tree: Tree, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.txt"
    call_command("audit", "verify", "--anchor-file", str(anchors))
    first = anchors.read_text().splitlines()
    assert len(first) == 1
    assert first[0].startswith(f"{chain[-1].pk}:{chain[-1].hash} ")
    later = audit.record(AuditAction.CHANGE, actor=None, obj=tree.north, actor_label="system")
    call_command("audit", "verify", "--anchor-file", str(anchors))
    assert anchors.read_text().splitlines()[1].startswith(f"{later.pk}:{later.hash} ")
    _drop_triggers()
    AuditEvent.objects.filter(pk=later.pk).delete()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--anchor-file", str(anchors))


@pytest.mark.parametrize("bad", ["12", "12:abc", "x:" + "0" * 64, ""])
def test_a_malformed_anchor_is_refused_with_its_text(chain: list[AuditEvent], bad: str) -> None:
    with pytest.raises(CommandError, match="not an anchor"):
        call_command("audit", "verify", "--anchor", bad)


@pytest.fixture
def platform(tree: Tree, make_user: Callable[..., User]) -> Platform:
    return services.do_create_platform(actor=make_user(Role.ADMINISTRATOR), data={
        "name": "青苗网校", "kind": "education", "operator": "=HYPERLINK(\"http://x\")", "jurisdiction": tree.north,
        "security_officer": "王敏", "security_officer_phone": "0571-88880000",
        "security_officer_email": "sec@example.cn"})


def _csv(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/audit/export.csv{query}")
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def test_auditor_without_contact_right_sees_them_redacted(platform: Platform, make_user: Callable[..., User],
                                                         login: Callable[..., Client]) -> None:
    auditor = make_user(Role.AUDITOR)
    assert not auditor.has_perm_name("platform:view_contacts")
    client = login(auditor)
    page = client.get("/audit/?object_type=registry.platform").content.decode()
    assert "0571-88880000" not in page
    assert "sec@example.cn" not in page
    assert "王敏" not in page
    assert "***" in page
    rows = [r for r in _csv(client, "?object_type=registry.platform") if r["action"] == "create"]
    assert rows
    assert all("0571-88880000" not in r["after"] and "***" in r["after"] for r in rows)
    assert json.loads(rows[0]["after"])["name"] == "青苗网校"  # the rest is kept, as JSON


def test_reader_with_the_right_sees_the_contacts(platform: Platform, make_user: Callable[..., User],
                                                 login: Callable[..., Client]) -> None:
    admin = make_user(Role.ADMINISTRATOR, username="admin-2")
    assert admin.has_perm_name("platform:view_contacts")
    assert admin.has_perm_name("audit:view")
    page = login(admin).get("/audit/?object_type=registry.platform").content.decode()
    assert "0571-88880000" in page


def test_audit_csv_defuses_formulas_from_anyone(platform: Platform, make_user: Callable[..., User],
                                                login: Callable[..., Client]) -> None:
    Client().post("/login/", {"username": "=cmd|'/c calc'!A1", "password": "x"})  # a failed login: anonymous text
    rows = _csv(login(make_user(Role.AUDITOR)))
    texts = [cell for row in rows for cell in row.values()]
    assert texts
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in texts)
    assert any(cell.startswith("'=cmd") for cell in texts)


def test_reads_of_contacts_are_audited_everywhere(platform: Platform, make_user: Callable[..., User],
                                                  login: Callable[..., Client]) -> None:
    admin = make_user(Role.ADMINISTRATOR, username="admin-2")
    client = login(admin)

    def views() -> int:
        return AuditEvent.objects.filter(action=AuditAction.VIEW, actor=admin, object_type="registry.platform").count()

    start = views()
    listing = client.get("/api/registry/platforms").json()
    assert listing["items"][0]["security_officer_phone"] == "0571-88880000"
    row = AuditEvent.objects.filter(action=AuditAction.VIEW, actor=admin).latest("id")
    assert row.after == {"ids": [platform.pk]}
    assert views() == start + 1
    client.get(f"/registry/{platform.pk}/edit/")
    assert views() == start + 2
    client.get(f"/api/registry/platforms/{platform.pk}/history")
    assert views() == start + 3


def test_readers_without_the_right_leave_no_view_rows(platform: Platform, make_user: Callable[..., User],
                                                      login: Callable[..., Client]) -> None:
    client = login(make_user(Role.READONLY))
    before = AuditEvent.objects.count()
    listing = client.get("/api/registry/platforms").json()
    assert "security_officer_phone" not in listing["items"][0]
    assert AuditEvent.objects.count() == before


def test_audit_rows_record_the_client_address(tree: Tree, make_user: Callable[..., User]) -> None:
    """The client address the request came with (behind a proxy, the one the proxy saw: the server's proxy layer
    sets it, tests/core/test_client_address.py); an X-Forwarded-For that reaches Django is not read."""
    make_user(Role.ANALYST)
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.post("/login/", {"username": "nobody", "password": "x"}, HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AuditEvent.objects.latest("id").ip_address == "203.0.113.7"
