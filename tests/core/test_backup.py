"""``youthsafe backup`` / ``restore``: a round trip on the configured database (SQLite or PostgreSQL), and
archives that are damaged, altered or of the wrong kind are refused before anything changes."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from tests.conftest import Tree
from youthsafe.core import backup
from youthsafe.core.audit import verify_chain
from youthsafe.core.models import AuditAction, AuditEvent, Jurisdiction, User


def _rewrite(source: Path, target: Path, change: Callable[[str, bytes], tuple[str, bytes] | None]) -> None:
    """Copy an archive member by member through ``change`` (which may rename, alter or drop a member)."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()  # type: ignore[union-attr]
            changed = change(member.name, data)
            if changed is None:
                continue
            info = tarfile.TarInfo(changed[0])
            info.size = len(changed[1])
            new.addfile(info, io.BytesIO(changed[1]))


@pytest.mark.django_db(transaction=True)
def test_round_trip_brings_back_records_and_files(tree: Tree, make_user: Callable[..., User], tmp_path: Path) -> None:
    media = tmp_path / "media"
    evidence = media / "evidence" / "ab" / "abcdef.png"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"\x89PNG evidence")
    make_user("analyst", tree.north, username="kept-user")
    with override_settings(MEDIA_ROOT=media):
        summary = backup.backup(tmp_path / "out" / "b.tar.gz")
        assert summary.files == 2
        assert summary.vendor == connection.vendor
        Jurisdiction.objects.filter(pk=tree.north.pk).update(name="被改动")
        User.objects.filter(username="kept-user").delete()
        evidence.unlink()
        backup.restore(summary.path)
    assert Jurisdiction.objects.get(pk=tree.north.pk).name == "江北区"
    assert User.objects.filter(username="kept-user").exists()
    assert evidence.read_bytes() == b"\x89PNG evidence"
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_label"))
    assert (AuditAction.EXPORT, "backup") in actions  # the archive holds the record of its own making
    assert actions[-1] == (AuditAction.IMPORT, "restore")
    assert list(verify_chain()) == []


@pytest.mark.django_db(transaction=True)
def test_damaged_altered_or_foreign_archives_are_refused(tree: Tree, tmp_path: Path) -> None:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        good = backup.backup(tmp_path / "good.tar.gz").path
    dump = backup.DUMP_NAMES[connection.vendor]
    cases: dict[str, Callable[[str, bytes], tuple[str, bytes] | None]] = {
        "checksum mismatch": lambda n, d: (n, d + b"x") if n == dump else (n, d),
        "unexpected member": lambda n, d: ("../escape.txt", d) if n == dump else (n, d),
        "does not match its manifest": lambda n, d: None if n == dump else (n, d),
        "backup;": lambda n, d: (n, json.dumps({**json.loads(d), "vendor": "oracle"}).encode())
        if n == "manifest.json" else (n, d),
        "not supported": lambda n, d: (n, json.dumps({**json.loads(d), "format": 99}).encode())
        if n == "manifest.json" else (n, d),
    }
    before = Jurisdiction.objects.count()
    for reason, change in cases.items():
        bad = tmp_path / f"bad-{abs(hash(reason))}.tar.gz"
        _rewrite(good, bad, change)
        with pytest.raises(backup.BackupError, match=reason):
            backup.restore(bad)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(backup.BackupError, match="cannot read"):
        backup.restore(truncated)
    assert Jurisdiction.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


@pytest.mark.django_db(transaction=True)
def test_commands_need_confirmation_and_report(tree: Tree, tmp_path: Path) -> None:
    out = StringIO()
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        call_command("backup", "--out", str(tmp_path / "c.tar.gz"), stdout=out)
    assert "backup written" in out.getvalue()
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "c.tar.gz"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--yes")


@pytest.mark.django_db
def test_refused_inside_a_transaction(tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError, match="inside a transaction"):
        backup.backup(tmp_path / "x.tar.gz")
